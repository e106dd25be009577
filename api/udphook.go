package api

import (
	"fmt"

	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
)

// SetUDPHook installs a fault-injection hook on the UDP socket under s
// (udpencap.Conn.SetHook), for tests: h sees every datagram of the UDP
// port, received and sent, of every socket sharing that port, and passes,
// drops, duplicates or delays it, as a lossy path would, without a proxy
// between the peers. nil removes it. TransportStats counts what the hook
// dropped, duplicated and delayed. An addition to gen_sctp. Errors:
// ErrNotSupported on a socket running over a transport of its own
// (OverConn, OverPacketConn, OverTransport), net.ErrClosed once the socket
// is closed.
func (s *Socket) SetUDPHook(h udpencap.Hook) error {
	err := s.do(func(timer.Time) error {
		c := s.stk.Conn()
		if c == nil {
			return fmt.Errorf("%w: not on gensctp's UDP socket", ErrNotSupported)
		}
		c.SetHook(h)
		return nil
	})
	return opError("set_udp_hook", 0, -1, err)
}
