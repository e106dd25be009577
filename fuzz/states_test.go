package fuzz

import (
	"bytes"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
)

// FuzzStates is an action-driven association fuzzer, after dcSCTP's
// socket fuzzer. The first byte picks a starting state
// (see the start constants), into which the lockstep harness drives a pair
// of associations, holding packets back on the link to stop there: every
// state of RFC 9260 Section 4 on one end or the other, an initialization
// collision (Section 5.2.1) and a restart (Section 5.2.2). The remaining
// bytes are opcodes (see the op constants): deliver, duplicate, drop,
// reorder or corrupt a held packet, hold a direction of the link, expire a
// timer or let time pass, a user operation (send, shutdown, abort, set an
// option, connect or restart, stop reading), or inject a generated chunk
// or raw chunk bytes with a valid or an invalid verification tag.
//
// After every step (see world.check): no panic; the Cumulative TSN Ack
// that each end sends never goes backwards within an association; each
// message is delivered at most once, and those of an ordered stream in
// the order they were sent; no byte count is negative; the send queue,
// the received data and the deliveries waiting in Poll stay within their
// bounds; and the PR-SCTP and RE-CONFIG invariants of
// states_reconfig_test.go (user operations that send with a policy or a
// lifetime and reset streams, forged FORWARD TSN and RE-CONFIG chunks).
// At the end, unless an association accepted an injected packet (which
// may legitimately wedge it), the link is released and both ends must
// settle: closed, or established with nothing left to send and no stream
// reset in progress; and no message was silently lost.
func FuzzStates(f *testing.F) {
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 2048 {
			return
		}
		w := runStates(t, in)
		if w.err != nil {
			t.Fatal(w.err)
		}
	})
}

// The starting states: the first input byte modulo numStarts.
const (
	startClosed           = iota // A created, not connected; Z not there yet
	startCookieWait              // A's INIT held
	startCookieEchoed            // A's COOKIE ECHO held
	startEstablished             // both established
	startShutdownPending         // A shut down with its DATA held
	startShutdownSent            // A's SHUTDOWN held
	startShutdownReceived        // Z got the SHUTDOWN with its DATA held
	startShutdownAckSent         // Z's SHUTDOWN ACK held
	startCollision               // two active ends, both INITs held
	startCollisionEchoed         // A COOKIE-ECHOED with Z's INIT held
	startRestart                 // established, then A restarted: its INIT held
	numStarts
)

// heldPacket is a datagram held back on the link.
type heldPacket struct {
	from, to netip.AddrPort
	data     []byte
}

// The two ends of a world.
const (
	sideA = 0
	sideZ = 1
)

// forgedPPID marks the PPIDs of the messages of forged DATA chunks: every
// DATA chunk that the fuzzer writes or rewrites carries it, so that a real
// message id (the PPID of its first fragment, which names the message)
// only ever travels in DATA chunks its sender wrote.
const forgedPPID = 0xF0F0F0F0

// world is one run of FuzzStates.
type world struct {
	t   testing.TB
	in  []byte
	pos int
	p   *associationtest.Pair
	cfg [2]association.Config
	sym bool   // two active ends (NewSymmetricPair), no Acceptor
	gen uint64 // associations created so far (each gets its own seed)
	// connected[s]: the association of side s connected (or was accepted).
	connected [2]bool

	hold      [2]bool // packets sent by A (0) or Z (1) are held
	held      []heldPacket
	releasing bool // held packets pass the filter untouched
	injecting bool // injected packets are neither observed nor held

	// rcv[s] checks what end s receives; assoc[s] is the association it
	// checked last (a new one is a new incarnation).
	rcv    [2]*associationtest.Receiver
	assoc  [2]*association.Association
	sent   [2]int // messages each end's Send accepted (all incarnations)
	forged bool   // an association accepted an injected packet
	// known lists the known defects the run ran into (see knownDefect):
	// until they are fixed, the final liveness check does not apply.
	known []string

	// What the ends sent, seen on the link.
	cum     map[cumKey]chunk.TSN // highest Cumulative TSN Ack per association and tag
	highTSN [2]chunk.TSN         // highest DATA TSN each end sent
	lastCum [2]chunk.TSN         // last Cumulative TSN Ack each end sent
	cookie  []byte               // the last State Cookie of an INIT ACK
	hbInfo  []byte               // the last Heartbeat Info

	maxRcvBuf, maxSndBuf int

	pr prWorld // partial reliability and stream reconfiguration

	visited  map[string]bool // states (and "collision", "restart") reached
	restarts int
	err      error
}

// cumKey names the Cumulative TSN Acks of one association towards one
// peer tag (a restart changes the tag, a replayed State Cookie may
// recreate an association with the tags of an old one).
type cumKey struct {
	a   *association.Association
	tag chunk.VerificationTag
}

// stateConfig is the configuration of the ends of FuzzStates: small
// buffers (partial delivery, flow control), 4 outbound streams, an RTO of
// 100 ms to 2 s so that retransmissions and give-ups come quickly.
func stateConfig(seed uint64, local, peer uint16) association.Config {
	cfg := associationtest.Config(seed, local, peer)
	cfg.OutboundStreams = 4
	cfg.ReceiveBuffer = 16 << 10
	cfg.SendBuffer = 32 << 10
	cfg.RTO.Initial, cfg.RTO.Min, cfg.RTO.Max = 200*time.Millisecond, 100*time.Millisecond, 2*time.Second
	cfg.HeartbeatInterval = 5 * time.Second
	return cfg.WithDefaults()
}

// runStates runs one input and returns the world (w.err is the first
// violation).
func runStates(t testing.TB, in []byte) *world {
	w := &world{t: t, in: in, cum: map[cumKey]chunk.TSN{}, visited: map[string]bool{}, pr: newPRWorld()}
	start := int(w.next()) % numStarts
	w.sym = start == startCollision || start == startCollisionEchoed
	w.setup()
	w.drive(start)
	w.check()
	for steps := 0; w.err == nil && w.pos < len(w.in) && steps < 400; steps++ {
		w.step()
		w.p.Exchange()
		w.check()
	}
	if w.err == nil {
		w.settle()
	}
	return w
}

// next returns the next input byte, 0 once the input is used up.
func (w *world) next() byte {
	if w.pos >= len(w.in) {
		return 0
	}
	w.pos++
	return w.in[w.pos-1]
}

// knownDefect notes that the run ran into a known defect, reported and
// not yet fixed, that wedges an association: the final liveness check does
// not apply. Remove each call once its defect is fixed.
func (w *world) knownDefect(what string) { w.known = append(w.known, what) }

// fail records the first violation.
func (w *world) fail(format string, args ...any) {
	if w.err == nil {
		w.err = fmt.Errorf("at %v: %s", w.p.Now, fmt.Sprintf(format, args...))
	}
}

// setup creates the pair, the link filter and the receivers.
func (w *world) setup() {
	w.cfg[sideA] = stateConfig(1, 5000, 5001)
	w.cfg[sideZ] = stateConfig(2, 5001, 5000)
	w.gen = 2
	var err error
	if w.sym {
		w.p, err = associationtest.NewSymmetricPair(3, w.cfg[sideA], w.cfg[sideZ], sim.LinkConfig{})
	} else {
		w.p, err = associationtest.NewPair(3, w.cfg[sideA], w.cfg[sideZ], sim.LinkConfig{})
	}
	if err != nil {
		w.t.Fatal(err)
	}
	w.maxRcvBuf, w.maxSndBuf = w.cfg[sideA].ReceiveBuffer, w.cfg[sideA].SendBuffer
	// Messages from A have ids from 0 on, those from Z from 1<<20.
	w.rcv[sideZ], w.rcv[sideA] = associationtest.NewReceiver(0), associationtest.NewReceiver(1<<20)
	for _, r := range w.rcv {
		r.AnyEvent = true
		r.Foreign = func(p chunk.PPID) bool { return p == forgedPPID }
	}
	w.p.OnDeliver = w.deliver
	w.p.Net.AddFilter(w.filter)
	w.p.Net.SetTrace(w.onDelivered)
}

// end returns the association of side s (nil if Z does not exist yet).
func (w *world) end(s int) *association.Association {
	if s == sideA {
		return w.p.A
	}
	return w.p.Z
}

// addr returns the address of side s.
func (w *world) addr(s int) netip.AddrPort {
	if s == sideA {
		return w.p.AddrA
	}
	return w.p.AddrZ
}

// deliver checks a delivery polled from A (toZ false) or Z.
func (w *world) deliver(toZ bool, d association.Delivery) {
	s := sideA
	if toZ {
		s = sideZ
	}
	if cur := w.end(s); cur != w.assoc[s] {
		w.rcv[s].NewIncarnation()
		w.assoc[s] = cur
	}
	if ac, ok := d.Event.(*association.AssocChange); ok && ac.State == association.Restart {
		w.restarts++
		w.visited["restart"] = true
	}
	w.rcv[s].Check(d)
	w.prEvent(s, d)
	w.oursEvent(s, d)
}

// filter sees every datagram sent on the link: it observes what the ends
// send and holds back what a held direction carries.
func (w *world) filter(d *sim.Datagram) sim.Verdict {
	if w.releasing || w.injecting {
		return sim.Pass
	}
	s := sideA
	if d.From.Addr() == w.p.AddrZ.Addr() {
		s = sideZ
	}
	w.observe(s, d.Data)
	if *traceStates {
		w.tracef("side %d sends %s%s", s, chunkTypes(d.Data), map[bool]string{true: " (held)"}[w.hold[s]])
	}
	if w.hold[s] && len(w.held) < 64 {
		w.held = append(w.held, heldPacket{from: d.From, to: d.To, data: bytes.Clone(d.Data)})
		return sim.Drop
	}
	return sim.Pass
}

// release sends held packet i (removing it unless keep) through the link
// untouched, and exchanges.
func (w *world) release(i int, keep bool) {
	if len(w.held) == 0 {
		return
	}
	i %= len(w.held)
	h := w.held[i]
	if !keep {
		w.held = append(w.held[:i], w.held[i+1:]...)
	}
	w.releasing = true
	w.p.Net.Send(w.p.Now, h.from, h.to, h.data)
	w.releasing = false
	w.p.Exchange()
}

// releaseFrom releases the first held packet that side s sent whose
// first chunk has type t.
func (w *world) releaseFrom(s int, t chunk.Type) {
	for i, h := range w.held {
		if ct, _ := sim.FirstChunkType(h.data); h.from == w.addr(s) && ct == t {
			w.release(i, false)
			return
		}
	}
}

// releaseAll releases every held packet, in order.
func (w *world) releaseAll() {
	for len(w.held) > 0 {
		w.release(0, false)
	}
}

// newEnd returns a new association for side s (a restart or a new
// connection of that end), with a seed of its own.
func (w *world) newEnd(s int) *association.Association {
	w.gen++
	cfg := w.cfg[s]
	c := stateConfig(w.gen, cfg.LocalPort, cfg.PeerPort)
	c.ReceiveBuffer, c.SendBuffer = cfg.ReceiveBuffer, cfg.SendBuffer
	a, err := association.New(c, w.p.Now, w.addr(1-s))
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

// connect connects side s: its association if it never connected, else a
// new association from the same address and port (a restart, or a new
// association after the old one closed). On the Acceptor's side, Z, that
// makes Z an active end.
func (w *world) connect(s int) {
	a := w.end(s)
	if a == nil || w.connected[s] || s == sideZ && !w.sym {
		a = w.newEnd(s)
		if s == sideA {
			w.p.A = a
		} else {
			w.p.Z = a
		}
	}
	w.connected[s] = true
	_ = a.Connect(w.p.Now)
	w.p.Exchange()
}

// send has side s send message of size bytes on stream, ordered or not,
// and tells the receiver of the other side when Send accepts it.
func (w *world) send(s int, stream chunk.StreamID, size int, unordered bool) {
	_ = w.sendInfo(s, association.SendInfo{Stream: stream, Unordered: unordered}, size)
}

// sendInfo has side s send a message of size bytes with info (its PPID
// set to the message id), and tells the receiver of the other side when
// Send accepts it. It returns Send's error.
func (w *world) sendInfo(s int, info association.SendInfo, size int) error {
	a := w.end(s)
	if a == nil {
		return association.ErrNotEstablished
	}
	r := w.rcv[1-s]
	id := r.NextID()
	info.PPID = chunk.PPID(id)
	data := associationtest.ScenarioMessage(id, size)
	err := a.Send(w.p.Now, info, data)
	w.sendResult(s, a, info.Stream, err)
	if err == nil {
		r.Expect(info, data)
		w.sent[s]++
		w.pr.sentIDs[s] = append(w.pr.sentIDs[s], id)
	}
	return err
}

// drive brings the pair into the starting state start, and fails the
// test (a harness defect, whatever the input) if it does not get there.
func (w *world) drive(start int) {
	p := w.p
	var wantA, wantZ association.State
	msg := func(s int) { w.send(s, 0, 3000, false); p.Exchange() }
	shake := func() {
		w.connected = [2]bool{true, true}
		if err := p.Handshake(); err != nil {
			w.t.Fatal(err)
		}
	}
	switch start {
	case startClosed:
		wantA = association.StateClosed
	case startCookieWait:
		w.hold[sideA] = true
		w.connect(sideA)
		wantA = association.StateCookieWait
	case startCookieEchoed:
		w.hold[sideA] = true
		w.connect(sideA)
		w.releaseFrom(sideA, chunk.TypeInit) // the INIT ACK comes back, the COOKIE ECHO is held
		wantA = association.StateCookieEchoed
	case startEstablished:
		shake()
		wantA, wantZ = association.StateEstablished, association.StateEstablished
	case startShutdownPending:
		shake()
		w.hold[sideA] = true
		msg(sideA)
		_ = p.A.Shutdown(p.Now)
		wantA, wantZ = association.StateShutdownPending, association.StateEstablished
	case startShutdownSent:
		shake()
		w.hold[sideA] = true
		_ = p.A.Shutdown(p.Now)
		wantA, wantZ = association.StateShutdownSent, association.StateEstablished
	case startShutdownReceived:
		shake()
		w.hold[sideZ] = true
		msg(sideZ)
		_ = p.A.Shutdown(p.Now)
		wantA, wantZ = association.StateShutdownSent, association.StateShutdownReceived
	case startShutdownAckSent:
		shake()
		w.hold[sideZ] = true
		_ = p.A.Shutdown(p.Now)
		wantA, wantZ = association.StateShutdownSent, association.StateShutdownAckSent
	case startCollision:
		w.hold = [2]bool{true, true}
		w.connect(sideA)
		w.connect(sideZ)
		wantA, wantZ = association.StateCookieWait, association.StateCookieWait
	case startCollisionEchoed:
		w.hold = [2]bool{true, true}
		w.connect(sideA)
		w.connect(sideZ)
		w.releaseFrom(sideA, chunk.TypeInit)    // A's INIT: Z in COOKIE-WAIT answers (Section 5.2.1)
		w.releaseFrom(sideZ, chunk.TypeInitAck) // Z's INIT ACK: A echoes the cookie, held
		wantA, wantZ = association.StateCookieEchoed, association.StateCookieWait
	case startRestart:
		shake()
		w.hold = [2]bool{true, true}
		w.connect(sideA)
		wantA, wantZ = association.StateCookieWait, association.StateEstablished
	}
	p.Exchange()
	if p.A.State() != wantA || wantZ != association.StateClosed && (p.Z == nil || p.Z.State() != wantZ) {
		w.t.Fatalf("start %d: A %v (want %v), Z %v (want %v)", start, p.A.State(), wantA, w.stateOf(sideZ), wantZ)
	}
}

// stateOf returns the state of side s (closed if it does not exist).
func (w *world) stateOf(s int) association.State {
	if a := w.end(s); a != nil {
		return a.State()
	}
	return association.StateClosed
}
