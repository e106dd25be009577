package association

import "github.com/gensctp/gensctp/packet"

// Test-only access to the control queue, for the hostile-peer tests.

// CtrlQueueBytes returns what the control queue of a holds on the wire,
// counted entry by entry: each chunk with a common header of its own,
// each prebuilt packet as is.
func CtrlQueueBytes(a *Association) int {
	n := 0
	for _, c := range a.ctrl {
		if c.raw != nil {
			n += len(c.raw)
		} else {
			n += packet.HeaderLen + c.c.Len()
		}
	}
	return n
}

// CtrlQueueAccounted returns the byte count the association keeps for its
// control queue, which must equal CtrlQueueBytes.
func CtrlQueueAccounted(a *Association) int { return a.ctrlBytes }
