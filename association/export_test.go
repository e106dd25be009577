package association

import (
	"unsafe"

	"github.com/gensctp/gensctp/packet"
)

// Test-only access to the control queue and to counters of the work a
// peer makes an association do, for the hostile-peer tests.

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

// ReceiveSteps returns the work the received TSNs have cost so far: the
// steps of the lookups in the record of TSNs received.
func ReceiveSteps(a *Association) uint64 { return a.rcv.steps }

// SACKVisits returns the retransmission queue entries read so far by the
// walks over the queue.
func SACKVisits(a *Association) uint64 { return a.out.visits }

// TSNRanges returns the number of ranges of TSNs received above the
// Cumulative TSN Ack Point.
func TSNRanges(a *Association) int { return a.rcv.ranges }

// PayloadEstimate returns the average user data of the DATA chunks a has
// received, which the window it advertises is computed for.
func PayloadEstimate(a *Association) int { return a.payloadEstimate() }

// CwndAckedBytes returns the bytes acknowledgements have counted toward
// the congestion windows so far.
func CwndAckedBytes(a *Association) uint64 { return a.ccAckedBytes }

// AssociationSize is the size of the Association struct.
const AssociationSize = unsafe.Sizeof(Association{})

// AcceptorSize is the size of the Acceptor struct.
const AcceptorSize = unsafe.Sizeof(Acceptor{})

// Footprint is what an association holds besides its struct and paths.
type Footprint struct {
	// Scratch, Handshake, SendQueue and Reassembly report whether the
	// data transfer buffers, the state of our handshake, the send queue
	// and the reassembly are allocated.
	Scratch, Handshake, SendQueue, Reassembly bool
	// CtrlCap and PendingCap are the capacities of the control queue and
	// of the delivery queue.
	CtrlCap, PendingCap int
}

// FootprintOf returns a's Footprint.
func FootprintOf(a *Association) Footprint {
	return Footprint{Scratch: a.scratchBuf != nil, Handshake: a.hs != nil, SendQueue: a.sendq != nil,
		Reassembly: a.reasm != nil, CtrlCap: cap(a.ctrl), PendingCap: len(a.pending.buf)}
}

// PRQueued returns the counts the partial reliability state keeps of the
// send queue: the messages with a lifetime, and those of the priority
// policy.
func PRQueued(a *Association) (expiring, prio int) {
	if a.prs == nil {
		return 0, 0
	}
	return a.prs.expiring, a.prs.prioQueued
}
