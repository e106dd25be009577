package stream

import "github.com/gensctp/gensctp/chunk"

// InMessage is a received user message, or one piece of a message under
// partial delivery, as returned by Reassembly.Pop.
type InMessage struct {
	// Stream, PPID and Unordered describe the message. PPID is that of
	// the fragment with the B bit.
	Stream    chunk.StreamID
	PPID      chunk.PPID
	Unordered bool
	// SSN is the stream sequence number. For an unordered message it is
	// the value the sender put in the field, which has no meaning (RFC
	// 9260 Section 3.3.1: "the receiver MUST ignore the Stream Sequence
	// Number field").
	SSN chunk.SSN
	// MID is the Message Identifier of a message received in I-DATA
	// chunks (RFC 8260 Section 2.1); SSN then holds its lower-order 16
	// bits (RFC 8260 Section 4.1). Zero for DATA.
	MID chunk.MID
	// Data is the user data. The caller owns it, and may hand it back
	// with Reassembly.Release once done with it.
	Data []byte
	// FirstTSN and LastTSN are the TSNs of the first and last DATA chunk
	// whose user data is in Data.
	FirstTSN, LastTSN chunk.TSN
	// Partial is set on every piece of a message delivered in parts
	// (partial delivery), including the last piece.
	Partial bool
	// EndOfMessage is set when Data ends the message: always for a whole
	// message, and on the last piece of a partial delivery (RFC 6458
	// MSG_EOR).
	EndOfMessage bool
}

// PartialAbort describes a partial delivery dropped by
// Reassembly.AbortPartial.
type PartialAbort struct {
	// Stream, SSN and Unordered identify the message (pdapi_stream and
	// pdapi_seq of RFC 6458 Section 6.1.7).
	Stream    chunk.StreamID
	SSN       chunk.SSN
	Unordered bool
	// MID is the Message Identifier of an I-DATA message, whose
	// lower-order 16 bits SSN holds; zero for DATA.
	MID chunk.MID
	// Delivered is the number of bytes Pop handed out before the abort.
	// When it is 0 the user saw nothing of the message, and no
	// SCTP_PARTIAL_DELIVERY_ABORTED event is needed.
	Delivered int
}

// frag is the user data of one DATA chunk of a run that has no B fragment
// yet.
type frag struct {
	data []byte
	next *frag
	// I-DATA (ireassembly.go): the fragment's TSN and FSN, and the
	// previous fragment in the list of its message.
	tsn  chunk.TSN
	fsn  chunk.FSN
	prev *frag
}

// run is a maximal set of held DATA chunks of one message with consecutive
// TSNs. A run that starts with the B fragment is "begun": its user data is
// appended to buf as fragments join, so buf always holds the contiguous
// bytes from the start of the message (less what partial delivery handed
// out). A run without its B fragment keeps a list of fragments until it
// joins a begun run.
type run struct {
	stream     chunk.StreamID
	ssn        chunk.SSN
	ppid       chunk.PPID
	unordered  bool
	begun      bool
	lastE      bool // the last fragment has the E bit: complete if begun
	first      chunk.TSN
	last       chunk.TSN
	pieceFirst chunk.TSN // TSN of the first fragment still in buf

	buf        []byte // begun: user data not yet delivered
	head, tail *frag  // not begun: fragments in TSN order
	bytes      int    // not begun: user data bytes in the fragments
	nchunks    int    // DATA chunks whose user data is held here

	pd        bool // under partial delivery
	queued    bool // a message or piece is ready: in Reassembly.ready, or Reassembly.active
	delivered int  // bytes handed out by partial delivery
	// uidx is the index in recvStream.unord of a begun, incomplete
	// unordered run, or in recvStream.held of a complete one; -1 if in
	// neither.
	uidx int
	hpos int // 1 + index in Reassembly.held, 0 if not there

	// I-DATA (ireassembly.go): the Message Identifier (ssn holds its
	// lower 16 bits for an ordered message), the FSN of the next
	// fragment buf takes, the FSN of the E fragment when hasEnd, and
	// the fragments held ahead of nextFSN (head, tail: in arrival order;
	// npend of them, bytes of user data).
	mid     chunk.MID
	nextFSN chunk.FSN
	endFSN  chunk.FSN
	hasEnd  bool
	npend   int
}

// recvStream is the delivery state of one inbound stream beyond its next
// SSN (kept in Reassembly.ssns). A stream has one only while it is busy
// (see Reassembly.idle): the state of an idle stream is freed.
type recvStream struct {
	id    chunk.StreamID
	pd    *run   // message under partial delivery
	held  []*run // messages complete while pd is set: unordered, and ordered ones skipped to (pushSkipped)
	unord []*run // begun, incomplete unordered runs
}

// maxFree bounds the free lists of runs and fragments.
const maxFree = 1024

// maxFreeStreams bounds the free list of stream states, and maxKeptCap
// the capacity of the lists a freed stream state keeps for reuse.
const (
	maxFreeStreams = 64
	maxKeptCap     = 8
)

// Reassembly turns received DATA chunks into user messages (RFC 9260
// Section 6.9), orders them per stream by SSN (RFC 9260 Section 6.6) and
// queues them for delivery, optionally in parts (partial delivery, RFC 6458
// Section 8.1.21).
//
// Reassembly copies every chunk's user data into buffers it owns, reusing
// them from an internal pool; a caller that hands delivered data back
// with Release makes reassembly allocation-free in steady state. Delivery
// order across streams is the order in which messages became deliverable;
// it is a function of the calls made, never of map order or timing.
//
// Memory is bounded by the caller: every byte of user data added counts
// in Buffered until Pop hands it out, whether or not its message is
// complete, and a chunk far ahead in TSN space is simply held. The
// association must stop passing DATA to Add when Buffered reaches its
// receive buffer (RFC 9260 Section 6.2: "When the receiver's advertised
// window is 0, the receiver MUST drop any new incoming DATA chunk with a
// TSN larger than the largest TSN received so far."). Section 6.2 makes an
// exception for a chunk below the largest TSN received ("the receiver
// SHOULD drop the largest TSN held for reordering and accept the new
// incoming DATA chunk"): Renege drops the held chunks with the highest
// TSNs to make room for it. Besides the bytes it counts, Reassembly
// rounds buffers up to a power of two of at least 64 bytes and spends a
// record of 32 to 120 bytes per held chunk, so tiny chunks cost far more
// than Buffered says: Chunks reports their number for the association to
// cap. Per stream, an idle stream (nothing held, no partial delivery)
// costs at most its next SSN, two bytes and a bit, in pages of 256
// streams (136 KiB for all 65535 streams); a busy one costs a record of some 64 bytes, and
// one under partial delivery also the record of its message while no byte
// of it is held: BusyStreams reports their number for the association to
// charge.
//
// A nil *Reassembly holds nothing: its queries (Buffered, Chunks, Records,
// BusyStreams, Len), Pop, Renege, AbortPartial and Release treat it as an
// empty one, so that a caller can create the Reassembly with the first
// chunk it adds (an idle association never does).
//
// Reassembly is not safe for concurrent use; the caller serialises.
type Reassembly struct {
	numStreams int
	streams    table[recvStream] // busy streams only
	ssns       ssnTable          // next ordered SSN to queue, per stream
	// The maps are allocated at their first entry (Add, setOrdered): an
	// idle association does not pay for them.
	byFirst    map[chunk.TSN]*run // incomplete runs by first TSN
	byLast     map[chunk.TSN]*run // incomplete runs by last TSN
	held       heldRuns           // runs Renege may drop, highest TSN first
	ordered    map[uint32]*run    // ordered begun runs not yet queued, by orderedKey
	ready      ring[*run]         // messages and pieces to deliver, in order
	buffered   int
	chunks     int
	records    int // live runs and fragments (Records)
	pdPoint    int
	interleave int      // RFC 6458 SCTP_FRAGMENT_INTERLEAVE level
	active     *run     // level < 2: the message whose partial delivery blocks Pop
	pool       *BufPool // see SetPool; nil until first needed
	freeRuns   []*run
	freeFrags  []*frag
	freeRecv   []*recvStream

	// abandonable: the sender may abandon messages (SetAbandonable).
	abandonable bool

	// I-DATA (SetIData, ireassembly.go): the messages being reassembled
	// by stream, U bit and MID, the fragments held ahead of their
	// message's contiguous part, and per stream the highest unordered
	// MID an I-FORWARD-TSN skipped.
	idata  bool
	imsgs  map[imsgKey]*run
	ifrags map[ifragKey]*frag
	uskip  table[chunk.MID]

	// pdPages counts, per page of streams (table), the streams under
	// partial delivery (setPD), so that StartPartialDeliveries skips the
	// pages whose busy streams all are; steps counts the streams it
	// looked at (tests).
	pdPages []uint16
	steps   uint64
}

// NewReassembly returns an empty Reassembly for numStreams inbound
// streams (clamped to [0, MaxStreams]), with partial delivery off and
// fragment interleave level 2.
func NewReassembly(numStreams int) *Reassembly {
	return &Reassembly{
		numStreams: clampStreams(numStreams),
		interleave: 2,
	}
}

// setOrdered records x in r.ordered.
func (r *Reassembly) setOrdered(x *run) {
	if r.ordered == nil {
		r.ordered = make(map[uint32]*run)
	}
	r.ordered[orderedKey(x.stream, x.ssn)] = x
}

// orderedKey is the key of an ordered message in Reassembly.ordered.
func orderedKey(id chunk.StreamID, ssn chunk.SSN) uint32 {
	return uint32(id)<<16 | uint32(ssn)
}

// SetAbandonable tells r whether the sender may abandon messages part of
// which it sent (PR-SCTP, RFC 3758): a message that begins right after a
// fragment that does not end its message is then the next message after
// an abandoned one, which the FORWARD TSN will skip (Forward), rather than
// a framing error. Off by default.
func (r *Reassembly) SetAbandonable(on bool) { r.abandonable = on }

// Streams returns the number of inbound streams.
func (r *Reassembly) Streams() int { return r.numStreams }

// SetStreams sets the number of inbound streams to n (clamped to [0,
// MaxStreams]), for example after the peer added streams (RFC 6525). Add
// refuses chunks on streams at or above n; chunks already held stay and
// are delivered.
func (r *Reassembly) SetStreams(n int) { r.numStreams = clampStreams(n) }

// Buffered returns the bytes of user data held: added but not yet handed
// out by Pop, including fragments of incomplete messages. The association
// advertises a_rwnd = receive buffer - Buffered (RFC 9260 Section 6.2).
func (r *Reassembly) Buffered() int {
	if r == nil {
		return 0
	}
	return r.buffered
}

// Chunks returns the number of DATA chunks whose user data is held (added
// but not yet handed out by Pop), so that the association can bound the
// bookkeeping cost of many tiny chunks.
func (r *Reassembly) Chunks() int {
	if r == nil {
		return 0
	}
	return r.chunks
}

// Records returns the number of records that hold what Reassembly keeps:
// one per run of consecutive chunks of a message (a message held complete,
// or begun, whose fragments are gathered in one buffer), and one more per
// fragment of a run whose first fragment has not arrived (each kept
// apart, in a buffer of its own). It is what
// the bookkeeping of held data costs, the count the association charges
// to its receive buffer: a message sent in a thousand tiny fragments,
// received in order, is one record, and cannot fill the buffer with
// bookkeeping before its bytes reach the partial delivery point.
func (r *Reassembly) Records() int {
	if r == nil {
		return 0
	}
	return r.records
}

// BusyStreams returns the number of streams that hold state beyond their
// next SSN: a message under partial delivery, or messages held (complete
// ones waiting behind a partial delivery, or incomplete ones that may
// start one), so that the association can charge their bookkeeping to the
// receive buffer. It is at most Chunks plus the number of partial
// deliveries in progress.
func (r *Reassembly) BusyStreams() int {
	if r == nil {
		return 0
	}
	return r.streams.len()
}

// Len returns the number of messages and pieces ready for delivery. Pop
// returns that many if no chunk is added meanwhile, except at fragment
// interleave level 0 or 1, where a partial delivery that starts blocks
// those behind it.
func (r *Reassembly) Len() int {
	if r == nil {
		return 0
	}
	switch a := r.active; {
	case a == nil:
		return r.ready.len()
	case !a.queued:
		return 0
	case !a.lastE:
		return 1
	}
	return 1 + r.ready.len()
}

// SetPool makes r take its buffers from p and give them back to it, a
// pool shared with others (the associations of an endpoint, say) that
// the caller serialises together with r. Without it r makes a pool of
// its own (limit DefaultPoolLimit) when it first needs one.
func (r *Reassembly) SetPool(p *BufPool) { r.pool = p }

// bufs returns the buffer pool.
func (r *Reassembly) bufs() *BufPool {
	if r.pool == nil {
		r.pool = NewBufPool(DefaultPoolLimit)
	}
	return r.pool
}

// SetPoolLimit sets the number of bytes of free buffers kept for reuse by
// r's pool (see BufPool.SetLimit; shared with the pool's other users).
func (r *Reassembly) SetPoolLimit(n int) { r.bufs().SetLimit(n) }

// Release hands back the Data of a delivered InMessage for reuse. The
// caller must not touch data afterwards. Slices that did not come from
// Pop, or were re-sliced, are left to the garbage collector.
func (r *Reassembly) Release(data []byte) {
	if r != nil {
		r.bufs().Put(data)
	}
}
