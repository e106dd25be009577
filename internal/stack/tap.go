package stack

import "github.com/gensctp/gensctp/packetio"

// Tap sees the packets of a stack (Config.Taps): the packet trace of the
// logs (trace.go) is one. With no tap, the packet path pays one length
// check per packet.
type Tap interface {
	// Received is called with every datagram read from the transport,
	// in the order read, before the core handles it (also one the core
	// then drops). The reads are serialised: calls do not overlap.
	Received(m *packetio.Message)
	// Sent is called with every packet handed to the transport to
	// write, just before it is written. Calls for packets of different
	// shards may run at the same time.
	Sent(m *packetio.OutMessage)
}

// tapReceived hands m to the taps.
func (s *Stack) tapReceived(m *packetio.Message) {
	for _, t := range s.taps {
		t.Received(m)
	}
}

// tapSent hands the packets of out to the taps.
func (s *Stack) tapSent(out []packetio.OutMessage) {
	if len(s.taps) == 0 {
		return
	}
	for i := range out {
		for _, t := range s.taps {
			t.Sent(&out[i])
		}
	}
}
