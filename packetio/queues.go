package packetio

import "encoding/binary"

// Queued is a [Transport] that can split the packets it receives over
// several queues, so that a stack sharded across cores reads each shard's
// packets on a queue of its own, with a reader of its own, instead of
// having one reader hand them across (package udpencap does on Linux,
// with a group of SO_REUSEPORT sockets whose kernel steering program
// applies [QueueOf]).
//
// Packets are steered by [QueueOf]: by their SCTP verification tag,
// which a sharded stack draws per shard (a tag of shard k is k mod n), so
// that every packet of an association, once its handshake began, arrives
// on the queue of its shard. A packet that a queue's reader finds
// belongs to another shard (an INIT, whose tag is 0, a packet with the T
// bit, whose tag is the peer's) is the reader's to hand on.
type Queued interface {
	Transport
	// SetQueues asks for n queues and returns how many the Transport
	// provides from now on: n, or 1 when it cannot (then ReadBatch reads
	// every packet, as before). Call it before the first read.
	SetQueues(n int) int
	// ReadQueue is ReadBatch for the packets of queue q (0 ≤ q < the
	// number SetQueues returned): each received packet is returned by
	// exactly one queue. Each queue keeps the order of its packets.
	ReadQueue(q int, msgs []Message) (n int, err error)
}

// QueueOf returns the queue of n (n ≥ 1) that the SCTP packet b is
// steered to by a [Queued] transport: its verification tag (bytes 4 to 8
// of the common header, RFC 9260 Section 3.1) mod n, or 0 for a packet
// too short to have one.
func QueueOf(b []byte, n int) int {
	if n <= 1 || len(b) < 8 {
		return 0
	}
	return int(binary.BigEndian.Uint32(b[4:8]) % uint32(n))
}

// Pusher is a [Transport] that can hand the packets it receives to a
// function, on the goroutine that received them, instead of queueing
// them for ReadBatch or ReadQueue: the receiver saves a goroutine
// hand-off (a wake-up, some microseconds) per batch. Package udpencap
// does, from the reader goroutine of each of its sockets.
//
// Errors, the end of the Transport and the packets it produces itself
// (a test hook's delayed or duplicated copies, say) still come through
// ReadBatch and ReadQueue, which the receiver keeps reading; so may
// packets received before SetPush, in which case they may be handled
// after pushed ones.
type Pusher interface {
	Transport
	// SetPush makes the Transport call fn with each batch of packets it
	// receives and the queue that would have returned them (0, unless
	// [Queued] queues were taken); nil stops the calls. fn may be called
	// from several goroutines at once (one per socket, say), each with
	// its packets in the order received.
	//
	// fn takes the first n packets of msgs and owns their buffers, as
	// ReadBatch's caller does, but not msgs, which it must not keep.
	// With wait set it takes them all, waiting for room if it must;
	// without, it takes what it can without waiting (the Transport holds
	// something the rest of the system may wait for, the socket Close
	// needs, say) and the Transport offers the rest again, with wait
	// set, once it let go of it.
	//
	// fn reports whether it woke goroutines that should run before more
	// packets are received (the readers of the messages it delivered,
	// on the core where the messages are in cache): the Transport then
	// yields (runtime.Gosched) before it receives more.
	SetPush(fn func(queue int, msgs []Message, wait bool) (n int, yield bool))
}
