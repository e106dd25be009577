package api

import (
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
)

// TransportStats are the counters below the associations of a socket, an
// addition to gen_sctp: those of the UDP encapsulation socket(s) it
// shares with the other sockets on its UDP port (RFC 6951), of the SCTP
// packets they carried, and of those of the socket's SCTP port.
type TransportStats struct {
	// UDP counts the datagrams and bytes read and written, the datagrams
	// dropped by a test hook or for being longer than the receive buffer,
	// the ICMP errors, and the system calls; zero when the socket runs on
	// a transport of its own (see the Transport option).
	UDP udpencap.Stats
	// Stack counts the SCTP packets of every SCTP port on the UDP port:
	// packets and bytes in and out, and those dropped by reason (bad
	// CRC32c in ChecksumErrors, cut short in Truncated, out of the blue
	// in OutOfTheBlue(), RFC 9260 Section 8.4), including those for a
	// port no socket has.
	Stack endpoint.Counters
	// Port counts the packets of the socket's SCTP port alone (shared
	// with the sockets peeled off it, or with the socket it was peeled
	// off).
	Port endpoint.Counters
}

// TransportStats returns the counters of the UDP socket(s) and SCTP port
// of s. Errors: net.ErrClosed once the socket is closed.
//
// The Stack and Port counters are read at one moment, the UDP ones after
// them (datagrams keep arriving meanwhile): Stack.PacketsIn is at least
// Port.PacketsIn, and at most UDP.DatagramsIn - UDP.HookDropsIn +
// UDP.HookDuplicates (the datagrams read and not handled yet make the
// difference).
func (s *Socket) TransportStats() (TransportStats, error) {
	var out TransportStats
	err := s.do(func(timer.Time) error {
		out.Stack = s.stk.Counters() // the shards stay locked until do returns
		out.Port = s.share.ep.Counters()
		// Last: the UDP sockets' readers count a datagram before a shard
		// handles it, and keep reading meanwhile, so that read after the
		// shards' counters UDP.DatagramsIn is at least Stack.PacketsIn.
		if c := s.stk.Conn(); c != nil {
			out.UDP = c.Stats()
		}
		return nil
	})
	return out, opError("getstat", 0, -1, err)
}

// AssocIDs returns the associations of s, in increasing order (RFC 6458
// Section 8.2.5, SCTP_GET_ASSOC_ID_LIST; not in gen_sctp): on a
// one-to-many socket those not peeled off, on a one-to-one socket its
// association if it has one. Errors: net.ErrClosed once the socket is
// closed.
func (s *Socket) AssocIDs() ([]AssocID, error) {
	var out []AssocID
	err := s.do(func(timer.Time) error {
		out = append(out, s.ownedLocked()...)
		return nil
	})
	return out, opError("getopts", 0, -1, err)
}
