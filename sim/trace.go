package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
)

// DropReason says why a datagram was dropped.
type DropReason uint8

const (
	// DropLoss is a random loss (LinkConfig.Loss).
	DropLoss DropReason = iota + 1
	// DropMTU is a datagram larger than the MTU or MaxDatagram.
	DropMTU
	// DropQueue is a tail drop at the bandwidth bottleneck.
	DropQueue
	// DropDown is a datagram sent on a link that is down.
	DropDown
	// DropFilter is a datagram a filter dropped.
	DropFilter
	// DropBurst is a datagram of a loss burst (LinkConfig.BurstLoss).
	DropBurst
	// DropPartition is a datagram sent across a partition (Partition).
	DropPartition
)

// String returns the lower-case name of r.
func (r DropReason) String() string {
	switch r {
	case DropLoss:
		return "loss"
	case DropMTU:
		return "mtu"
	case DropQueue:
		return "queue"
	case DropDown:
		return "down"
	case DropFilter:
		return "filter"
	case DropBurst:
		return "burst"
	case DropPartition:
		return "partition"
	}
	return "DropReason(" + strconv.Itoa(int(r)) + ")"
}

// EventKind says what an Event reports.
type EventKind uint8

const (
	// EventSent reports a call to Send, before the filters run.
	EventSent EventKind = iota + 1
	// EventDropped reports a drop; Event.Reason says why.
	EventDropped
	// EventScheduled reports a copy put in flight; Datagram.At is its
	// arrival time and Event.Duplicate marks the extra copy.
	EventScheduled
	// EventDelivered reports a datagram returned by Receive.
	EventDelivered
)

// String returns the lower-case name of k.
func (k EventKind) String() string {
	switch k {
	case EventSent:
		return "sent"
	case EventDropped:
		return "dropped"
	case EventScheduled:
		return "scheduled"
	case EventDelivered:
		return "delivered"
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// Event is one step in the life of a datagram, reported to the hook set
// with SetTrace. Datagram.Data is only valid during the call.
type Event struct {
	// Kind says what happened.
	Kind EventKind
	// Reason, for EventDropped, says why.
	Reason DropReason
	// Duplicate, for EventScheduled, marks the extra copy.
	Duplicate bool
	// OutOfOrder, for EventScheduled, marks a copy held back by Reorder
	// or by a filter's Delay: it left the link's FIFO order.
	OutOfOrder bool
	// Datagram is the datagram concerned; its At is set from
	// EventScheduled on.
	Datagram Datagram
}

// SetTrace sets a hook called synchronously for every Event, or removes it
// (fn nil). The hook must not call Send or Receive.
func (n *Network) SetTrace(fn func(Event)) { n.trace = fn }

// EnableTraceHash starts recording a SHA-256 over every datagram delivered
// from now on (arrival time, sender, receiver and data), for TraceHash.
// Hashing costs about as much as the rest of a Send and Receive together,
// so it is off by default. Enabling it again restarts the hash.
func (n *Network) EnableTraceHash() {
	n.hash = sha256.New()
	n.hashLen = 0
}

// TraceHash returns the SHA-256 of the deliveries recorded since
// EnableTraceHash (mixed with their count), or the zero array if it was
// never enabled. Two runs with the same seed and the same calls return the
// same hash.
func (n *Network) TraceHash() [32]byte {
	var sum [32]byte
	if n.hash == nil {
		return sum
	}
	var cnt [8]byte
	binary.BigEndian.PutUint64(cnt[:], n.hashLen)
	h := sha256.New()
	h.Write(n.hash.Sum(n.scratch[:0]))
	h.Write(cnt[:])
	h.Sum(sum[:0])
	return sum
}

// recordDelivery reports d to the trace hook and mixes it into the trace
// hash. Each field is length-prefixed so that the encoding is unambiguous.
func (n *Network) recordDelivery(d *Datagram) {
	if n.trace != nil {
		n.trace(Event{Kind: EventDelivered, Datagram: *d})
	}
	if n.hash == nil {
		return
	}
	b := n.scratch[:0]
	b = binary.BigEndian.AppendUint64(b, uint64(d.At))
	b = appendAddr(b, d.From)
	b = appendAddr(b, d.To)
	b = binary.BigEndian.AppendUint32(b, uint32(len(d.Data)))
	n.hash.Write(b)
	n.hash.Write(d.Data)
	n.scratch = b[:0]
	n.hashLen++
}

// appendAddr appends a length-prefixed binary encoding of a.
func appendAddr(b []byte, a Addr) []byte {
	at := len(b)
	b = append(b, 0)
	b, _ = a.AppendBinary(b) // never fails
	b[at] = byte(len(b) - at - 1)
	return b
}
