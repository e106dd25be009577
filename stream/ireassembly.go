package stream

import (
	"errors"

	"github.com/gensctp/gensctp/chunk"
)

// ErrStaleMessage reports an I-DATA chunk of a message that can no longer
// be delivered: an ordered MID before the stream's next one (delivered,
// or skipped by an I-FORWARD-TSN), or an unordered MID an I-FORWARD-TSN
// skipped. A sender may have had such chunks in flight when it abandoned
// their message (RFC 8260 Section 2.3.1); the association acknowledges
// and drops them. Reassembly is unchanged.
var ErrStaleMessage = errors.New("stream: fragment of a message delivered or skipped")

// maxFSNAhead bounds how far ahead of its message's contiguous part a
// fragment may be: fragments of a message take increasing TSNs (RFC 8260
// Section 2.2.2), and the association accepts TSNs at most 2^15 above its
// cumulative TSN, so a sender never has more fragments of one message
// beyond a missing one in the receive window.
const maxFSNAhead = 1 << 15

// maxSkipBehind is how far behind the latest unordered MID accepted on a
// stream the MID an I-FORWARD-TSN skipped is kept (Reassembly.uskip):
// the sender numbers its unordered messages with a counter of their own
// and serial number arithmetic (RFC 8260 Section 2.1: "the serial number
// arithmetic defined in [RFC1982] using SERIAL_BITS = 32 applies"), so a
// skip left where it was would, 2^31 unordered messages later, make
// every new MID compare below it, and those messages would be dropped as
// stale. No message of the stream still in flight can be that far behind
// the latest one (each takes a TSN within the receive window).
const maxSkipBehind = 1 << 30

// imsgKey identifies an I-DATA message: "the receiver MUST first use the
// SID to identify the stream, consider the U bit to determine if it is
// part of an ordered or unordered message, find the user message
// identified by the MID" (RFC 8260 Section 2.2.3).
type imsgKey struct {
	stream    chunk.StreamID
	unordered bool
	mid       chunk.MID
}

// ifragKey identifies a fragment of an I-DATA message.
type ifragKey struct {
	imsgKey
	fsn chunk.FSN
}

// SetIData switches r to I-DATA chunks (RFC 8260), for an association
// that negotiated user message interleaving: AddI takes the chunks and
// Add must not be used. Call it before the first chunk.
//
// A message is reassembled by stream, U bit and MID, its fragments by
// FSN, whatever their TSNs (RFC 8260 Section 2.2.3: "use the FSN for
// reassembly of the message and not the TSN. The receiver MUST NOT make
// any assumption about the TSN assignments of the sender"), so the
// messages of different streams may interleave. Ordered messages are
// delivered by MID, using its lower-order 16 bits as the SSN (RFC 8260
// Section 4.1), which the receive window keeps unambiguous (see
// maxFSNAhead). Partial delivery, fragment interleave levels and
// ordering work as with DATA. Renege never drops I-DATA chunks: a
// message's chunks are not a run of consecutive TSNs.
func (r *Reassembly) SetIData(on bool) { r.idata = on }

// IData reports whether r takes I-DATA chunks (SetIData).
func (r *Reassembly) IData() bool { return r != nil && r.idata }

// AddI accepts the I-DATA chunk d, whose TSN is tsn, as Add does a DATA
// chunk: it copies d.UserData, and the association calls it once per
// TSN inside its window. It returns ErrEmptyMessage, ErrInvalidStream,
// ErrStaleMessage, or a *FragmentError wrapping ErrInvalidFragment when
// the chunk contradicts the fragments held: an FSN held already, a
// fragment after the E fragment of its message or an E fragment before
// one held, a second message with the MID of an ordered message held
// complete, or an FSN beyond what the receive window allows. On error
// nothing changes.
func (r *Reassembly) AddI(tsn chunk.TSN, d *chunk.IData) error {
	if d == nil || len(d.UserData) == 0 {
		return ErrEmptyMessage
	}
	if int(d.StreamID) >= r.numStreams {
		return ErrInvalidStream
	}
	key := imsgKey{stream: d.StreamID, unordered: d.Flags.Has(chunk.FlagUnordered), mid: d.MID}
	fsn := d.FSN
	if d.Flags.Has(chunk.FlagBeginning) {
		fsn = 0
	}
	if r.staleI(key) {
		return ErrStaleMessage
	}
	x := r.imsgs[key]
	if why := r.checkI(x, key, fsn, d.Flags); why != "" {
		return &FragmentError{TSN: tsn, Stream: d.StreamID, SSN: chunk.SSN(d.MID), MID: d.MID, Reason: why}
	}
	if key.unordered {
		r.trailSkip(key)
	}
	r.insertI(x, key, tsn, fsn, d)
	return nil
}

// staleI reports whether the message key can no longer be delivered
// (ErrStaleMessage). On a stream never used (or reset) nothing is known
// to be delivered, as for DATA; on one whose ordered sequence wrapped to
// 0, the MIDs before it are.
func (r *Reassembly) staleI(key imsgKey) bool {
	if key.unordered {
		skip := r.uskip.get(key.stream)
		return skip != nil && key.mid.LE(*skip)
	}
	return r.ssns.stale(key.stream, chunk.SSN(key.mid))
}

// trailSkip keeps the unordered MID an I-FORWARD-TSN skipped on the
// stream of key, an unordered message accepted (not stale), at most
// maxSkipBehind behind key's MID.
func (r *Reassembly) trailSkip(key imsgKey) {
	if skip := r.uskip.get(key.stream); skip != nil && uint32(key.mid-*skip) > maxSkipBehind {
		*skip = key.mid - maxSkipBehind
	}
}

// checkI returns why the fragment fsn of the message key, held in x (nil
// if none), with flags, is inconsistent, or "".
func (r *Reassembly) checkI(x *run, key imsgKey, fsn chunk.FSN, flags chunk.DataFlags) string {
	e := flags.Has(chunk.FlagEnd)
	if fsn == 0 && !flags.Has(chunk.FlagBeginning) {
		return "FSN 0 without the B bit"
	}
	if x == nil {
		if !key.unordered {
			if y := r.ordered[orderedKey(key.stream, chunk.SSN(key.mid))]; y != nil {
				if y.mid == key.mid {
					return "MID already received"
				}
				return "MID used by another message"
			}
		}
		if uint32(fsn) >= maxFSNAhead {
			return "FSN beyond the receive window"
		}
		return ""
	}
	switch {
	case x.begun && fsn.LT(x.nextFSN), r.ifrags[ifragKey{key, fsn}] != nil:
		return "FSN already held"
	case x.hasEnd && fsn.GT(x.endFSN):
		return "fragment after the E fragment"
	case e && x.hasEnd:
		return "second E fragment"
	case e && x.npend > 0 && x.tail != nil && x.maxPendFSN().GT(fsn):
		return "E fragment before a later fragment"
	case uint32(fsn-x.nextFSN) >= maxFSNAhead:
		return "FSN beyond the receive window"
	}
	return ""
}

// maxPendFSN returns the highest FSN of the fragments x holds ahead.
func (x *run) maxPendFSN() chunk.FSN {
	m := x.head.fsn
	for f := x.head.next; f != nil; f = f.next {
		if f.fsn.GT(m) {
			m = f.fsn
		}
	}
	return m
}

// insertI adds the fragment fsn of the message key (held in x, or new)
// and queues whatever became deliverable.
func (r *Reassembly) insertI(x *run, key imsgKey, tsn chunk.TSN, fsn chunk.FSN, d *chunk.IData) {
	s := r.stream(key.stream)
	defer r.settle(s)
	created := x == nil
	if created {
		x = r.newRun()
		x.stream, x.unordered, x.mid, x.first = key.stream, key.unordered, key.mid, tsn
		if !key.unordered {
			x.ssn = chunk.SSN(key.mid)
		}
	}
	n := len(d.UserData)
	r.buffered += n
	r.chunks++
	if d.Flags.Has(chunk.FlagEnd) {
		x.hasEnd, x.endFSN = true, fsn
	}
	began := d.Flags.Has(chunk.FlagBeginning)
	if began {
		x.begun, x.ppid, x.first = true, d.PPID, tsn
	}
	grew := x.begun && fsn == x.nextFSN
	if grew {
		r.appendI(x, tsn, d.UserData)
		r.pullI(x, key)
	} else {
		r.holdFragI(x, key, tsn, fsn, d.UserData)
	}
	if x.begun && x.hasEnd && x.nextFSN == x.endFSN+1 {
		x.lastE = true
		if !created {
			delete(r.imsgs, key)
		}
		r.complete(s, x)
		return
	}
	if created {
		if r.imsgs == nil {
			r.imsgs = make(map[imsgKey]*run)
		}
		r.imsgs[key] = x
	}
	if began {
		r.track(s, x)
	}
	if grew {
		r.grew(s, x)
	}
}

// appendI appends the user data of the fragment at tsn, the next one of
// the begun message x, to its buffer.
func (r *Reassembly) appendI(x *run, tsn chunk.TSN, data []byte) {
	if len(x.buf) == 0 {
		x.pieceFirst = tsn // the first TSN of the next piece Pop hands out
	}
	x.buf = append(r.bufs().grow(x.buf, len(data)), data...)
	x.last = tsn
	x.nextFSN++
	x.nchunks++
}

// pullI appends to the begun message x the fragments it held ahead that
// now follow its contiguous part.
func (r *Reassembly) pullI(x *run, key imsgKey) {
	for x.npend > 0 {
		k := ifragKey{key, x.nextFSN}
		f := r.ifrags[k]
		if f == nil {
			return
		}
		delete(r.ifrags, k)
		x.unlinkFrag(f)
		x.npend--
		x.bytes -= len(f.data)
		r.appendI(x, f.tsn, f.data)
		r.freeFrag(f)
	}
}

// holdFragI keeps the fragment fsn at tsn of x apart until the fragments
// before it arrive.
func (r *Reassembly) holdFragI(x *run, key imsgKey, tsn chunk.TSN, fsn chunk.FSN, data []byte) {
	f := r.newFrag(data)
	f.tsn, f.fsn = tsn, fsn
	if r.ifrags == nil {
		r.ifrags = make(map[ifragKey]*frag)
	}
	r.ifrags[ifragKey{key, fsn}] = f
	f.prev = x.tail
	x.appendFrag(f)
	x.npend++
	x.bytes += len(data)
}

// unlinkFrag takes f out of the list of fragments x holds ahead.
func (x *run) unlinkFrag(f *frag) {
	if f.prev == nil {
		x.head = f.next
	} else {
		f.prev.next = f.next
	}
	if f.next == nil {
		x.tail = f.prev
	} else {
		f.next.prev = f.prev
	}
	f.next, f.prev = nil, nil
}

// forgetI frees what the I-DATA message x holds apart from its buffer
// (the fragments held ahead) and takes it out of Reassembly.imsgs.
func (r *Reassembly) forgetI(x *run) {
	key := imsgKey{stream: x.stream, unordered: x.unordered, mid: x.mid}
	if r.imsgs[key] == x {
		delete(r.imsgs, key)
	}
	for f := x.head; f != nil; {
		next := f.next
		delete(r.ifrags, ifragKey{key, f.fsn})
		r.freeFrag(f)
		f = next
	}
	x.head, x.tail = nil, nil
	r.buffered -= x.bytes
	r.chunks -= x.npend
	x.bytes, x.npend = 0, 0
}

// dropIData frees the user data of the I-DATA message x (dropData).
func (r *Reassembly) dropIData(x *run) {
	r.forgetI(x)
	r.buffered -= len(x.buf)
	r.bufs().Put(x.buf)
	x.buf = nil
}
