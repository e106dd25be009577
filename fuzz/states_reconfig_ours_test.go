package fuzz

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
)

// Our requests of RFC 6525 beyond ResetStreams in FuzzStates (opResetDir,
// opResetAssoc, opAddStreams), and their invariants:
//
//   - a call fails only with an error of a documented kind (errors.Is),
//     ErrReconfigInProgress only while a request of ours is in progress;
//   - every request accepted ends with its event (a StreamResetEvent
//     with StreamResetIncoming, an AssocResetEvent, a StreamChangeEvent
//     per direction asked for) unless the association ends: an
//     established, idle association has none pending (resetStuck);
//   - the stream counts of a StreamChangeEvent are those of Status(), and
//     an outgoing stream asked for is refused (ErrInvalidStream) until
//     the peer granted it, usable after;
//   - after an SSN/TSN reset performed, the first ordered message each
//     end delivers on a stream from the new TSNs on has SSN 0.

// oursPending is what requests of ours accepted wait for on an
// association: events of each kind; in the streams of each Incoming SSN
// Reset Request (nil: all), oldest first.
type oursPending struct {
	in    [][]chunk.StreamID
	assoc int
	// addOut and addIn are the Add Outgoing and Add Incoming Streams
	// Requests, oldest first, each as the association's stream count in
	// its direction when it was asked for.
	addOut, addIn []uint16
	// outReq and inReq number the requests of addOut and addIn in the
	// order asked for (one AddStreams call asking for both gives both
	// the same number), from reqs.
	outReq, inReq []int
	reqs          int
	// reqTag is the peer's verification tag when each request was asked
	// for, by number: a restart ends the requests of the peer before it.
	reqTag []chunk.VerificationTag
}

// restarted drops the Add Streams Requests asked for before the peer
// restarted to the tag peer (a restart ends them with one
// StreamChangeEvent flagged ReconfigFailed, polled before the Restart
// event, TestReconfigRequestsPeerRestart); those asked for after it,
// before its event was polled, stay (FuzzStates input b4a12b69e9d4f084).
func (p *oursPending) restarted(peer chunk.VerificationTag) {
	keep := func(ns []uint16, reqs []int) ([]uint16, []int) {
		var kn []uint16
		var kr []int
		for i, r := range reqs {
			if p.reqTag[r] == peer {
				kn, kr = append(kn, ns[i]), append(kr, r)
			}
		}
		return kn, kr
	}
	p.addOut, p.outReq = keep(p.addOut, p.outReq)
	p.addIn, p.inReq = keep(p.addIn, p.inReq)
}

// changeDone takes the request of ours that the StreamChangeEvent ev
// ends, if any: a refusal ends one (RFC 6525 Section 5.2.7); more
// outgoing streams end an Add Outgoing Streams Request, more incoming
// ones an Add Incoming Streams Request (the peer's Add Outgoing Streams
// Request performs it, Section 5.2.6). More incoming streams with no
// Add Incoming Streams Request of ours are the peer's own addition,
// which ends none. Requests go one at a time, so that a refusal ends a
// part of the oldest request, whichever of its directions it was (FuzzStates
// input 0fc38334b7fe4def: an Add Incoming Streams Request refused, an Add
// Outgoing one asked for before the event was polled).
func (p *oursPending) changeDone(ev *association.StreamChangeEvent) {
	switch {
	case ev.Flags != 0 && len(p.addOut) > 0 && (len(p.addIn) == 0 || p.outReq[0] <= p.inReq[0]):
		p.addOut, p.outReq = p.addOut[1:], p.outReq[1:]
	case ev.Flags != 0 && len(p.addIn) > 0:
		p.addIn, p.inReq = p.addIn[1:], p.inReq[1:]
	case ev.Flags != 0:
	default:
		if len(p.addOut) > 0 && ev.OutStreams > p.addOut[0] {
			p.addOut, p.outReq = p.addOut[1:], p.outReq[1:]
		}
		if len(p.addIn) > 0 && ev.InStreams > p.addIn[0] {
			p.addIn, p.inReq = p.addIn[1:], p.inReq[1:]
		}
	}
}

// incomingDone takes the Incoming SSN Reset Request of ours that the
// StreamResetIncoming event ev ends, if any: a failure names the
// request's streams; a success is the peer's Outgoing SSN Reset Request
// performing it, with those streams or more (RFC 6525 Section 5.2.3:
// "Nothing to do" when a reset of the peer's own already covered them).
// A reset of the peer's own that does not cover the request's streams
// ends none: the request is still in progress.
func (p *oursPending) incomingDone(ev *association.StreamResetEvent) {
	failed := ev.Flags&(association.StreamResetDenied|association.StreamResetFailed) != 0
	for i, ids := range p.in {
		if failed && slices.Equal(ids, ev.Streams) || !failed && covers(ev.Streams, ids) {
			p.in = slices.Delete(p.in, i, i+1)
			return
		}
	}
}

// covers reports whether the stream list got (empty: all streams) has
// every stream of asked (empty: all streams).
func covers(got, asked []chunk.StreamID) bool {
	if len(got) == 0 {
		return true
	}
	if len(asked) == 0 {
		return false
	}
	for _, id := range asked {
		if !slices.Contains(got, id) {
			return false
		}
	}
	return true
}

// ssnReset is an SSN/TSN reset performed at one end: the messages from
// the TSN from on are of the new sequence; seen the streams that
// delivered an ordered one since.
type ssnReset struct {
	from chunk.TSN
	seen map[chunk.StreamID]bool
}

// maxRecent is how many of the last messages an association delivered
// the harness keeps (recentDelivered).
const maxRecent = 64

// recentDelivered keeps message m that a delivered among its last
// maxRecent, and checks it against an SSN/TSN reset performed.
func (w *world) recentDelivered(s int, a *association.Association, m association.Message) {
	r := append(w.pr.recent[a], m)
	if len(r) > maxRecent {
		r = slices.Delete(r, 0, len(r)-maxRecent)
	}
	w.pr.recent[a] = r
	w.ssnAfterReset(s, a, m)
}

// resetDir has side s reset the streams of mask (all if none) incoming,
// or both ways (ResetStreamsDir).
func (w *world) resetDir(s int, dir, mask byte) {
	a := w.end(s)
	if a == nil {
		return
	}
	flags := association.StreamResetIncoming
	if dir&1 != 0 {
		flags |= association.StreamResetOutgoing
	}
	var ids []chunk.StreamID
	for i := range chunk.StreamID(5) {
		if mask&(1<<i) != 0 {
			ids = append(ids, i)
		}
	}
	err := a.ResetStreamsDir(w.p.Now, flags, ids)
	w.oursResult(s, "ResetStreamsDir", err, association.ErrInvalidStream)
	if err == nil {
		w.pr.ours(a).in = append(w.pr.ours(a).in, ids)
		if flags&association.StreamResetOutgoing != 0 {
			w.pr.resetting[a] = append(w.pr.resetting[a], pendingReset{ids: ids})
		}
	}
}

// resetAssoc has side s reset the association's TSNs and SSNs.
func (w *world) resetAssoc(s int) {
	a := w.end(s)
	if a == nil {
		return
	}
	err := a.ResetAssoc(w.p.Now)
	w.oursResult(s, "ResetAssoc", err, association.ErrResetAssocTooSoon)
	if err == nil {
		w.pr.ours(a).assoc++
	}
}

// addStreams has side s ask for out and in more streams (0 to 3 each),
// and checks that the first outgoing stream asked for is not usable yet.
func (w *world) addStreams(s int, out, in byte) {
	a := w.end(s)
	if a == nil {
		return
	}
	nOut, nIn := uint16(out%4), uint16(in%4)
	err := a.AddStreams(w.p.Now, nOut, nIn)
	w.oursResult(s, "AddStreams", err, association.ErrNoStreamsToAdd, association.ErrTooManyStreams)
	if err != nil {
		return
	}
	p := w.pr.ours(a)
	o, i := a.Streams()
	if nOut > 0 {
		p.addOut, p.outReq = append(p.addOut, o), append(p.outReq, p.reqs)
	}
	if nIn > 0 {
		p.addIn, p.inReq = append(p.addIn, i), append(p.inReq, p.reqs)
	}
	_, peer := a.Tags()
	p.reqTag = append(p.reqTag, peer)
	p.reqs++
	if o, _ := a.Streams(); nOut > 0 {
		w.probeStream(s, chunk.StreamID(o), false)
	}
}

// probeStream sends a message on stream id of side s, which must be
// refused as an invalid stream unless usable.
func (w *world) probeStream(s int, id chunk.StreamID, usable bool) {
	err := w.sendInfo(s, association.SendInfo{Stream: id, Unordered: true}, 8)
	if refused := errors.Is(err, association.ErrInvalidStream); refused == usable {
		w.fail("side %d: stream %d usable %v, send: %v", s, id, usable, err)
	}
}

// oursResult checks the error of a request of side s: nil, one of the
// errors every request may give, or one of more.
func (w *world) oursResult(s int, what string, err error, more ...error) {
	if err == nil {
		return
	}
	if errors.Is(err, association.ErrReconfigInProgress) {
		a := w.end(s)
		if !w.pr.busy(a) && !w.forged {
			w.fail("side %d: %s: %v, and no request of ours in progress", s, what, err)
		}
		return
	}
	known := append([]error{association.ErrNotEstablished, association.ErrReconfigNotSupported}, more...)
	for _, k := range known {
		if errors.Is(err, k) {
			return
		}
	}
	w.fail("side %d: %s: error of no documented kind: %v", s, what, err)
}

// ours returns what the requests of a wait for.
func (pw *prWorld) ours(a *association.Association) *oursPending {
	p := pw.pending[a]
	if p == nil {
		p = &oursPending{}
		pw.pending[a] = p
	}
	return p
}

// waiting reports whether a request of a's user waits for its event.
func (pw *prWorld) waiting(a *association.Association) bool {
	p := pw.pending[a]
	return len(pw.resetting[a]) > 0 || p != nil && (len(p.in) > 0 || p.assoc > 0 || len(p.addOut) > 0 || len(p.addIn) > 0)
}

// assocResetInFlight reports whether an SSN/TSN Reset Request of a's is
// on its way and not answered: the peer's data is held until its answer
// (RFC 6525 Section 5.2.4 G2, G5: it may be of either sequence).
func (pw *prWorld) assocResetInFlight(a *association.Association) bool {
	for _, q := range pw.inFlight[a] {
		if _, ok := q.(*chunk.SSNTSNResetRequest); ok {
			return true
		}
	}
	return false
}

// waitsFor describes what a's requests wait for, for a wedge's report.
func (pw *prWorld) waitsFor(a *association.Association) string {
	if !pw.waiting(a) {
		return "nothing"
	}
	p := pw.ours(a)
	return fmt.Sprintf("outgoing resets %v, incoming %v, SSN/TSN resets %d, added streams out %v in %v",
		pw.resetting[a], p.in, p.assoc, p.addOut, p.addIn)
}

// busy reports whether a request of a's user waits for its event, or a
// request of a's performing one of its peer's may be in progress.
func (pw *prWorld) busy(a *association.Association) bool {
	return pw.waiting(a) || pw.performs[a] || len(pw.inFlight[a]) > 0
}

// peerAsks notes a request p delivered to a that a performs with a
// request of its own (an Incoming SSN Reset Request, which may also reset
// its outgoing streams unasked, or an Add Incoming Streams Request).
// Noted as delivered, not as sent: a request held back may reach another
// association of the peer than the one it was sent to (FuzzStates input
// 6dca798e65f9a7a9: the peer's next one, set up from a COOKIE ECHO).
func (w *world) peerAsks(a *association.Association, p chunk.Param) {
	switch p := p.(type) {
	case *chunk.IncomingSSNResetRequest:
		w.pr.performs[a] = true
		if k := (inKey{a: a, seq: p.ReqSeq}); !w.pr.inSeen[k] {
			w.pr.inSeen[k] = true
			w.pr.inAsked[a]++
		}
	case *chunk.AddIncomingStreams:
		w.pr.performs[a] = true
	}
}

// oursEvent checks an event that side s polled against the requests of
// ours in progress.
func (w *world) oursEvent(s int, d association.Delivery) {
	a := w.end(s)
	p := w.pr.ours(a)
	switch ev := d.Event.(type) {
	case nil:
		w.recentDelivered(s, a, d.Message)
	case *association.StreamResetEvent:
		if ev.Flags&association.StreamResetIncoming != 0 {
			p.incomingDone(ev)
		}
	case *association.AssocResetEvent:
		if p.assoc > 0 {
			p.assoc--
		}
		if ev.Flags == 0 {
			w.pr.ssnReset[a] = &ssnReset{from: ev.RemoteTSN, seen: map[chunk.StreamID]bool{}}
			// The peer's DATA of the new sequence may come before the
			// answer of the request that performs it (FuzzStates input
			// reset-assoc-peer-data-before-answer): it is held until
			// the answer, and no message of the new sequence is
			// delivered before its event. The old sequence's are
			// behind the new, or 2^31 away at the end that performed the
			// peer's request (RFC 6525 Section 5.2.4 G1). Not if an
			// event was dropped: a reset event's clearing of the
			// messages before was lost.
			for _, m := range w.pr.recent[a] {
				if m.TSN.Sub(ev.RemoteTSN) < 1<<30 && !w.forged && a.Stats().DroppedEvents == 0 {
					w.fail("side %d: message on stream %d at TSN %d of the new sequence (from %d) delivered before the SSN/TSN reset event",
						s, m.Stream, m.TSN, ev.RemoteTSN)
				}
			}
		}
		// The messages before are of sequences that ended: those of two
		// resets ago may be anywhere from the next one.
		w.pr.recent[a] = w.pr.recent[a][:0]
	case *association.StreamChangeEvent:
		p.changeDone(ev)
		// The counts are those of Status once no event polled since:
		// the last event of a step reports them all.
		// Not if later events were dropped (TestReconfigEventsBounded).
		st := a.Status()
		if a.Pending() == 0 && !w.forged && a.Stats().DroppedEvents == 0 && (st.InStreams != ev.InStreams || st.OutStreams != ev.OutStreams) {
			w.fail("side %d: stream change event %+v, status in %d out %d", s, ev, st.InStreams, st.OutStreams)
		}
		if ev.Flags == 0 && a.Pending() == 0 && ev.OutStreams > 0 {
			w.probeStream(s, chunk.StreamID(ev.OutStreams-1), true)
		}
	case *association.AssocChange:
		// A restart begins new sequences too (RFC 9260 Section 5.2.4).
		w.pr.recent[a] = w.pr.recent[a][:0]
		switch ev.State {
		case association.CommUp:
		case association.Restart:
			// A restart of the peer ends an addition of streams with
			// one StreamChangeEvent flagged ReconfigFailed for both
			// directions, polled before this one
			// (TestReconfigRequestsPeerRestart), and none for an Add
			// Incoming Streams Request the peer answered but had not
			// performed yet.
			_, peer := a.Tags()
			p.restarted(peer)
			// The requests of the association start again from its
			// Initial TSN (RFC 6525 Section 5.1.1), to a peer whose tag
			// may be one seen before: an earlier incarnation of the
			// peer that restarted it again (an old INIT or COOKIE ECHO
			// of the peer's, FuzzStates input 6750f83d6ab7e6b0).
			maps.DeleteFunc(w.pr.req, func(k prKey, _ []reqSent) bool { return k.a == a })
			delete(w.pr.inFlight, a)
		default:
			delete(w.pr.pending, a)
		}
	}
}

// ssnAfterReset checks that the first ordered message of the new
// sequence that side s delivers on a stream after an SSN/TSN reset has
// SSN 0.
func (w *world) ssnAfterReset(s int, a *association.Association, m association.Message) {
	r := w.pr.ssnReset[a]
	if r == nil || m.Unordered || m.TSN.LT(r.from) || r.seen[m.Stream] || w.forged {
		return
	}
	r.seen[m.Stream] = true
	local, _ := a.Tags()
	if f, ok := w.pr.fwdIn[prKey{a: a, tag: local}]; ok && f.GE(r.from) {
		// A FORWARD TSN of the new sequence may have skipped the
		// stream's first messages, abandoned (input 97feea67c42a345d).
		return
	}
	if m.SSN != 0 {
		w.fail("side %d: first message on stream %d after the SSN/TSN reset (TSN %d, from %d) has SSN %d",
			s, m.Stream, m.TSN, r.from, m.SSN)
	}
}

// tsnsReset forgets the TSNs recorded of association a once the answer r
// performed an SSN/TSN Reset Request (RFC 6525 Section 5.2.4, 5.2.7 H5):
// its TSNs go on from new numbers both ways. The end that performs the
// request starts them as it sends the answer, the one that asked as the
// answer arrives: what the first sent after its answer is recorded
// under the new numbers, and stays when the answer arrives.
func (w *world) tsnsReset(a *association.Association, r *chunk.ReconfigResponse) {
	if !r.HasTSNs || r.Result != chunk.ReconfigSuccessPerformed || a == nil {
		return
	}
	of := func(k cumKey, _ chunk.TSN) bool { return k.a == a }
	maps.DeleteFunc(w.cum, of)
	maps.DeleteFunc(w.pr.fwd, of)
	maps.DeleteFunc(w.pr.fwdIn, of)
	maps.DeleteFunc(w.pr.highData, of)
}

// tsnsResetArrived is tsnsReset at a, the end that asked, which performs
// the reset as the answer r arrives: the link reports the delivery once
// a has processed it, and what a sent and acknowledged in the new
// sequences since (its data held back until the answer, a FORWARD TSN
// abandoning some of it, input f7c8d7063ae0845e) stays recorded: a's
// TSNs from the Receiver's Next TSN on, the peer's from the Sender's
// Next TSN on.
func (w *world) tsnsResetArrived(a *association.Association, r *chunk.ReconfigResponse) {
	if !r.HasTSNs || r.Result != chunk.ReconfigSuccessPerformed || a == nil {
		return
	}
	from := func(first chunk.TSN) func(cumKey, chunk.TSN) bool {
		return func(k cumKey, t chunk.TSN) bool { return k.a == a && t.Sub(first-1) >= 1<<30 }
	}
	maps.DeleteFunc(w.cum, from(r.SenderNextTSN))
	maps.DeleteFunc(w.pr.fwd, from(r.ReceiverNextTSN))
	maps.DeleteFunc(w.pr.fwdIn, from(r.SenderNextTSN))
	maps.DeleteFunc(w.pr.highData, from(r.ReceiverNextTSN))
}

// answerArrived sees the answer r delivered to a: a request of a's that
// it answers is no longer in flight, unless it is "In progress". An
// Incoming SSN Reset Request of ours answered "Nothing to do" ends
// without an event of its own: the peer's Outgoing SSN Reset Request
// that covers it brings the only one (RFC 6525 Section 5.2.3), which
// may have ended an earlier request of ours.
func (w *world) answerArrived(a *association.Association, r *chunk.ReconfigResponse) {
	q, ok := w.pr.inFlight[a][r.RespSeq]
	if !ok || r.Result == chunk.ReconfigInProgress {
		return
	}
	delete(w.pr.inFlight[a], r.RespSeq)
	if r.Result == chunk.ReconfigErrorBadSequenceNumber {
		if w.pr.badSeq[a] == nil {
			w.pr.badSeq[a] = map[uint32]bool{}
		}
		w.pr.badSeq[a][r.RespSeq] = true
	}
	if in, ok := q.(*chunk.IncomingSSNResetRequest); ok && r.Result == chunk.ReconfigSuccessNothingToDo {
		p := w.pr.ours(a)
		if i := slices.IndexFunc(p.in, func(ids []chunk.StreamID) bool { return slices.Equal(ids, in.Streams) }); i >= 0 {
			p.in = slices.Delete(p.in, i, i+1)
		}
	}
}

// reconfigDelivered sees a RE-CONFIG chunk c the link delivered to a.
func (w *world) reconfigDelivered(a *association.Association, c packet.Raw) {
	var rc chunk.ReConfig
	if _, err := rc.Parse(c.Bytes); err != nil {
		return
	}
	for _, p := range rc.Params {
		w.peerAsks(a, p)
		if r, ok := p.(*chunk.ReconfigResponse); ok {
			if _, ok := w.pr.inFlight[a][r.RespSeq]; ok {
				// The first answer to a request of a's in flight: a
				// copy of it, or an answer sent again, changes nothing.
				w.tsnsResetArrived(a, r)
			}
			w.answerArrived(a, r)
		}
	}
}
