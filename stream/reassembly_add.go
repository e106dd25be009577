package stream

import "github.com/gensctp/gensctp/chunk"

// Add accepts the DATA chunk d, whose TSN is tsn (d.TSN is not read, so a
// caller may pass an I-DATA-derived or rewritten TSN). It copies
// d.UserData: the caller may reuse the packet buffer once Add returns.
//
// The association calls Add once per TSN, for chunks inside its window
// only: it drops duplicates and TSNs at or below its cumulative TSN ack
// point first (RFC 9260 Section 6.2), and enforces the receive buffer
// (see Reassembly). Reassembly detects a repeated TSN only when it still
// holds that TSN at the edge of a run of fragments.
//
// Add returns ErrEmptyMessage for a chunk without user data,
// ErrInvalidStream for a stream at or above Streams (the association then
// reports "Invalid Stream Identifier", RFC 9260 Section 6.5), and a
// *FragmentError wrapping ErrInvalidFragment when the chunk contradicts
// the chunks held: B and E bits that do not fit its neighbours in TSN
// order, a neighbour of the same message on another stream, with another
// U bit or (ordered) another SSN, an ordered SSN already delivered or
// already begun by another message, or a TSN held already. On error
// nothing changes. The PPID of fragments after the first is not checked:
// the message takes the PPID of its B fragment.
func (r *Reassembly) Add(tsn chunk.TSN, d *chunk.Data) error {
	if d == nil || len(d.UserData) == 0 {
		return ErrEmptyMessage
	}
	if int(d.StreamID) >= r.numStreams {
		return ErrInvalidStream
	}
	left, right, why := r.neighbours(tsn, d)
	if why != "" {
		return &FragmentError{TSN: tsn, Stream: d.StreamID, SSN: d.SSN, Reason: why}
	}
	r.insert(tsn, d, left, right)
	return nil
}

// neighbours finds the runs that chunk d at tsn joins: left ends at tsn-1
// and continues into d, right starts at tsn+1 and continues d. It checks
// the rules of message framing and returns a reason if d breaks one.
//
// RFC 9260 Section 6.9 requires consecutive TSNs within a message ("The
// transmitter MUST then assign, in sequence, a separate TSN to each of the
// DATA chunks in the series.") and B/E framing ("The transmitter MUST also
// set the B/E bits of the first DATA chunk in the series to 10, the B/E
// bits of the last DATA chunk in the series to 01, and the B/E bits of all
// other DATA chunks in the series to 00."), so a chunk without the E bit
// is followed by the next fragment of its message, and a chunk after one
// with the E bit begins a message.
func (r *Reassembly) neighbours(tsn chunk.TSN, d *chunk.Data) (left, right *run, why string) {
	b := d.Flags.Has(chunk.FlagBeginning)
	e := d.Flags.Has(chunk.FlagEnd)
	u := d.Flags.Has(chunk.FlagUnordered)
	if !u {
		// Nothing is known to be delivered on a stream never used.
		if r.ssns.stale(d.StreamID, d.SSN) {
			return nil, nil, "SSN already delivered"
		}
	}
	if r.byFirst[tsn] != nil || r.byLast[tsn] != nil {
		return nil, nil, "TSN already held"
	}
	if x := r.byFirst[tsn-1]; x != nil && x.last != tsn-1 {
		return nil, nil, "TSN already held"
	}
	if x := r.byLast[tsn+1]; x != nil && x.first != tsn+1 {
		return nil, nil, "TSN already held"
	}
	if left = r.byLast[tsn-1]; left != nil {
		switch {
		case left.lastE && !b:
			return nil, nil, "no B bit after the end of a message"
		case left.lastE:
			left = nil
		case b && r.abandonable:
			left = nil // the message before was abandoned (see SetAbandonable)
		case b:
			return nil, nil, "B bit before the end of the previous message"
		default:
			if why := left.mismatch(d, u); why != "" {
				return nil, nil, why
			}
		}
	}
	if right = r.byFirst[tsn+1]; right != nil {
		switch {
		case right.begun && !e && r.abandonable:
			right = nil // d's message was abandoned (see SetAbandonable)
		case right.begun && !e:
			return nil, nil, "no E bit before the start of a message"
		case right.begun:
			right = nil
		case e:
			return nil, nil, "E bit before the next fragment of the message"
		default:
			if why := right.mismatch(d, u); why != "" {
				return nil, nil, why
			}
		}
	}
	if b && !u && r.ordered[orderedKey(d.StreamID, d.SSN)] != nil {
		return nil, nil, "SSN used by another message"
	}
	return left, right, ""
}

// mismatch returns why d cannot be a fragment of the message of x.
func (x *run) mismatch(d *chunk.Data, unordered bool) string {
	switch {
	case x.stream != d.StreamID:
		return "stream differs from the adjacent fragment"
	case x.unordered != unordered:
		return "U bit differs from the adjacent fragment"
	case !unordered && x.ssn != d.SSN:
		return "SSN differs from the adjacent fragment"
	}
	return ""
}

// insert adds d at tsn, joining left and right (either may be nil), and
// queues whatever became deliverable.
func (r *Reassembly) insert(tsn chunk.TSN, d *chunk.Data, left, right *run) {
	s := r.stream(d.StreamID)
	defer r.settle(s)
	n := len(d.UserData)
	r.buffered += n
	r.chunks++
	if left != nil {
		delete(r.byLast, left.last)
	}
	if right != nil {
		delete(r.byFirst, right.first)
		delete(r.byLast, right.last)
		r.unhold(right) // before x's last TSN, its place in held, changes
	}
	x := left
	if x == nil {
		x = r.newRun()
		x.stream, x.ssn, x.ppid = d.StreamID, d.SSN, d.PPID
		x.unordered = d.Flags.Has(chunk.FlagUnordered)
		x.begun = d.Flags.Has(chunk.FlagBeginning)
		x.first, x.pieceFirst = tsn, tsn
	}
	x.last, x.lastE = tsn, d.Flags.Has(chunk.FlagEnd)
	x.nchunks++
	if x.begun {
		extra := n
		if right != nil {
			extra += right.bytes
		}
		x.buf = append(r.bufs().grow(x.buf, extra), d.UserData...)
	} else {
		x.appendFrag(r.newFrag(d.UserData))
		x.bytes += n
	}
	if right != nil {
		r.absorb(x, right)
	}
	if x.begun && x.lastE {
		if left != nil {
			delete(r.byFirst, x.first)
		}
		r.complete(s, x)
		r.hold(x)
		return
	}
	if r.byLast == nil {
		r.byFirst, r.byLast = make(map[chunk.TSN]*run), make(map[chunk.TSN]*run)
	}
	r.byLast[x.last] = x
	if left == nil {
		r.byFirst[x.first] = x
		if x.begun {
			r.track(s, x)
		}
	}
	if x.begun {
		r.grew(s, x)
	}
	r.hold(x)
}

// absorb appends the fragments of the run y, which follows x in TSN order,
// to x and frees y.
func (r *Reassembly) absorb(x, y *run) {
	if x.begun {
		for f := y.head; f != nil; {
			x.buf = append(x.buf, f.data...)
			next := f.next
			r.freeFrag(f)
			f = next
		}
	} else {
		x.tail.next = y.head
		x.tail = y.tail
		x.bytes += y.bytes
	}
	y.head, y.tail = nil, nil
	x.last, x.lastE = y.last, y.lastE
	x.nchunks += y.nchunks
	r.freeRun(y)
}

// appendFrag links f at the end of x's fragment list.
func (x *run) appendFrag(f *frag) {
	if x.tail == nil {
		x.head = f
	} else {
		x.tail.next = f
	}
	x.tail = f
}

// track records a new begun, incomplete run with its stream: ordered runs
// by SSN, unordered ones in the stream's list of partial delivery
// candidates.
func (r *Reassembly) track(s *recvStream, x *run) {
	if !x.unordered {
		r.setOrdered(x)
		return
	}
	x.uidx = len(s.unord)
	s.unord = append(s.unord, x)
}

// untrack undoes track for an unordered run (ordered runs stay in
// Reassembly.ordered until they are queued for delivery).
func (r *Reassembly) untrack(s *recvStream, x *run) {
	if x.uidx >= 0 {
		dropAt(&s.unord, x)
	}
}

// dropAt removes x from the list l, where it is at x.uidx, moving the last
// run of l in its place, and sets x.uidx to -1.
func dropAt(l *[]*run, x *run) {
	last := len(*l) - 1
	(*l)[x.uidx] = (*l)[last]
	(*l)[x.uidx].uidx = x.uidx
	(*l)[last] = nil
	*l = (*l)[:last]
	x.uidx = -1
}

// newRun returns a zeroed run from the free list.
func (r *Reassembly) newRun() *run {
	r.records++
	if x := popFree(&r.freeRuns); x != nil {
		return x
	}
	return &run{uidx: -1}
}

// freeRun clears x and puts it on the free list. Its buffer must have been
// handed out or released already.
func (r *Reassembly) freeRun(x *run) {
	r.records--
	r.unhold(x)
	*x = run{uidx: -1}
	if len(r.freeRuns) < maxFree {
		r.freeRuns = append(r.freeRuns, x)
	}
}

// stream returns the state of stream id, creating it (from the free list)
// if the stream is idle.
func (r *Reassembly) stream(id chunk.StreamID) *recvStream {
	if s := r.streams.get(id); s != nil {
		return s
	}
	s := popFree(&r.freeRecv)
	if s == nil {
		s = new(recvStream)
	}
	s.id = id
	r.streams.put(id, s)
	return s
}

// idle reports whether stream s holds nothing beyond its next SSN: no
// partial delivery, no held or incomplete unordered message, and no
// ordered message begun at its next SSN (which a lower partial delivery
// point may start delivering). Ordered messages further ahead need no
// stream state: they are found by SSN once their turn comes.
func (r *Reassembly) idle(s *recvStream) bool {
	return s.pd == nil && len(s.held) == 0 && len(s.unord) == 0 &&
		(len(r.ordered) == 0 || r.ordered[orderedKey(s.id, r.ssns.get(s.id))] == nil)
}

// settle frees the state of stream s if it is idle, so that a stream
// costs only its next SSN between messages, and keeps the record (with
// short lists) for reuse.
func (r *Reassembly) settle(s *recvStream) {
	if !r.idle(s) {
		return
	}
	r.streams.remove(s.id)
	if len(r.freeRecv) >= maxFreeStreams {
		return
	}
	held, unord := s.held[:0], s.unord[:0]
	if cap(held) > maxKeptCap {
		held = nil
	}
	if cap(unord) > maxKeptCap {
		unord = nil
	}
	*s = recvStream{held: held, unord: unord}
	r.freeRecv = append(r.freeRecv, s)
}

// popFree removes and returns the last entry of the free list l, or nil.
func popFree[T any](l *[]*T) *T {
	n := len(*l)
	if n == 0 {
		return nil
	}
	v := (*l)[n-1]
	(*l)[n-1] = nil
	*l = (*l)[:n-1]
	return v
}

// newFrag returns a fragment holding a copy of data.
func (r *Reassembly) newFrag(data []byte) *frag {
	r.records++
	f := popFree(&r.freeFrags)
	if f == nil {
		f = new(frag)
	}
	f.data = append(r.bufs().Get(len(data)), data...)
	return f
}

// freeFrag releases f's buffer and puts f on the free list.
func (r *Reassembly) freeFrag(f *frag) {
	r.records--
	r.bufs().Put(f.data)
	*f = frag{}
	if len(r.freeFrags) < maxFree {
		r.freeFrags = append(r.freeFrags, f)
	}
}
