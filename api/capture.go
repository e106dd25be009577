package api

import (
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/pcap"
)

// Capture records every packet of the socket, sent and received, in w:
// the SCTP packets as on the wire (their CRC32c computed), each in an IP
// and UDP header with the packet's real addresses and UDP ports (SCTP
// over UDP, RFC 6951), stamped with the time of the socket's stack (see
// pcap.Writer for the file format). An addition to gen_sctp. Open-only.
//
// The packets of the socket are those of its SCTP port: sent from it or
// addressed to it, including those of the sockets peeled off it (Peeloff,
// Accept); for a socket bound to specific addresses, only those sent from
// or to them (another socket may have the same SCTP port on other
// addresses); packets too short for an SCTP common header are not recorded.
// A sent packet is recorded as it goes to the UDP socket (one that then
// fails to go out, which SCTP takes for a loss, is recorded too). A
// received packet's local address is the one it arrived on when the
// transport reports it (UDP sockets do on Linux and macOS), else the
// socket's bound address of its family (the wildcard for a wildcard-bound
// socket); a sent packet's is the address the stack sent it from, else
// the same: on a wildcard-bound socket, an INIT sent before the
// association knew its local address shows the unspecified address
// (0.0.0.0 or ::), the operating system choosing the source. The capture
// starts when Open returns and stops when the socket and its peeled-off
// sockets are closed, which flushes w.
//
// Several sockets may share one Writer (it is safe for concurrent use),
// but the packets between two sockets of one process are then recorded
// twice, once sent and once received. Wireshark and tshark decode the
// packets as SCTP when one of the UDP ports is 9899 (udpencap.DefaultPort,
// the port of their SCTP dissector); for other ports, tell them to
// (tshark -d udp.port==PORT,sctp; Wireshark's Analyze, Decode As).
//
// When writing to w fails, the capture stops (the socket goes on without
// it) and w.Err reports the error, as do w.Flush and w.Close. A nil w is
// ErrInvalidOption.
//
// A slow io.Writer under w holds up no packet, of the socket or of any
// other on its UDP port: the packet path only copies each packet into
// w's buffers, and a goroutine of w's writes them out (see pcap.Writer).
// When the buffers are full, the packet is left out of the capture and
// counted (w.Dropped). Closing the socket flushes w, waiting at most a
// second for its io.Writer: after that the socket closes and the flush
// goes on without it (a capture whose io.Writer blocks forever ends
// there, cut short).
func Capture(w *pcap.Writer) Option {
	return Option{name: "capture", openOnly: true, apply: func(c *optCtx) error {
		if w == nil {
			return badValue("nil *pcap.Writer")
		}
		c.st.capture = w
		return nil
	}}
}

// capture records the packets of one SCTP port of a stack in a Writer:
// a tap of the stack (stack.Tap).
type capture struct {
	w      *pcap.Writer
	st     *stack.Stack
	of     stack.TapFilter  // the packets of the socket
	locals []netip.AddrPort // the stack's local addresses, for packets that do not tell theirs
	remove func()           // takes the tap off the stack
}

// startCapture starts recording the packets of st that of selects in w.
func startCapture(st *stack.Stack, of stack.TapFilter, w *pcap.Writer) *capture {
	c := &capture{w: w, st: st, of: of, locals: st.LocalAddrs()}
	c.remove = st.AddTap(c)
	return c
}

// captureStopWait bounds how long closing a socket waits for the
// io.Writer of its capture (Capture).
const captureStopWait = time.Second

// stop ends the capture: it takes the tap off the stack and flushes the
// Writer, waiting for its io.Writer for at most captureStopWait. A packet
// under way may still be written to it after that.
func (c *capture) stop() {
	c.remove()
	flushed := make(chan struct{})
	go func() {
		_ = c.w.Flush() // its error stays in the Writer for its owner
		close(flushed)
	}()
	timer := time.NewTimer(captureStopWait)
	defer timer.Stop()
	select {
	case <-flushed:
	case <-timer.C: // the io.Writer blocks: the flush goes on without the socket
	}
}

// Received implements stack.Tap: it records a packet addressed to the
// socket (stack.TapFilter).
func (c *capture) Received(m *packetio.Message) {
	if len(m.Data) < 12 || !c.of.Received(m) {
		return
	}
	remote := netip.AddrPortFrom(m.From.Addr().Unmap(), m.From.Port())
	c.write(remote, localFor(c.locals, remote.Addr(), m.To.Addr(), m.To.Port()), m.Data)
}

// Sent implements stack.Tap: it records a packet sent by the socket.
func (c *capture) Sent(m *packetio.OutMessage) {
	if len(m.Data) < 12 || !c.of.Sent(m) {
		return
	}
	remote := netip.AddrPortFrom(m.To.Addr().Unmap(), m.To.Port())
	c.write(localFor(c.locals, remote.Addr(), m.From, 0), remote, m.Data)
}

// write records a packet, unless the Writer's io.Writer is slow
// (pcap.Writer.TryWritePacket: the packet is dropped and counted). An
// error is the Writer's to report (Err: once it failed, it writes nothing
// more, and the capture stopped), or a packet it cannot represent, left
// out.
func (c *capture) write(src, dst netip.AddrPort, data []byte) {
	_ = c.w.TryWritePacket(pcap.Packet{Timestamp: c.st.WallClock(), Src: src.Addr(), Dst: dst.Addr(),
		SrcPort: src.Port(), DstPort: dst.Port(), Payload: data})
}

// localFor returns the local address of a packet exchanged with remote:
// addr (the address it arrived on or left from) when it is known and of
// remote's family, else the first local address of the stack of that
// family (a wildcard address for a socket bound to it), else the
// unspecified address of that family; with port, or else the port of the
// stack's local address.
func localFor(locals []netip.AddrPort, remote, addr netip.Addr, port uint16) netip.AddrPort {
	v4 := remote.Unmap().Is4()
	addr = addr.Unmap()
	var found netip.AddrPort
	for _, l := range locals {
		if l.Addr().Unmap().Is4() == v4 {
			found = netip.AddrPortFrom(l.Addr().Unmap(), l.Port())
			break
		}
	}
	if !found.IsValid() && len(locals) > 0 {
		found = netip.AddrPortFrom(netip.Addr{}, locals[0].Port())
	}
	a := found.Addr()
	if addr.IsValid() && !addr.IsUnspecified() && addr.Is4() == v4 {
		a = addr
	}
	if !a.IsValid() {
		a = netip.IPv6Unspecified()
		if v4 {
			a = netip.IPv4Unspecified()
		}
	}
	if port == 0 {
		port = found.Port()
	}
	return netip.AddrPortFrom(a, port)
}
