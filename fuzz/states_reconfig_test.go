package fuzz

import (
	"encoding/binary"
	"errors"
	"slices"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
)

// Partial reliability (RFC 3758, RFC 7496) and stream reconfiguration
// (RFC 6525) in FuzzStates: user operations that send with a policy and
// reset streams (opSendPR, opReset), forged FORWARD TSN and RE-CONFIG
// chunks (genChunk), and their invariants, seen on the link and in the
// events:
//
//   - a FORWARD TSN never skips a TSN its sender did not assign, and its
//     New Cumulative TSN never goes backwards within an association;
//   - once an end received a FORWARD TSN, its Cumulative TSN Ack is not
//     behind it (RFC 3758 Section 3.6: the receiver "MUST update its
//     cumulative TSN point to the value carried in the FORWARD TSN");
//   - an end numbers its RE-CONFIG requests one after the other, a
//     retransmission repeating the last one exactly (RFC 6525 Section
//     5.1.1), and answers a request it answered before the same way
//     (Section 5.2.1), "In progress" only before the final answer;
//   - a message handed back unsent is never delivered;
//   - a send to a stream being reset fails with ErrStreamResetting, and
//     only then (a stream is not reused before its reset completes);
//   - every reset the user asked for ends with its event: an established,
//     idle association has no stream stuck resetting (see settle).

// prKey names one association's traffic towards one peer tag.
type prKey = cumKey

// inKey is a peer's Incoming SSN Reset Request delivered to an end.
type inKey struct {
	a   *association.Association
	seq uint32
}

// prWorld is the PR-SCTP and RE-CONFIG state of a world.
type prWorld struct {
	// fwd is the highest New Cumulative TSN each end sent, fwdIn the
	// highest each end received (keyed by the receiver and its own tag).
	fwd, fwdIn map[prKey]chunk.TSN
	// highData is the highest DATA TSN each end sent, or the one after
	// it when that DATA chunk was not a message's last fragment.
	highData map[prKey]chunk.TSN
	// req are the RE-CONFIG request parameters each end sent last, in
	// one chunk; reqSeq[s] the last number side s used.
	req    map[prKey][]reqSent
	reqSeq [2]uint32
	hasReq [2]bool
	// answers are the results each end gave, by request number.
	answers map[ansKey]chunk.ReconfigResult
	// resetting maps an association to the streams of the resets it
	// accepted whose events were not polled yet, oldest first (a nil
	// list: all streams); more than one only while Z's user does not read.
	resetting map[*association.Association][]pendingReset
	// unsent are the messages handed back unsent, failed all those
	// handed back, delivered those delivered, by message id; sentIDs the
	// messages each end's Send accepted.
	unsent, failed, delivered map[uint32]bool
	sentIDs                   [2][]uint32
	// ends are the associations seen on each side; aborted: the user of
	// one aborted.
	ends    [2]map[*association.Association]bool
	aborted bool
	// pending are the events the requests of ours beyond ResetStreams
	// wait for, ssnReset the SSN/TSN resets performed, by association.
	pending  map[*association.Association]*oursPending
	ssnReset map[*association.Association]*ssnReset
	// recent are the last messages each association delivered
	// (recentDelivered).
	recent map[*association.Association][]association.Message
	// inAsked counts the Incoming SSN Reset Requests of the peer of an
	// association accepted: each may reset its outgoing streams unasked.
	inAsked map[*association.Association]int
	// inSeen are the Incoming SSN Reset Requests counted in inAsked.
	inSeen map[inKey]bool
	// performs: the peer of an association asked it for a request of
	// its own (an Incoming SSN Reset or Add Incoming Streams Request),
	// which may be in progress.
	performs map[*association.Association]bool
	// inFlight are the requests an association sent, by number, that
	// no answer other than "In progress" reached yet.
	inFlight map[*association.Association]map[uint32]chunk.Param
	// badSeq are the requests of an association answered "Error - Bad
	// Sequence Number".
	badSeq map[*association.Association]map[uint32]bool
	// initTSN is the Initial TSN of the last INIT or INIT ACK each side
	// sent (hasInit).
	initTSN [2]uint32
	hasInit [2]bool
}

// pendingReset is a reset the user asked for: its streams (nil: all).
type pendingReset struct {
	ids []chunk.StreamID
}

// reqSent is a request an end sent.
type reqSent struct {
	seq uint32
	raw string
}

// ansKey names an end's answer to one request.
type ansKey struct {
	k   prKey
	seq uint32
}

func newPRWorld() prWorld {
	return prWorld{fwd: map[prKey]chunk.TSN{}, fwdIn: map[prKey]chunk.TSN{}, highData: map[prKey]chunk.TSN{},
		req: map[prKey][]reqSent{}, inFlight: map[*association.Association]map[uint32]chunk.Param{},
		badSeq: map[*association.Association]map[uint32]bool{}, answers: map[ansKey]chunk.ReconfigResult{},
		resetting: map[*association.Association][]pendingReset{}, unsent: map[uint32]bool{}, failed: map[uint32]bool{},
		delivered: map[uint32]bool{}, ends: [2]map[*association.Association]bool{{}, {}},
		pending: map[*association.Association]*oursPending{}, ssnReset: map[*association.Association]*ssnReset{},
		recent:  map[*association.Association][]association.Message{},
		inAsked: map[*association.Association]int{}, inSeen: map[inKey]bool{}, performs: map[*association.Association]bool{}}
}

// sendPR has side s send a message with a partial reliability policy,
// a lifetime, or both, from the input.
func (w *world) sendPR() {
	s, stream, size, flags, pol, v := int(w.next()&1), w.next(), w.next(), w.next(), w.next(), w.next()
	info := association.SendInfo{Stream: chunk.StreamID(stream % 5), Unordered: flags&1 != 0,
		PRPolicy: association.PRPolicy(pol % 4)}
	switch info.PRPolicy {
	case association.PRTimed:
		info.PRValue = 1 + uint32(v)*8
	case association.PRRetransmit:
		info.PRValue = uint32(v % 4)
	case association.PRPriority:
		info.PRValue = uint32(v % 8)
	}
	if pol&4 != 0 {
		info.TimeToLive = time.Duration(v) * 10 * time.Millisecond
	}
	_ = w.sendInfo(s, info, messageSize(size, flags))
}

// reset has side s reset the outgoing streams of the bits of mask (all if
// none), and checks that sends to them fail until the reset completes.
func (w *world) reset() {
	s, mask := int(w.next()&1), w.next()
	a := w.end(s)
	if a == nil {
		return
	}
	var ids []chunk.StreamID
	for i := range chunk.StreamID(5) {
		if mask&(1<<i) != 0 {
			ids = append(ids, i)
		}
	}
	err := a.ResetStreams(w.p.Now, ids)
	busy := w.pr.busy(a)
	switch {
	case err == nil:
		if len(w.pr.resetting[a]) > 0 && !w.unread(s) {
			w.fail("side %d: ResetStreams accepted with a reset in progress", s)
		}
		w.pr.resetting[a] = append(w.pr.resetting[a], pendingReset{ids: ids})
	case errors.Is(err, association.ErrReconfigInProgress):
		if !busy {
			w.fail("side %d: ResetStreams: %v, and no reset in progress", s, err)
		}
	}
}

// unread reports whether side s's user does not read (HoldZ): the event
// of a reset that completed may wait unpolled.
func (w *world) unread(s int) bool { return s == sideZ && w.p.HoldZ }

// sendResult checks the error of a Send of side s's association a on
// stream id against the resets in progress.
func (w *world) sendResult(s int, a *association.Association, id chunk.StreamID, err error) {
	q := w.pr.resetting[a]
	busy := false
	for _, r := range q {
		busy = busy || len(r.ids) == 0 || containsID(r.ids, id)
	}
	// A reset of a's own performing the peer's Incoming SSN Reset
	// Request holds its streams too (performs).
	// A forged packet (a corrupted copy delivered straight to an end,
	// input 6aba826df3f25be7) may have carried a request it performs.
	if busy && err == nil && !w.unread(s) || !busy && !w.pr.performs[a] && !w.forged && errors.Is(err, association.ErrStreamResetting) {
		w.fail("side %d: send to stream %d: %v, reset in progress: %v", s, id, err, busy)
	}
}

func containsID(ids []chunk.StreamID, id chunk.StreamID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// prEvent records what delivery d polled from side s (the receiver of
// messages from 1-s) says about partial reliability and resets.
func (w *world) prEvent(s int, d association.Delivery) {
	a := w.end(s)
	switch ev := d.Event.(type) {
	case nil:
		if d.Message.EndOfRecord && d.Message.PPID != forgedPPID {
			id := uint32(d.Message.PPID)
			if w.pr.unsent[id] {
				w.fail("side %d: message %d delivered after it was handed back unsent", s, id)
			}
			w.pr.delivered[id] = true
		}
	case *association.SendFailed:
		id := uint32(ev.Info.PPID)
		if !ev.Sent && w.pr.delivered[id] {
			w.fail("side %d: message %d handed back unsent after it was delivered", s, id)
		}
		if !ev.Sent {
			w.pr.unsent[id] = true
		}
		w.pr.failed[id] = true
	case *association.StreamResetEvent:
		if ev.Flags&association.StreamResetOutgoing != 0 {
			q := w.pr.resetting[a]
			if len(q) == 0 && w.pr.inAsked[a] > 0 {
				w.pr.inAsked[a]-- // the peer's Incoming SSN Reset Request performed
				return
			}
			if len(q) == 0 {
				if !w.forged {
					w.fail("side %d: outgoing reset event %+v for no reset in progress", s, ev)
				}
				return
			}
			w.pr.resetting[a] = q[1:]
		}
	case *association.AssocChange:
		w.endResets(a, ev.State)
	}
}

// endResets forgets the resets of a that an assoc change event in state
// st ends: all of them when the association ended. A restart of the peer
// ends none: each reset asked for before it has its own event, polled
// before the restart's (the restart ends a reset in progress with its
// event), and those asked for since go on.
func (w *world) endResets(a *association.Association, st association.AssocChangeState) {
	if st != association.CommUp && st != association.Restart {
		delete(w.pr.resetting, a)
	}
}

// nothingLost checks, once the ends settled, that every message either
// end's Send accepted was delivered or handed back in a SendFailed event
// (RFC 6458 Section 6.1.4), but for the SendFailed events the end dropped
// and counted (DetailStats.SendFailedDropped: the events waiting are
// bounded): nothing is silently lost. It applies to runs
// with no forged packet, no abort by a user (what the peer acknowledged
// and its user had not read goes with it) and no association but the
// first two (the deliveries of one replaced are never polled).
func (w *world) nothingLost() {
	if w.forged || w.pr.aborted || len(w.pr.ends[sideA]) > 1 || len(w.pr.ends[sideZ]) > 1 ||
		w.restarts != 0 || len(w.known) != 0 {
		return
	}
	for s, ids := range w.pr.sentIDs {
		var lost []uint32
		for _, id := range ids {
			if !w.pr.delivered[id] && !w.pr.failed[id] {
				lost = append(lost, id)
			}
		}
		if a := w.end(s); a != nil && uint64(len(lost)) > a.Stats().SendFailedDropped {
			w.fail("side %d: messages %v neither delivered nor handed back, %d SendFailed events dropped (A %v, Z %v)",
				s, lost, a.Stats().SendFailedDropped, w.stateOf(sideA), w.stateOf(sideZ))
			return
		}
	}
}

// resetStuck reports whether side s's association still waits for a
// reset it asked for.
func (w *world) resetStuck(s int) bool {
	a := w.end(s)
	// Events beyond the bound of those waiting in Poll were dropped
	// (TestReconfigEventsBounded): the end of a request may be one.
	return a.Stats().DroppedEvents == 0 && w.pr.waiting(a)
}

// observePR reads a chunk c that side s sent in a packet with tag.
func (w *world) observePR(s int, tag chunk.VerificationTag, c packet.Raw) {
	k := prKey{a: w.end(s), tag: tag}
	switch c.Type {
	case chunk.TypeData:
		var d chunk.Data
		if _, err := d.Parse(c.Bytes); err == nil {
			high := d.TSN
			if !d.Flags.Has(chunk.FlagEnd) {
				// A message abandoned before its last fragment had a
				// TSN takes one more for it, never sent (its TSNs run
				// from B to E): the next TSN may have been assigned.
				high++
			}
			if prev, ok := w.pr.highData[k]; !ok || prev.LT(high) {
				w.pr.highData[k] = high
			}
		}
	case chunk.TypeForwardTSN:
		var f chunk.ForwardTSN
		if _, err := f.Parse(c.Bytes); err != nil {
			w.fail("side %d sent a malformed FORWARD TSN: %v", s, err)
			return
		}
		// RFC 3758 Section 3.5 C2: the Advanced.Peer.Ack.Point moves
		// over abandoned chunks, which were sent, and only forward.
		if high, ok := w.pr.highData[k]; !ok || f.NewCumTSN.GT(high) {
			w.fail("side %d sent a FORWARD TSN to %d, beyond its highest TSN %d (%v)", s, f.NewCumTSN, high, ok)
		}
		if prev, ok := w.pr.fwd[k]; ok && f.NewCumTSN.LT(prev) {
			w.fail("side %d sent a FORWARD TSN to %d after one to %d", s, f.NewCumTSN, prev)
		}
		w.pr.fwd[k] = f.NewCumTSN
	case chunk.TypeInit, chunk.TypeInitAck:
		if len(c.Bytes) >= 20 {
			w.pr.initTSN[s], w.pr.hasInit[s] = binary.BigEndian.Uint32(c.Bytes[16:]), true
		}
	case chunk.TypeReConfig:
		var rc chunk.ReConfig
		if _, err := rc.Parse(c.Bytes); err != nil {
			w.fail("side %d sent a malformed RE-CONFIG: %v", s, err)
			return
		}
		var reqs []reqSent
		for _, p := range rc.Params {
			if r := w.observeReconf(s, k, p); r != nil {
				reqs = append(reqs, *r)
			}
		}
		w.observeRequests(s, k, reqs)
	}
}

// observeReconf checks a RE-CONFIG parameter that side s sent, and
// returns it if it is a request.
func (w *world) observeReconf(s int, k prKey, p chunk.Param) *reqSent {
	if r, ok := p.(*chunk.ReconfigResponse); ok {
		a := ansKey{k: k, seq: r.RespSeq}
		prev, seen := w.pr.answers[a]
		switch {
		case w.forged || !seen || prev == r.Result || prev == chunk.ReconfigInProgress:
		case prev == chunk.ReconfigErrorBadSequenceNumber:
			// The number was not the one expected then: a request sent
			// ahead of a lost or late one, whose number the requester
			// fills (refillRequest), and which comes again once it is
			// (CI input ac2c272304fc1dc2).
		case r.Result == chunk.ReconfigErrorBadSequenceNumber && w.pr.answered(k, r.RespSeq+2):
			// A copy of an old request (duplicated, held back): beyond
			// the two results remembered (RFC 6525 Section 5.2.1).
			return nil
		default:
			w.fail("side %d answered request %d with %v after %v", s, r.RespSeq, r.Result, prev)
		}
		w.pr.answers[a] = r.Result
		if !seen || prev != r.Result {
			// Not an answer sent again to a retransmitted request:
			// the reset happened with the first.
			w.tsnsReset(k.a, r)
		}
		return nil
	}
	seq, ok := reqSeqOf(p)
	if !ok {
		return nil
	}
	if w.pr.inFlight[k.a] == nil {
		w.pr.inFlight[k.a] = map[uint32]chunk.Param{}
	}
	w.pr.inFlight[k.a][seq] = p
	return &reqSent{seq: seq, raw: string(p.Append(nil))}
}

// observeRequests checks the request parameters reqs of a RE-CONFIG
// chunk that side s sent: a retransmission repeats those of the last
// request (or the part not yet answered of the pair of RFC 6525 Section
// 3.1), a new request takes the next numbers.
func (w *world) observeRequests(s int, k prKey, reqs []reqSent) {
	if len(reqs) == 0 {
		return
	}
	prev := w.pr.req[k]
	again := len(prev) > 0
	for _, r := range reqs {
		again = again && slices.Contains(prev, r)
	}
	if again {
		return
	}
	if len(prev) > 0 && w.pr.hasInit[s] && reqs[0].seq == w.pr.initTSN[s] {
		// The first request of an association restarted (RFC 6525
		// Section 5.1.1: the numbers start from the Initial TSN, which
		// an INIT ACK answering a restart may keep), to a peer tag seen
		// before, whose Restart event the user has not polled yet
		// (input cbd777ff2833436a).
		prev = nil
	}
	if len(reqs) == 1 && len(prev) > 0 && reqs[0].seq == prev[0].seq-1 && w.pr.badSeq[k.a][prev[0].seq] {
		// An Add Incoming Streams Request for no stream filling the
		// number the peer answered "Bad Sequence Number" for the
		// request after it expects, sent with that request again (the
		// peer had not received the Add Incoming Streams Request ended
		// by its own Add Outgoing Streams Request, refillRequest).
		var q chunk.AddIncomingStreams
		if _, err := q.Parse([]byte(reqs[0].raw)); err == nil && q.NumNewStreams == 0 {
			return
		}
	}
	for i, r := range reqs {
		switch {
		case i > 0 && r.seq != reqs[i-1].seq+1,
			i == 0 && len(prev) > 0 && r.seq != prev[len(prev)-1].seq+1:
			w.fail("side %d sent requests %x after %x", s, reqs, prev)
			return
		}
	}
	w.pr.req[k] = reqs
	w.pr.reqSeq[s], w.pr.hasReq[s] = reqs[len(reqs)-1].seq, true
}

// answered reports whether the end of k answered request seq.
func (pw *prWorld) answered(k prKey, seq uint32) bool {
	_, ok := pw.answers[ansKey{k: k, seq: seq}]
	return ok
}

// reqSeqOf returns the Re-configuration Request Sequence Number of a
// request parameter.
func reqSeqOf(p chunk.Param) (uint32, bool) {
	switch p := p.(type) {
	case *chunk.OutgoingSSNResetRequest:
		return p.ReqSeq, true
	case *chunk.IncomingSSNResetRequest:
		return p.ReqSeq, true
	case *chunk.SSNTSNResetRequest:
		return p.ReqSeq, true
	case *chunk.AddOutgoingStreams:
		return p.ReqSeq, true
	case *chunk.AddIncomingStreams:
		return p.ReqSeq, true
	}
	return 0, false
}

// onDelivered sees every datagram the link delivers: the New Cumulative
// TSN of the FORWARD TSNs each end received.
func (w *world) onDelivered(ev sim.Event) {
	if ev.Kind != sim.EventDelivered {
		return
	}
	to := sideA
	if ev.Datagram.To == w.p.AddrZ {
		to = sideZ
	}
	pkt, err := packet.Parse(ev.Datagram.Data, packet.Options{AcceptZeroChecksum: true})
	if err != nil || w.end(to) == nil {
		return
	}
	k := prKey{a: w.end(to), tag: pkt.VerificationTag}
	it := pkt.Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		var f chunk.ForwardTSN
		if c.Type == chunk.TypeReConfig {
			w.reconfigDelivered(w.end(to), c)
		}
		if c.Type != chunk.TypeForwardTSN {
			continue
		}
		// Only an end that takes DATA takes a FORWARD TSN (RFC 3758
		// Section 3.6): one in COOKIE-ECHOED, waiting for its COOKIE
		// ACK in an initialization collision, discards it (input
		// d0ef87802cfc5362).
		if !takesData(w.end(to).State()) {
			continue
		}
		if _, err := f.Parse(c.Bytes); err == nil {
			if prev, ok := w.pr.fwdIn[k]; !ok || prev.LT(f.NewCumTSN) {
				w.pr.fwdIn[k] = f.NewCumTSN
			}
		}
	}
}

// cumNotBehindForward checks that the Cumulative TSN Ack cum that side s
// sent is not behind a FORWARD TSN it received (RFC 3758 Section 3.6).
func (w *world) cumNotBehindForward(s int, cum chunk.TSN, what string) {
	a := w.end(s)
	if w.forged || a == nil {
		return
	}
	local, _ := a.Tags()
	if f, ok := w.pr.fwdIn[prKey{a: a, tag: local}]; ok && cum.LT(f) {
		w.fail("side %d sent a %s with Cumulative TSN Ack %d after a FORWARD TSN to %d", s, what, cum, f)
	}
}

// genReconfig generates a RE-CONFIG chunk for side `to` (RFC 6525 Section
// 3.1): a request with a sequence number near the one `to` expects next
// (after the last request seen from its peer), or a response near the
// number of `to`'s last request, with streams and TSNs near the real ones;
// one in four holds a combination that is not allowed.
func (w *world) genReconfig(to int, x, y byte) chunk.Chunk {
	from := 1 - to
	d := uint32(int8(x) >> 5) // -4 to 3
	next := w.pr.reqSeq[from] + 1 + d
	if !w.pr.hasReq[from] {
		next = uint32(w.lastCum[to]) + d // the peer's Initial TSN is near it
	}
	var ids []chunk.StreamID
	for i := range chunk.StreamID(6) {
		if y&(1<<i) != 0 {
			ids = append(ids, i)
		}
	}
	out := &chunk.OutgoingSSNResetRequest{ReqSeq: next, RespSeq: w.pr.reqSeq[to] + d,
		SenderLastTSN: w.highTSN[from] + chunk.TSN(d), Streams: ids}
	resp := &chunk.ReconfigResponse{RespSeq: w.pr.reqSeq[to] + d, Result: chunk.ReconfigResult(x % 8)}
	var ps []chunk.Param
	switch y >> 6 {
	case 0:
		ps = []chunk.Param{out}
	case 1:
		ps = []chunk.Param{resp}
	case 2:
		ps = []chunk.Param{resp, out}
	default:
		switch x % 4 {
		case 0:
			ps = []chunk.Param{&chunk.IncomingSSNResetRequest{ReqSeq: next, Streams: ids}}
		case 1:
			ps = []chunk.Param{&chunk.AddOutgoingStreams{ReqSeq: next, NumNewStreams: uint16(y % 8)}}
		case 2:
			ps = []chunk.Param{&chunk.SSNTSNResetRequest{ReqSeq: next}, &chunk.AddIncomingStreams{ReqSeq: next + 1}}
		default:
			ps = []chunk.Param{out, out, resp}
		}
	}
	return &chunk.ReConfig{Params: ps}
}

// takesData reports whether an association in state st takes DATA and
// FORWARD TSN chunks.
func takesData(st association.State) bool {
	switch st {
	case association.StateEstablished, association.StateShutdownPending, association.StateShutdownSent:
		return true
	}
	return false
}
