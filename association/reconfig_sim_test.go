package association_test

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// Stream reconfiguration (RFC 6525) in simulated transfers: resets under
// loss, from both ends, across a restart of the peer.

// Z resets stream 1 while messages are still queued on it (its request
// waits for them), and A restarts (RFC 9260 Section 5.2.4 action A): the
// restart resets every stream as a new association would and fails the
// queued messages back, so the reset is done: Z's user gets its event
// (before the restart's), stream 1 takes messages again at once, and
// they arrive from SSN 0. (Found by FuzzStates: the request, made for the
// old peer, was then sent from the RE-CONFIG state remade for the new
// one, which has none, and the association panicked.)
func TestReconfigResetStreamsPeerRestart(t *testing.T) {
	p, _ := establishedPair(t, 1801)
	remove := p.Net.AddFilter(dropFrom(p.AddrZ))
	for range 20 {
		require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, make([]byte, 4000)))
	}
	p.Exchange()
	require.NotZero(t, p.Z.Buffered(), "messages still queued")
	require.NoError(t, p.Z.ResetStreams(p.Now, []chunk.StreamID{1}))
	require.ErrorIs(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte("x")), association.ErrStreamResetting)
	remove()
	restartA(t, p, 1802)
	require.True(t, p.RunUntil(time.Minute, p.Established))
	p.Exchange()
	var order []string
	for _, d := range p.DeliveredZ {
		switch ev := d.Event.(type) {
		case *association.StreamResetEvent:
			require.Equal(t, association.StreamResetOutgoing, ev.Flags)
			require.Equal(t, []chunk.StreamID{1}, ev.Streams)
			order = append(order, "reset")
		case *association.AssocChange:
			order = append(order, ev.State.String())
		}
	}
	require.Equal(t, []string{"comm_up", "reset", "restart"}, order)
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte("after")))
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(messagesOf(p.DeliveredA)) == 1 }))
	require.Equal(t, []string{"after@0"}, onStream(p.DeliveredA, 1))
	require.NoError(t, p.Z.ResetStreams(p.Now, nil), "no reset left in progress")
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(resetEvents(p.DeliveredZ)) == 2 }))
}

// reconfEnd is one end of a reconfigRun: what it sent, and its reset in
// progress.
type reconfEnd struct {
	a func() *association.Association
	// rcv checks what the other end receives from this one.
	rcv *associationtest.Receiver
	// ssn is the SSN the next ordered message of each stream gets; ssnOf
	// the SSN of each ordered message sent, by id.
	ssn   map[chunk.StreamID]chunk.SSN
	ssnOf map[uint32]chunk.SSN
	// resetting is the streams of the reset in progress (nil with busy:
	// all), since resetAt.
	resetting []chunk.StreamID
	busy      bool
	resetAt   timer.Time
	// sent, delivered and failed are the messages sent, delivered to the
	// other end, and handed back, by id.
	sent      map[uint32]bool
	delivered map[uint32]bool
	failed    map[uint32]*association.SendFailed
	resets    map[association.StreamResetFlags]int
	longest   time.Duration // the longest reset, from ResetStreams to its event
}

// reconfigRun is a transfer both ways over an impaired link during which
// both ends reset random streams, seeded.
type reconfigRun struct {
	t    *testing.T
	p    *associationtest.Pair
	c    *capture
	rng  *rand.Rand
	ends [2]*reconfEnd // A, Z
}

func newReconfEnd(a func() *association.Association, base uint32) *reconfEnd {
	return &reconfEnd{a: a, rcv: associationtest.NewReceiver(base), ssn: map[chunk.StreamID]chunk.SSN{},
		ssnOf: map[uint32]chunk.SSN{}, sent: map[uint32]bool{}, delivered: map[uint32]bool{},
		failed: map[uint32]*association.SendFailed{}, resets: map[association.StreamResetFlags]int{}}
}

// newReconfigRun sets up an established pair on link.
func newReconfigRun(t *testing.T, seed uint64, link sim.LinkConfig) *reconfigRun {
	t.Helper()
	logSeedOnFailure(t, seed)
	cfgA := associationtest.ImpairedConfig(seed*2+1, 5000, 5001)
	cfgZ := associationtest.ImpairedConfig(seed*2+2, 5001, 5000)
	p, err := associationtest.NewPair(seed, cfgA, cfgZ, link)
	require.NoError(t, err)
	p.Net.EnableTraceHash()
	r := &reconfigRun{t: t, p: p, c: capturePackets(p), rng: rand.New(rand.NewPCG(seed, 3))}
	r.ends[0] = newReconfEnd(func() *association.Association { return p.A }, 0)
	r.ends[1] = newReconfEnd(func() *association.Association { return p.Z }, 1<<20)
	p.OnDeliver = func(toZ bool, d association.Delivery) {
		to, from := r.ends[1], r.ends[0]
		if !toZ {
			to, from = r.ends[0], r.ends[1]
		}
		r.delivered(to, from, d)
	}
	require.NoError(t, p.HandshakeWithin(time.Minute))
	// Memory: at every packet, each end's send queue within its send
	// buffer and what it holds undelivered within its receive buffer.
	p.Net.AddFilter(func(*sim.Datagram) sim.Verdict {
		for _, a := range []*association.Association{p.A, p.Z} {
			cfg := a.Config()
			require.LessOrEqual(t, a.Buffered(), cfg.SendBuffer)
			require.LessOrEqual(t, a.Status().PendData, cfg.ReceiveBuffer+cfg.MTU)
		}
		return sim.Pass
	})
	return r
}

// delivered checks a delivery polled from the end to, sent by from.
func (r *reconfigRun) delivered(to, from *reconfEnd, d association.Delivery) {
	t := r.t
	switch ev := d.Event.(type) {
	case nil:
		from.rcv.Check(d)
		m := d.Message
		id := uint32(m.PPID)
		from.delivered[id] = true
		if ssn, ok := from.ssnOf[id]; ok {
			require.Equal(t, ssn, m.SSN, "message %d on stream %d", id, m.Stream)
		}
	case *association.SendFailed:
		id := uint32(ev.Info.PPID)
		require.Nil(t, to.failed[id], "message %d failed twice", id)
		to.failed[id] = ev
	case *association.StreamResetEvent:
		if ev.Flags&association.StreamResetOutgoing == 0 {
			return
		}
		require.True(t, to.busy, "an outgoing reset event with no reset in progress")
		require.Equal(t, to.resetting, ev.Streams)
		to.resets[ev.Flags]++
		to.longest = max(to.longest, r.p.Now.Sub(to.resetAt))
		if ev.Flags == association.StreamResetOutgoing {
			for id := range chunk.StreamID(4) {
				if lists(ev.Streams, id) {
					to.ssn[id] = 0
				}
			}
		}
		to.busy = false
	case *association.AssocChange:
		require.Equal(t, association.CommUp, ev.State)
	}
}

// lists reports whether the stream list ids (empty: all) has id.
func lists(ids []chunk.StreamID, id chunk.StreamID) bool {
	return len(ids) == 0 || slices.Contains(ids, id)
}

// send has e send a message on a random stream: ordered mostly, limited
// retransmissions for one in four; a send to a stream being reset must
// fail with ErrStreamResetting, and only then.
func (r *reconfigRun) send(e *reconfEnd) {
	t := r.t
	id := e.rcv.NextID()
	info := association.SendInfo{Stream: chunk.StreamID(r.rng.IntN(4)), PPID: chunk.PPID(id),
		Unordered: r.rng.IntN(8) == 0}
	if r.rng.IntN(4) == 0 {
		info.PRPolicy, info.PRValue = association.PRRetransmit, uint32(r.rng.IntN(3))
	}
	size := 1 + r.rng.IntN(900)
	if r.rng.IntN(10) == 0 {
		size = 2000 + r.rng.IntN(6000) // in fragments
	}
	data := associationtest.ScenarioMessage(id, size)
	err := e.a().Send(r.p.Now, info, data)
	if e.busy && lists(e.resetting, info.Stream) {
		require.ErrorIs(t, err, association.ErrStreamResetting, "stream %d", info.Stream)
		return
	}
	if errors.Is(err, association.ErrWouldBlock) {
		return
	}
	require.NoError(t, err)
	e.rcv.Expect(info, data)
	e.sent[id] = true
	if !info.Unordered {
		e.ssnOf[id] = e.ssn[info.Stream]
		e.ssn[info.Stream]++
	}
}

// reset has e reset a random set of its streams (all of them one time
// in four).
func (r *reconfigRun) reset(e *reconfEnd) {
	if e.busy {
		require.ErrorIs(r.t, e.a().ResetStreams(r.p.Now, nil), association.ErrReconfigInProgress)
		return
	}
	var ids []chunk.StreamID
	if r.rng.IntN(4) > 0 {
		for id := range chunk.StreamID(4) {
			if r.rng.IntN(2) == 0 {
				ids = append(ids, id)
			}
		}
	}
	require.NoError(r.t, e.a().ResetStreams(r.p.Now, ids))
	e.resetting, e.busy, e.resetAt = ids, true, r.p.Now
}

// reconfigOutcome is what a reconfigRun observed; two runs of a seed
// must observe the same.
type reconfigOutcome struct {
	hash    [32]byte
	end     timer.Time
	resets  [2]map[association.StreamResetFlags]int
	longest [2]time.Duration
	// The RE-CONFIG chunks on the wire: requests sent (retransmissions
	// included), requests sent again, and the results of the answers.
	requests, again int
	results         map[chunk.ReconfigResult]int
	// collisions counts the times both ends had a reset in progress.
	collisions int
}

// run sends for steps of 10 ms, each end sending a message at every step
// and asking for a reset one step in 25 (both at once one in 100: a
// collision), then runs until every message is delivered or handed back
// and no reset is in progress.
func (r *reconfigRun) run(steps int) reconfigOutcome {
	t := r.t
	collisions, both := 0, false
	for range steps {
		for _, e := range r.ends {
			r.send(e)
		}
		switch n := r.rng.IntN(100); {
		case n < 4:
			r.reset(r.ends[n%2])
		case n == 4:
			r.reset(r.ends[0])
			r.reset(r.ends[1])
		}
		if now := r.ends[0].busy && r.ends[1].busy; now && !both {
			collisions++
		}
		both = r.ends[0].busy && r.ends[1].busy
		r.p.Run(10 * time.Millisecond)
	}
	require.True(t, r.p.RunUntil(10*time.Minute, func() bool {
		for _, e := range r.ends {
			if e.busy || len(e.delivered)+len(e.failed) < len(e.sent) {
				return false
			}
		}
		return true
	}), "A busy %v, Z busy %v", r.ends[0].busy, r.ends[1].busy)
	r.p.Run(time.Minute)
	for _, e := range r.ends {
		require.NoError(t, e.rcv.Err())
		for id := range e.sent {
			sf := e.failed[id]
			require.True(t, e.delivered[id] || sf != nil, "message %d neither delivered nor failed", id)
			require.False(t, sf != nil && !sf.Sent && e.delivered[id], "message %d failed unsent and delivered", id)
		}
		require.Zero(t, e.a().Buffered())
		require.Zero(t, e.a().Status().PendData)
		require.Equal(t, association.StateEstablished, e.a().State())
	}
	o := reconfigOutcome{hash: r.p.Net.TraceHash(), end: r.p.Now, results: map[chunk.ReconfigResult]int{},
		collisions: collisions}
	for i, e := range r.ends {
		o.resets[i], o.longest[i] = e.resets, e.longest
	}
	for _, from := range []sentAddr{r.p.AddrA, r.p.AddrZ} {
		r.checkRequests(from, &o)
	}
	return o
}

// checkRequests checks the RE-CONFIG requests sent from from on the wire
// (RFC 6525 Section 5.1.1): numbered one after the other, each
// retransmission the same request as before, on the Re-configuration
// Timer (RTO.Min or more after the last); and counts them and the
// results of the answers in o.
func (r *reconfigRun) checkRequests(from sentAddr, o *reconfigOutcome) {
	var last *chunk.OutgoingSSNResetRequest
	var lastAt timer.Time
	rtoMin := r.p.A.Config().RTO.Min
	for _, sp := range r.c.with(from, chunk.TypeReConfig) {
		raw, _ := sp.chunk(chunk.TypeReConfig)
		var rc chunk.ReConfig
		parseChunk(r.t, raw, &rc)
		for _, prm := range rc.Params {
			switch prm := prm.(type) {
			case *chunk.ReconfigResponse:
				o.results[prm.Result]++
			case *chunk.OutgoingSSNResetRequest:
				o.requests++
				if last != nil && prm.ReqSeq == last.ReqSeq {
					require.Equal(r.t, last, prm, "a retransmission is the same request")
					require.GreaterOrEqual(r.t, sp.at.Sub(lastAt), rtoMin, "request %d sent again at %v", prm.ReqSeq, sp.at)
					o.again++
				} else if last != nil {
					require.Equal(r.t, last.ReqSeq+1, prm.ReqSeq, "the next request")
				}
				last, lastAt = prm, sp.at
			default:
				r.t.Fatalf("unexpected RE-CONFIG parameter %T", prm)
			}
		}
	}
}

// Both ends reset random sets of their streams while sending to each
// other over a link with 10 % loss, duplication and reordering, messages
// of limited retransmissions (FORWARD TSNs) among them, one seed in a few
// resetting at once from both ends (a collision). Every reset completes
// with its event; sends to a stream being reset fail with
// ErrStreamResetting; each message arrives with the SSN its sender gave
// it (0 after a reset), once, in order, or is handed back; the requests
// are numbered in sequence and retransmitted unchanged when an answer is
// lost. Over the seeds, requests are retransmitted, answered "In
// progress" (data outstanding beyond the request's last TSN) and answered
// again. Both ends' queues stay within their buffers. Each seed runs
// twice, with the same trace hash.
func TestReconfigSimResetsUnderLoss(t *testing.T) {
	link := sim.LinkConfig{Delay: 20 * time.Millisecond, Jitter: 5 * time.Millisecond, Loss: 0.1,
		Duplicate: 0.03, Reorder: 0.05, ReorderDelay: 30 * time.Millisecond}
	total := reconfigOutcome{results: map[chunk.ReconfigResult]int{}}
	for seed := uint64(1810); seed < 1816; seed++ {
		var runs [2]reconfigOutcome
		for i := range runs {
			runs[i] = newReconfigRun(t, seed, link).run(300)
		}
		require.Equal(t, runs[0], runs[1], "seed %d: two runs differ", seed)
		o := runs[0]
		t.Logf("seed %d: resets A %v Z %v, longest %v, %d collisions; %d requests (%d again), results %v", seed,
			o.resets[0], o.resets[1], o.longest, o.collisions, o.requests, o.again, o.results)
		total.requests += o.requests
		total.collisions += o.collisions
		total.again += o.again
		for k, v := range o.results {
			total.results[k] += v
		}
	}
	require.NotZero(t, total.again, "requests retransmitted")
	require.NotZero(t, total.collisions, "resets from both ends at once")
	require.NotZero(t, total.results[chunk.ReconfigInProgress], "requests answered In progress")
	require.NotZero(t, total.results[chunk.ReconfigSuccessPerformed])
}

// Copies of old requests, as a link that duplicates and delays packets
// delivers them (RFC 6525 Section 5.2.1): the last request answered is
// answered again the same way and not performed again; one older than
// the two results Z remembers is answered "Error - Bad Sequence Number",
// and nothing is done; A, whose requests were all answered, ignores both
// answers, and its next reset goes on in sequence.
func TestReconfigOldRequestsReplayed(t *testing.T) {
	p, c := establishedPair(t, 1820)
	var reqs [][]byte
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if ct, _ := sim.FirstChunkType(d.Data); d.From == p.AddrA && ct == chunk.TypeReConfig {
			reqs = append(reqs, slices.Clone(d.Data))
		}
		return sim.Pass
	})
	for i := range 4 {
		require.NoError(t, p.A.ResetStreams(p.Now, nil))
		require.True(t, p.RunUntil(time.Minute, func() bool { return len(resetEvents(p.DeliveredA)) == i+1 }))
	}
	require.Len(t, reqs, 4)
	answers := func() []chunk.ReconfigResponse {
		var out []chunk.ReconfigResponse
		for _, sp := range c.with(p.AddrZ, chunk.TypeReConfig) {
			raw, _ := sp.chunk(chunk.TypeReConfig)
			var rc chunk.ReConfig
			parseChunk(t, raw, &rc)
			out = append(out, *rc.Params[0].(*chunk.ReconfigResponse))
		}
		return out
	}
	before := answers()
	for _, req := range [][]byte{reqs[3], reqs[0]} {
		p.Net.Send(p.Now, p.AddrA, p.AddrZ, req)
		p.Run(time.Second)
	}
	got := answers()[len(before):]
	require.Len(t, got, 2)
	require.Equal(t, before[3], got[0], "the last request answered again")
	require.Equal(t, chunk.ReconfigErrorBadSequenceNumber, got[1].Result)
	require.Equal(t, before[0].RespSeq, got[1].RespSeq)
	require.Len(t, resetEvents(p.DeliveredZ), 4, "not performed again")
	require.Len(t, resetEvents(p.DeliveredA), 4, "A ignores answers to requests answered")
	require.NoError(t, p.A.ResetStreams(p.Now, []chunk.StreamID{0}))
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(resetEvents(p.DeliveredA)) == 5 }))
	require.Equal(t, association.StreamResetOutgoing, resetEvents(p.DeliveredA)[4].Flags)
}

// A stream reset after messages abandoned on it (WebRTC closing an
// unreliable channel, maxRetransmits 0, whose last messages were lost):
// the request's Sender's Last Assigned TSN covers TSNs that never
// arrive, so Z answers "In progress" and performs the reset once the
// FORWARD TSN skips them (RFC 6525 Section 5.2.2 E2, RFC 3758 Section
// 3.6); the stream then starts again at SSN 0.
func TestReconfigResetAfterAbandoned(t *testing.T) {
	p, c := establishedPair(t, 1830)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1}, []byte("kept")))
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(messagesOf(p.DeliveredZ)) == 1 }))
	strip := p.Net.AddFilter(stripData(p.AddrA))
	for range 3 {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1, PRPolicy: association.PRRetransmit}, []byte("lost")))
	}
	p.Exchange()
	require.NoError(t, p.A.ResetStreams(p.Now, []chunk.StreamID{1}))
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(resetEvents(p.DeliveredA)) == 1 }))
	strip()
	require.Equal(t, association.StreamResetOutgoing, resetEvents(p.DeliveredA)[0].Flags)
	require.Len(t, eventsOf[*association.SendFailed](p.DeliveredA), 3)
	var results []chunk.ReconfigResult
	for _, sp := range c.with(p.AddrZ, chunk.TypeReConfig) {
		raw, _ := sp.chunk(chunk.TypeReConfig)
		var rc chunk.ReConfig
		parseChunk(t, raw, &rc)
		results = append(results, rc.Params[0].(*chunk.ReconfigResponse).Result)
	}
	require.Equal(t, chunk.ReconfigInProgress, results[0])
	require.Equal(t, chunk.ReconfigSuccessPerformed, results[len(results)-1])
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1}, []byte("new")))
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(messagesOf(p.DeliveredZ)) == 2 }))
	require.Equal(t, []string{"kept@0", "new@0"}, onStream(p.DeliveredZ, 1))
}
