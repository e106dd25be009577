// Package associationtest is a lockstep harness for two associations on a
// simulated network with virtual time: no goroutines, no sleeps. A Pair exchanges packets until both sides are
// quiet, fires timers, and jumps to the next deadline.
//
// NewPair sets up a client A and an Acceptor that creates the server Z;
// NewSymmetricPair sets up two active associations for initialization
// collisions. The Pair stands in for the endpoint layer where that
// matters: packets for a closed side get the out-of-the-blue treatment of
// RFC 9260 Section 8.4 (a SHUTDOWN ACK is answered with a SHUTDOWN
// COMPLETE). Set HoldZ to model a user of Z that does not read.
package associationtest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/sim"
	"github.com/gensctp/gensctp/timer"
)

// Default addresses of the two ends: an IP and a UDP encapsulation port.
var (
	AddrA = netip.MustParseAddrPort("10.0.0.1:9899")
	AddrZ = netip.MustParseAddrPort("10.0.0.2:9899")
)

// Pair is a client association A and a server side Z (an Acceptor that
// creates Z on a valid COOKIE ECHO) on a simulated network. Not safe for
// concurrent use.
type Pair struct {
	Net      *sim.Network
	Now      timer.Time
	A, Z     *association.Association
	Acceptor *association.Acceptor
	// AddrA and AddrZ are the first addresses of each side; AddrsA and
	// AddrsZ all of them (multihoming).
	AddrA  netip.AddrPort
	AddrZ  netip.AddrPort
	AddrsA []netip.AddrPort
	AddrsZ []netip.AddrPort

	// OnDeliver, if set, sees every delivery polled from A (fromA false)
	// or Z (fromA true: Z received what A sent). If nil, deliveries are
	// kept in DeliveredA and DeliveredZ.
	OnDeliver func(toZ bool, d association.Delivery)
	// DeliveredA and DeliveredZ are the deliveries polled from A and Z.
	DeliveredA, DeliveredZ []association.Delivery
	// Packets counts the packets each side sent.
	PacketsA, PacketsZ int
	// Discards counts packets the associations discarded, by reason.
	Discards map[string]int
	// HoldZ, while set, leaves Z's deliveries unpolled, as a user that
	// does not read: they stay in Z and count against its receive window.
	HoldZ bool

	buf []byte
}

// Config returns a configuration for tests: ports 5000 and 5001 and a
// deterministic randomness source derived from seed.
func Config(seed uint64, localPort, peerPort uint16) association.Config {
	return association.Config{
		LocalPort: localPort,
		PeerPort:  peerPort,
		Rand:      rand.NewPCG(seed, seed^0x9e3779b97f4a7c15),
	}
}

// NewPair returns a Pair whose A connects with cfgA to an Acceptor set up
// with cfgZ, on a network seeded with seed whose links in both directions
// have the configuration link.
func NewPair(seed uint64, cfgA, cfgZ association.Config, link sim.LinkConfig) (*Pair, error) {
	return NewMultihomedPair(seed, cfgA, cfgZ, link, []netip.AddrPort{AddrA}, []netip.AddrPort{AddrZ})
}

// NewMultihomedPair is NewPair with several addresses on each side: the
// associations get them as Config.LocalAddrs, and A connects to Z's first
// address. All addresses of a side share its first address's UDP port.
func NewMultihomedPair(seed uint64, cfgA, cfgZ association.Config, link sim.LinkConfig,
	addrsA, addrsZ []netip.AddrPort) (*Pair, error) {
	n := sim.New(seed)
	if err := n.SetDefault(link); err != nil {
		return nil, err
	}
	p := &Pair{Net: n, AddrA: addrsA[0], AddrZ: addrsZ[0], AddrsA: addrsA, AddrsZ: addrsZ,
		Discards: map[string]int{}, buf: make([]byte, 0, 1<<16)}
	if len(addrsA) > 1 || len(addrsZ) > 1 {
		for _, a := range addrsA {
			cfgA.LocalAddrs = append(cfgA.LocalAddrs, a.Addr())
		}
		for _, a := range addrsZ {
			cfgZ.LocalAddrs = append(cfgZ.LocalAddrs, a.Addr())
		}
	}
	var err error
	if p.A, err = association.New(cfgA, p.Now, p.AddrZ); err != nil {
		return nil, err
	}
	if p.Acceptor, err = association.NewAcceptor(cfgZ); err != nil {
		return nil, err
	}
	return p, nil
}

// NewDefaultPair returns a Pair with test configurations derived from seed
// and a perfect link with 10 ms of delay each way.
func NewDefaultPair(seed uint64) (*Pair, error) {
	return NewPair(seed, Config(seed, 5000, 5001), Config(seed+1, 5001, 5000),
		sim.LinkConfig{Delay: 10 * time.Millisecond})
}

// Connect starts A's handshake.
func (p *Pair) Connect() error { return p.A.Connect(p.Now) }

// flush sends every packet a wants to send from its address.
func (p *Pair) flush(a *association.Association, from netip.AddrPort) int {
	n := 0
	for i := 0; i < 1<<16; i++ {
		out, ok := a.AppendPacket(p.Now, p.buf[:0])
		if !ok {
			break
		}
		src := from
		if out.From.IsValid() {
			src = netip.AddrPortFrom(out.From, from.Port())
		}
		p.Net.SendECN(p.Now, src, out.To, out.Data, uint8(out.ECN))
		n++
	}
	return n
}

// deliver hands one datagram to its receiver.
func (p *Pair) deliver(d sim.Datagram) {
	var err error
	switch {
	case p.isA(d.To):
		if p.A.State() == association.StateClosed {
			p.outOfTheBlue(d)
			return
		}
		err = p.A.HandleDatagram(p.datagram(d))
	case p.isZ(d.To):
		err = p.toZ(d)
	default:
		p.Discards["no such address"]++
	}
	if err != nil {
		p.countDiscard(err)
	}
}

// datagram is what the receiver of d is handed at p.Now.
func (p *Pair) datagram(d sim.Datagram) *association.Datagram {
	return &association.Datagram{Now: p.Now, From: d.From, To: d.To.Addr(), Data: d.Data, IP: d.IP()}
}

func (p *Pair) isA(a netip.AddrPort) bool { return contains(p.AddrsA, a) }
func (p *Pair) isZ(a netip.AddrPort) bool { return contains(p.AddrsZ, a) }

func contains(list []netip.AddrPort, a netip.AddrPort) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// countDiscard records why a packet was discarded.
func (p *Pair) countDiscard(err error) {
	var de *association.DiscardError
	if errors.As(err, &de) {
		p.Discards[de.Reason]++
	} else {
		p.Discards[err.Error()]++
	}
}

// toZ routes a datagram to Z, or to the Acceptor while Z does not exist.
func (p *Pair) toZ(d sim.Datagram) error {
	if p.Z != nil && p.Z.State() != association.StateClosed {
		return p.Z.HandleDatagram(p.datagram(d))
	}
	if p.Acceptor == nil {
		p.outOfTheBlue(d)
		return nil
	}
	pkt, err := packet.Parse(d.Data, packet.Options{})
	if err != nil {
		return err
	}
	first, _ := pkt.Lead() // an AUTH chunk may precede a COOKIE ECHO (RFC 4895 Section 6.3)
	switch first.Type {
	case chunk.TypeInit:
		var init chunk.Init
		if _, err := init.Parse(first.Bytes); err != nil {
			return err
		}
		if reply := p.Acceptor.HandleInitFrom(p.Now, d.From, pkt.Header, &init, p.buf[:0]); reply != nil {
			p.Net.Send(p.Now, d.To, d.From, reply)
		}
	case chunk.TypeCookieEcho:
		z, reply, err := p.Acceptor.HandleCookieEcho(p.datagram(d), &pkt, p.buf[:0])
		if reply != nil {
			p.Net.Send(p.Now, d.To, d.From, reply)
		}
		if z != nil {
			p.Z = z
		}
		return err
	case chunk.TypeShutdownAck:
		p.outOfTheBlue(d)
	}
	return nil
}

// outOfTheBlue stands in for the endpoint's handling of a packet for a
// closed association (RFC 9260 Section 8.4):
//
//   - rule 2: "If the OOTB packet contains an ABORT chunk, the receiver
//     MUST silently discard the OOTB packet";
//   - rule 5: "If the packet contains a SHUTDOWN ACK chunk, the receiver
//     SHOULD respond to the sender of the OOTB packet with a SHUTDOWN
//     COMPLETE chunk", with the T bit and the received tag;
//   - rule 6: a SHUTDOWN COMPLETE is silently discarded;
//   - rule 7: "If the packet contains a "Stale Cookie" ERROR or a COOKIE
//     ACK, the SCTP packet should be silently discarded";
//   - an INIT (rule 3) is discarded: the Pair has no listener there;
//   - rule 8: anything else is answered with an ABORT with the T bit and
//     the received tag, so that a peer that missed the end of the
//     association learns of it.
func (p *Pair) outOfTheBlue(d sim.Datagram) {
	pkt, err := packet.Parse(d.Data, packet.Options{AcceptZeroChecksum: true})
	if err != nil {
		p.countDiscard(err)
		return
	}
	it := pkt.Chunks()
	var reply chunk.Chunk = &chunk.Abort{Flags: chunk.FlagT}
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		switch c.Type {
		case chunk.TypeAbort, chunk.TypeShutdownComplete, chunk.TypeCookieAck, chunk.TypeInit:
			reply = nil
		case chunk.TypeError:
			var e chunk.OperationError
			if _, err := e.Parse(c.Bytes); err == nil {
				for _, cause := range e.Causes {
					if cause.CauseCode() == chunk.CauseStaleCookie {
						reply = nil
					}
				}
			}
		case chunk.TypeShutdownAck:
			if reply != nil {
				reply = &chunk.ShutdownComplete{Flags: chunk.FlagT}
			}
		}
		if reply == nil {
			break
		}
	}
	p.Discards["out of the blue"]++
	if reply == nil {
		return
	}
	var b packet.Builder
	b.Reset(p.buf[:0], packet.Header{SrcPort: pkt.DstPort, DstPort: pkt.SrcPort,
		VerificationTag: pkt.VerificationTag}, 1<<16)
	b.Add(reply)
	p.Net.Send(p.Now, d.To, d.From, b.Finish())
}

// poll drains the deliveries of both sides.
func (p *Pair) poll() {
	p.pollOne(p.A, false)
	p.pollOne(p.Z, true)
}

// ReleaseZ clears HoldZ and polls Z's held deliveries.
func (p *Pair) ReleaseZ() {
	p.HoldZ = false
	p.pollOne(p.Z, true)
}

// pollOne drains the deliveries of a (Z when toZ).
func (p *Pair) pollOne(a *association.Association, toZ bool) {
	if a == nil || toZ && p.HoldZ {
		return
	}
	for {
		d, ok := a.Poll()
		if !ok {
			return
		}
		switch {
		case p.OnDeliver != nil:
			p.OnDeliver(toZ, d)
		case toZ:
			p.DeliveredZ = append(p.DeliveredZ, d)
		default:
			p.DeliveredA = append(p.DeliveredA, d)
		}
	}
}

// Exchange sends and delivers everything due at the current time until
// both sides are quiet, and reports how many packets moved.
func (p *Pair) Exchange() int {
	moved := 0
	dirtyA, dirtyZ := true, true
	for i := 0; i < 1<<22; i++ {
		n := 0
		if dirtyA {
			n += p.flush(p.A, p.AddrA)
			p.PacketsA += n
			dirtyA = false
		}
		if dirtyZ && p.Z != nil {
			m := p.flush(p.Z, p.AddrZ)
			p.PacketsZ += m
			n += m
			dirtyZ = false
		}
		moved += n
		d, ok := p.Net.Receive(p.Now)
		if !ok {
			p.poll()
			if n == 0 {
				break
			}
			continue
		}
		p.deliver(d)
		p.Net.Recycle(&d)
		if p.isA(d.To) {
			dirtyA = true
			p.pollOne(p.A, false)
		} else {
			dirtyZ = true
			p.pollOne(p.Z, true)
		}
	}
	return moved
}

// NextEvent returns the earliest of the associations' deadlines and the
// next arrival.
func (p *Pair) NextEvent() timer.Time {
	t := timer.Min(p.A.NextDeadline(), p.Net.NextArrival())
	if p.Z != nil {
		t = timer.Min(t, p.Z.NextDeadline())
	}
	return t
}

// Advance moves time to the next event (at most until limit), runs the
// timers due and exchanges packets. It reports false when nothing is
// pending before limit.
func (p *Pair) Advance(limit timer.Time) bool {
	next := p.NextEvent()
	if next == timer.Never || next > limit {
		return false
	}
	if next > p.Now {
		p.Now = next
	}
	p.A.HandleTimeout(p.Now)
	if p.Z != nil {
		p.Z.HandleTimeout(p.Now)
	}
	p.Exchange()
	return true
}

// RunUntil exchanges packets and advances time until cond holds or d of
// virtual time passed. It reports whether cond held.
func (p *Pair) RunUntil(d time.Duration, cond func() bool) bool {
	limit := p.Now.Add(d)
	p.Exchange()
	for !cond() {
		if !p.Advance(limit) {
			return cond()
		}
	}
	return true
}

// Run advances time by d, processing everything on the way.
func (p *Pair) Run(d time.Duration) {
	limit := p.Now.Add(d)
	p.Exchange()
	for p.Advance(limit) {
	}
	p.Now = limit
}

// Established reports whether both sides are established.
func (p *Pair) Established() bool {
	return p.A.State() == association.StateEstablished && p.Z != nil &&
		p.Z.State() == association.StateEstablished
}

// Handshake connects A and runs until both sides are established, for at
// most a minute of virtual time.
func (p *Pair) Handshake() error { return p.HandshakeWithin(time.Minute) }

// HandshakeWithin is Handshake with a limit of d of virtual time.
func (p *Pair) HandshakeWithin(d time.Duration) error {
	if err := p.Connect(); err != nil {
		return err
	}
	if !p.RunUntil(d, p.Established) {
		return fmt.Errorf("associationtest: no handshake within %v (A %v, Z %v)", d, p.A.State(), p.zState())
	}
	return nil
}

func (p *Pair) zState() association.State {
	if p.Z == nil {
		return association.StateClosed
	}
	return p.Z.State()
}
