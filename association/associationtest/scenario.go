package associationtest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/congestion"
	"github.com/gensctp/gensctp/sim"
)

// Scenario is one randomized exchange: two associations send messages to
// each other at once over an impaired link, then A shuts down. Run checks
// that every message is delivered exactly once, intact, in order on its
// stream when ordered, and that the shutdown completes gracefully on both
// sides (shutdown_comp; see Run for the one race that RFC 9260 leaves).
// The same Scenario replays exactly.
type Scenario struct {
	Seed    uint64
	Link    sim.LinkConfig
	Streams int // 1 to 65535: messages go to streams [0, Streams)
	Msgs    int // messages each way
	MaxSize int // largest message; most are at most 1500 bytes
	// Limit bounds the virtual time of the handshake, of the transfer and
	// of the shutdown (30 minutes each if zero).
	Limit time.Duration
	// AllowGuardAbort accepts a shutdown that the T5-shutdown-guard timer
	// ends: under heavy loss the SHUTDOWN exchange may not get through
	// within 5 × RTO.Max, and the association aborts (RFC 9260 Section
	// 9.2), its peer learning of it by the out-of-the-blue rule (Section
	// 8.4). Both ends must still be closed (see Run).
	AllowGuardAbort bool
}

// RandomScenario derives a scenario from seed: delay 1–50 ms, jitter, loss
// up to 30 %, duplication up to 5 %, reordering up to 10 %, corruption up
// to 5 %, 1–64 streams, 10–49 messages each way of up to 100 B, 4000 B,
// 64 KiB or 256 KiB.
func RandomScenario(seed uint64) Scenario {
	r := rand.New(rand.NewPCG(seed, 77))
	sc := Scenario{Seed: seed}
	sc.Link = sim.LinkConfig{
		Delay:     time.Duration(1+r.IntN(50)) * time.Millisecond,
		Jitter:    time.Duration(r.IntN(10)) * time.Millisecond,
		Loss:      r.Float64() * 0.30,
		Duplicate: r.Float64() * 0.05,
		Reorder:   r.Float64() * 0.10,
		Corrupt:   r.Float64() * 0.05,
	}
	sc.Link.ReorderDelay = sc.Link.Delay
	sc.Streams = 1 + r.IntN(64)
	sc.Msgs = 10 + r.IntN(40)
	switch r.IntN(4) {
	case 0:
		sc.MaxSize = 100
	case 1:
		sc.MaxSize = 4000
	case 2:
		sc.MaxSize = 64 << 10
	default:
		sc.MaxSize = 256 << 10
	}
	return sc
}

func (sc Scenario) String() string {
	return fmt.Sprintf("seed=%d loss=%.2f dup=%.2f reorder=%.2f corrupt=%.2f delay=%v streams=%d msgs=%d max=%d",
		sc.Seed, sc.Link.Loss, sc.Link.Duplicate, sc.Link.Reorder, sc.Link.Corrupt, sc.Link.Delay,
		sc.Streams, sc.Msgs, sc.MaxSize)
}

// ScenarioMessage is the payload of test message id: exactly size bytes
// (at least 1) derived from id, so that any corruption or mix-up shows.
// From 8 bytes on it starts with a header (id, length); shorter messages
// carry no header, their bytes depend on id, position and length only.
// Scenario.Run sends message id with PPID id and checks what arrives
// against ScenarioMessage(id, the size it sent).
func ScenarioMessage(id uint32, size int) []byte {
	b := make([]byte, max(size, 1))
	start := 0
	if len(b) >= 8 {
		binary.BigEndian.PutUint32(b, id)
		binary.BigEndian.PutUint32(b[4:], uint32(len(b)))
		start = 8
	}
	for i := start; i < len(b); i++ {
		b[i] = byte(uint32(i)*2654435761>>24) ^ byte(id)
	}
	if start == 0 {
		for i := range b {
			b[i] ^= byte(id>>8) ^ byte(id>>16) ^ byte(len(b)*37)
		}
	}
	return b
}

type outMsg struct {
	info association.SendInfo
	data []byte
}

// The ids (and PPIDs) of the messages from A start at baseA, those from Z
// at baseZ.
const (
	baseA uint32 = 0
	baseZ uint32 = 1 << 20
)

// messages returns the messages A and Z send, derived from the seed: sizes
// from 1 byte to MaxSize (three in four at most 1500 bytes), random
// streams, one in four unordered.
func (sc Scenario) messages() (fromA, fromZ []outMsg) {
	r := rand.New(rand.NewPCG(sc.Seed, 99))
	mk := func(base uint32) []outMsg {
		var out []outMsg
		for i := 0; i < sc.Msgs; i++ {
			size := 1 + r.IntN(sc.MaxSize)
			if r.IntN(4) > 0 {
				size = 1 + r.IntN(min(sc.MaxSize, 1500))
			}
			info := association.SendInfo{Stream: chunk.StreamID(r.IntN(sc.Streams)),
				PPID: chunk.PPID(base + uint32(i)), Unordered: r.IntN(4) == 0}
			out = append(out, outMsg{info: info, data: ScenarioMessage(base+uint32(i), size)})
		}
		return out
	}
	return mk(baseA), mk(baseZ)
}

// MessageSizes returns the sizes of the messages A and Z send in the
// scenario, in order.
func (sc Scenario) MessageSizes() (fromA, fromZ []int) {
	a, z := sc.messages()
	for _, m := range a {
		fromA = append(fromA, len(m.data))
	}
	for _, m := range z {
		fromZ = append(fromZ, len(m.data))
	}
	return fromA, fromZ
}

// Run plays the scenario between an association configured with cfgA and
// one configured with cfgZ (their OutboundStreams must cover sc.Streams).
// It returns the Pair at the end, and an error naming the scenario if a
// message was lost, duplicated, corrupted or out of order, or if the
// transfer or the shutdown did not finish within the limit, or if the
// shutdown did not end with shutdown_comp on both sides. Two other ends
// are accepted: comm_lost on Z after shutdown_comp on A, once Z has sent
// its SHUTDOWN ACK (a late packet of Z answered by A's ABORT, which
// overtakes the SHUTDOWN COMPLETE), and, with AllowGuardAbort, comm_lost
// on A with comm_lost or (after its SHUTDOWN ACK) shutdown_comp on Z.
func (sc Scenario) Run(cfgA, cfgZ association.Config) (*Pair, error) {
	if sc.Streams < 1 || sc.Streams > 65535 || sc.Msgs < 0 || sc.MaxSize < 1 {
		return nil, fmt.Errorf("associationtest: invalid scenario %v", sc)
	}
	limitD := sc.Limit
	if limitD <= 0 {
		limitD = 30 * time.Minute
	}
	p, err := NewPair(sc.Seed, cfgA, cfgZ, sc.Link)
	if err != nil {
		return nil, err
	}
	// Under heavy loss the handshake may take many retransmissions of
	// INIT and COOKIE ECHO (up to Max.Init.Retransmits, backing off to
	// RTO.Max): it has the scenario's limit too.
	if err := p.HandshakeWithin(limitD); err != nil {
		return p, fmt.Errorf("%v: %w", sc, err)
	}
	queueA, queueZ := sc.messages()
	nextA, nextZ := 0, 0
	rcvByZ, rcvByA := newReceiver(queueA, baseA), newReceiver(queueZ, baseZ)
	p.OnDeliver = func(toZ bool, d association.Delivery) {
		if toZ {
			rcvByZ.Check(d)
		} else {
			rcvByA.Check(d)
		}
	}
	push := func(a *association.Association, queue []outMsg, next *int) error {
		for *next < len(queue) {
			m := queue[*next]
			if err := a.Send(p.Now, m.info, m.data); err != nil {
				if errors.Is(err, association.ErrWouldBlock) {
					return nil
				}
				return fmt.Errorf("%v: send: %w", sc, err)
			}
			*next++
		}
		return nil
	}
	done := func() bool {
		return len(rcvByZ.got) == len(queueA) && len(rcvByA.got) == len(queueZ)
	}
	limit := p.Now.Add(limitD)
	for !done() {
		if err := push(p.A, queueA, &nextA); err != nil {
			return p, err
		}
		if err := push(p.Z, queueZ, &nextZ); err != nil {
			return p, err
		}
		p.Exchange()
		if err := errors.Join(rcvByZ.err, rcvByA.err); err != nil {
			return p, fmt.Errorf("%v: %w", sc, err)
		}
		if done() {
			break
		}
		if !p.Advance(limit) {
			return p, fmt.Errorf("%v: stuck at %v: Z got %d/%d, A got %d/%d; A %v %+v; Z %v %+v; discards %v",
				sc, p.Now, len(rcvByZ.got), len(queueA), len(rcvByA.got), len(queueZ),
				p.A.State(), p.A.Status(), p.Z.State(), p.Z.Status(), p.Discards)
		}
	}
	rcvByZ.closing, rcvByA.closing = true, true
	if err := p.A.Shutdown(p.Now); err != nil {
		return p, fmt.Errorf("%v: shutdown: %w", sc, err)
	}
	zAckSent := false // Z agreed to the shutdown
	closed := p.RunUntil(limitD, func() bool {
		zAckSent = zAckSent || p.Z.State() == association.StateShutdownAckSent
		return p.A.State() == association.StateClosed && p.Z.State() == association.StateClosed
	})
	if err := errors.Join(rcvByZ.err, rcvByA.err); err != nil {
		return p, fmt.Errorf("%v: %w", sc, err)
	}
	if !closed {
		return p, fmt.Errorf("%v: shutdown did not complete: A %v Z %v", sc, p.A.State(), p.Z.State())
	}
	for _, st := range []association.Stats{p.A.Stats(), p.Z.Stats()} {
		if st.FastRetransmissions > st.Retransmissions {
			return p, fmt.Errorf("%v: %d fast retransmissions of %d retransmissions", sc,
				st.FastRetransmissions, st.Retransmissions)
		}
	}
	// rcvByA sees A's events, rcvByZ Z's.
	switch endA, endZ := rcvByA.end, rcvByZ.end; {
	case !rcvByA.ended || !rcvByZ.ended:
	case endA == association.ShutdownComp && endZ == association.ShutdownComp:
		return p, nil
	case endA == association.ShutdownComp && endZ == association.CommLost && zAckSent:
		// A completed the shutdown and forgot the association; a late
		// copy of a packet of Z (duplicated or reordered) then reached it
		// out of the blue, and its ABORT (RFC 9260 Section 8.4 rule 8)
		// overtook the SHUTDOWN COMPLETE to Z, which had already sent its
		// SHUTDOWN ACK: all data was acknowledged, only Z's last event
		// differs.
		return p, nil
	case sc.AllowGuardAbort && endA == association.CommLost &&
		(endZ == association.CommLost || endZ == association.ShutdownComp && zAckSent):
		// T5 ended A's shutdown; Z learned of it from the ABORT, or, in
		// SHUTDOWN-ACK-SENT, from the SHUTDOWN COMPLETE that the closed A
		// answers its SHUTDOWN ACK with (Section 8.4 rule 5).
		return p, nil
	}
	return p, fmt.Errorf("%v: shutdown ended with %v on A and %v on Z", sc, rcvByA.end, rcvByZ.end)
}

// ImpairedConfig is Config for links with heavy loss: RTO from 200 ms to
// 5 s (300 ms initially), retransmission limits high enough for 40 % loss,
// 64 outbound streams, a 128 KiB receive buffer and a 256 KiB send buffer.
func ImpairedConfig(seed uint64, localPort, peerPort uint16) association.Config {
	cfg := Config(seed, localPort, peerPort)
	cfg.RTO = congestion.RTOConfig{Initial: 300 * time.Millisecond, Min: 200 * time.Millisecond, Max: 5 * time.Second}
	cfg.MaxRetrans = 80
	cfg.PathMaxRetrans = 80
	cfg.MaxInitRetransmits = 40
	cfg.OutboundStreams = 64
	cfg.ReceiveBuffer = 128 << 10
	cfg.SendBuffer = 256 << 10
	return cfg
}
