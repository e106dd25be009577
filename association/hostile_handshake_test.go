package association_test

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// Hostile peers in the handshake: a peer that lists addresses it does not
// own, to turn path verification into a flood of HEARTBEATs at third
// parties (RFC 5062 Section 6, "Bombing Attack (Amplification) 2"), or
// that lists thousands of them.

// victimAddrs returns n addresses that no simulated host owns: third
// parties that a hostile peer lists as its own.
func victimAddrs(n int) []netip.Addr {
	out := make([]netip.Addr, n)
	for i := range out {
		out[i] = netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)})
	}
	return out
}

// listVictims makes every INIT or INIT ACK (typ) that from sends list the
// victims after its own parameters.
func listVictims(p *associationtest.Pair, from netip.AddrPort, typ chunk.Type, victims []netip.Addr) {
	p.Net.AddFilter(ghEditInitParams(from, typ, func(ps []chunk.Param) []chunk.Param {
		for _, v := range victims {
			ps = append(ps, chunk.AddressParam(v))
		}
		return ps
	}))
}

// victimTraffic is what one side sent to the victims: the send times of
// the packets, their bytes, and the chunk types other than HEARTBEAT.
type victimTraffic struct {
	times []timer.Time
	bytes int
	other []chunk.Type
}

// trafficPackets returns the packets from from to any of victims.
func trafficPackets(c *capture, from netip.AddrPort, victims []netip.Addr) []*sentPacket {
	var out []*sentPacket
	for i := range c.pkts {
		if s := &c.pkts[i]; s.from == from && slices.Contains(victims, s.to.Addr()) {
			out = append(out, s)
		}
	}
	return out
}

// trafficTo sums the packets from from to any of victims.
func trafficTo(c *capture, from netip.AddrPort, victims []netip.Addr) victimTraffic {
	var v victimTraffic
	for _, s := range trafficPackets(c, from, victims) {
		v.times = append(v.times, s.at)
		v.bytes += len(s.pkt.Bytes())
		for _, ty := range s.types() {
			if ty != chunk.TypeHeartbeat {
				v.other = append(v.other, ty)
			}
		}
	}
	return v
}

// bytesFrom sums the packets from from that carry a chunk of type t.
func bytesFrom(c *capture, from netip.AddrPort, t chunk.Type) int {
	n := 0
	for _, s := range c.with(from, t) {
		n += len(s.pkt.Bytes())
	}
	return n
}

// requireOneProbePerRTO checks that at most one packet went to the
// victims per RTO (HB.Max.Burst 1): consecutive ones are at least minRTO
// apart (the RTO never goes below RTO.Min), and only HEARTBEAT chunks went
// there (RFC 9260 Section 5.4: "An endpoint MUST NOT send any chunks to an
// UNCONFIRMED address", but a HEARTBEAT with a nonce).
func requireOneProbePerRTO(t *testing.T, v victimTraffic, minRTO time.Duration) {
	t.Helper()
	require.Empty(t, v.other, "chunks other than HEARTBEAT sent to unconfirmed addresses")
	for i := 1; i < len(v.times); i++ {
		require.GreaterOrEqual(t, v.times[i].Sub(v.times[i-1]), minRTO,
			"probes %d and %d of %d in less than an RTO: more than HB.Max.Burst 1", i-1, i, len(v.times))
	}
}

// RFC 9260 Section 5.4: "The number of packets containing HEARTBEAT
// chunks sent at each RTO SHOULD be limited by the 'HB.Max.Burst'
// parameter" (Section 16: "HB.Max.Burst: 1"); RFC 5062 Section 6.3: an
// endpoint should "not use larger HB.Max.Burst parameter values than
// recommended". A peer's INIT (or INIT ACK) lists 15 or 1,000 addresses of
// third parties (RFC 5062 Section 6.1). The receiver takes at most
// MaxPaths of them as paths and probes them HB.Max.Burst per RTO, each in
// turn, never sending them more than one HEARTBEAT packet per RTO (before:
// 15 per association per RTO). In the first RTO the victims get fewer
// bytes than the attacker's handshake cost it, so that replaying a cookie
// (Section 6.1: "The attacker can now resend the stored cookie") buys no
// amplification. The INIT ACK stays within the PMTU however many
// addresses the INIT lists.
// https://www.rfc-editor.org/rfc/rfc9260#section-5.4
func TestHostileHandshakeListedAddresses(t *testing.T) {
	for _, tc := range []struct {
		typ chunk.Type // the chunk listing the victims
		n   int
	}{{chunk.TypeInit, 15}, {chunk.TypeInit, 1000}, {chunk.TypeInitAck, 15}, {chunk.TypeInitAck, 1000}} {
		t.Run(fmt.Sprintf("%v/%d", tc.typ, tc.n), func(t *testing.T) {
			seed := uint64(900 + tc.n + int(tc.typ))
			cfgA, cfgZ := scenarioConfigs(seed)
			logSeedOnFailure(t, seed)
			p, err := associationtest.NewPair(seed, cfgA, cfgZ, scenarioLink)
			require.NoError(t, err)
			victims := victimAddrs(tc.n)
			// The attacker and the side it attacks through.
			attacker, prober := p.AddrA, p.AddrZ
			if tc.typ == chunk.TypeInitAck {
				attacker, prober = p.AddrZ, p.AddrA
			}
			listVictims(p, attacker, tc.typ, victims)
			c := capturePackets(p) // sees the packets as sent, victims listed
			require.NoError(t, p.Handshake())
			p.Run(2 * time.Minute)

			probing := p.Z
			if tc.typ == chunk.TypeInitAck {
				probing = p.A
			}
			require.Equal(t, association.StateEstablished, probing.State())
			require.Len(t, probing.Paths(), min(tc.n+1, association.MaxPaths))
			if tc.typ == chunk.TypeInit {
				ack := c.with(p.AddrZ, chunk.TypeInitAck)
				require.Len(t, ack, 1)
				require.LessOrEqual(t, len(ack[0].pkt.Bytes()), association.DefaultMTU)
			}

			v := trafficTo(c, prober, victims)
			require.Equal(t, 1, association.DefaultHBMaxBurst, "RFC 9260 Section 16")
			requireOneProbePerRTO(t, v, cfgZ.RTO.Min)
			// Each listed address taken as a path is probed in turn.
			unconfirmed := len(probing.Paths()) - 1
			require.GreaterOrEqual(t, len(v.times), unconfirmed)
			var firstRound []netip.Addr
			for _, s := range trafficPackets(c, prober, victims)[:unconfirmed] {
				require.NotContains(t, firstRound, s.to.Addr(), "probed again before every address was")
				firstRound = append(firstRound, s.to.Addr())
			}
			// What the attacker paid for the association (its INIT or INIT
			// ACK and the chunks that follow in the handshake) against
			// what the victims got in the first RTO and in two minutes.
			paid := 0
			for _, ty := range []chunk.Type{chunk.TypeInit, chunk.TypeInitAck, chunk.TypeCookieEcho, chunk.TypeCookieAck} {
				paid += bytesFrom(c, attacker, ty)
			}
			firstRTO := 0
			for _, s := range trafficPackets(c, prober, victims) {
				if s.at.Sub(v.times[0]) < cfgZ.RTO.Min {
					firstRTO += len(s.pkt.Bytes())
				}
			}
			t.Logf("%d addresses in the %v: attacker sent %d bytes; victims got %d bytes in the first RTO, %d packets (%d bytes) in 2 min",
				tc.n, tc.typ, paid, firstRTO, len(v.times), v.bytes)
			require.Less(t, firstRTO, paid)
		})
	}
}

// An INIT listing 1,000 addresses costs the listener no more memory than
// one listing 64: the State Cookie keeps the first few (the association
// takes at most MaxPaths), and the INIT ACK does not grow (RFC 9260
// Section 5.1.3: "the State Cookie ... SHOULD be small enough"; a listener
// keeps no state per INIT, Section 5.1 B). Before, every listed address
// was collected: 27 allocations and 61 KB per such INIT instead of 22 and
// 3.5 KB.
// https://www.rfc-editor.org/rfc/rfc9260#section-5.1.3
func TestHostileHandshakeInitAddressesCost(t *testing.T) {
	acc, err := association.NewAcceptor(associationtest.Config(950, 5001, 5000))
	require.NoError(t, err)
	h := packet.Header{SrcPort: 5000, DstPort: 5001}
	buf := make([]byte, 0, 1<<16)
	cost := func(n int) (allocs float64, reply int) {
		var ps []chunk.Param
		for _, v := range victimAddrs(n) {
			ps = append(ps, chunk.AddressParam(v))
		}
		init := ghInit(0x1234abcd, ps...)
		allocs = testing.AllocsPerRun(20, func() {
			reply = len(acc.HandleInitFrom(0, associationtest.AddrA, h, init, buf))
		})
		return allocs, reply
	}
	allocs64, reply64 := cost(64)
	allocs1000, reply1000 := cost(1000)
	require.Equal(t, allocs64, allocs1000, "allocations per INIT grow with the addresses listed")
	require.Equal(t, reply64, reply1000, "the INIT ACK grows with the addresses listed")
	require.LessOrEqual(t, reply1000, association.DefaultMTU)
}

// RFC 9260 Section 5.2.2: an unexpected INIT that adds addresses to an
// association is answered with an ABORT whose "Restart of an Association
// with New Addresses" cause "SHOULD list the addresses that were added".
// An INIT listing 1,000 new addresses gets an ABORT listing MaxPaths of
// them (the most an association could add), within the PMTU, instead of
// an ABORT as large as the INIT; the association is unchanged.
// https://www.rfc-editor.org/rfc/rfc9260#section-5.2.2
func TestHostileHandshakeRestartNewAddressesAbortBounded(t *testing.T) {
	const seed = 960
	p, c := establishedPair(t, seed)
	ps := []chunk.Param{chunk.AddressParam(p.AddrA.Addr())}
	for _, v := range victimAddrs(1000) {
		ps = append(ps, chunk.AddressParam(v))
	}
	start := p.Now
	forge(p, p.AddrA, p.AddrZ, headerAZ(0), ghInit(0x5eed1e55, ps...))
	p.Run(20 * time.Millisecond)

	out := c.since(start).with(p.AddrZ, chunk.TypeAbort)
	require.Len(t, out, 1)
	require.LessOrEqual(t, len(out[0].pkt.Bytes()), association.DefaultMTU)
	r, _ := out[0].chunk(chunk.TypeAbort)
	var ab chunk.Abort
	parseChunk(t, r, &ab)
	cause, ok := ab.Causes[0].(*chunk.RestartWithNewAddressesCause)
	require.True(t, ok, "cause %T", ab.Causes[0])
	var want []byte
	for _, prm := range ps[1 : 1+association.MaxPaths] {
		want = prm.Append(want)
	}
	require.Equal(t, want, cause.Addresses, "the first MaxPaths new addresses")
	require.Equal(t, association.StateEstablished, p.Z.State())
	require.Equal(t, []byte("still up"), sendAndDeliver(t, p, []byte("still up")).Data)
}
