package association_test

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// Simulator scenarios of PLPMTUD (RFC 8899 Sections 5 and 6.2): the
// search converges to the link's MTU, a black hole is detected from the
// loss of full-sized packets, a path that grows is found again by the
// raise timer; each with its time to converge asserted (virtual time).

// tunnelMTU is the SCTP packet budget of a 1280-byte tunnel (Tailscale,
// IPv6 minimum) for IPv4: 1280 less the IPv4 and UDP headers.
const tunnelMTU = 1280 - 20 - 8

// pmtudPair returns an established pair whose ends run PLPMTUD with
// MAX_PLPMTU maxMTU over a link carrying linkMTU (0: any size), with the
// scenario RTOs (1 s minimum) and the raise timer raise.
func pmtudPair(t *testing.T, seed uint64, maxMTU, linkMTU int, raise time.Duration) *associationtest.Pair {
	t.Helper()
	cfgA, cfgZ := scenarioConfigs(seed)
	for _, c := range []*association.Config{&cfgA, &cfgZ} {
		c.MTU = maxMTU
		c.PMTUD = association.PMTUDConfig{Enabled: true, RaiseTimer: raise, ProbeTimer: c.PMTUD.ProbeTimer}
	}
	link := scenarioLink
	link.MTU = linkMTU
	logSeedOnFailure(t, seed)
	p, err := associationtest.NewPair(seed, cfgA, cfgZ, link)
	require.NoError(t, err)
	require.NoError(t, p.Handshake())
	return p
}

// onlyPath returns the PathInfo of the only path of a.
func onlyPath(a *association.Association) association.PathInfo { return a.Paths()[0] }

// converged returns a condition: a's path completed its search at mtu.
func converged(a *association.Association, mtu int) func() bool {
	return func() bool {
		pi := onlyPath(a)
		return pi.MTU == mtu && pi.PMTUD == association.PLPMTUDSearchComplete
	}
}

// convergeTime runs p until cond holds, within limit, and returns the
// virtual time it took.
func convergeTime(t *testing.T, p *associationtest.Pair, limit time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := p.Now
	require.True(t, p.RunUntil(limit, cond), "no convergence within %v: %+v", limit, onlyPath(p.A))
	return p.Now.Sub(start)
}

// The search from BASE_PLPMTU finds the largest size, a multiple of 4,
// that the link carries, without a PTB message (RFC 8899 Section 5.3),
// and the path then uses it: the packets of a transfer fill it.
// https://www.rfc-editor.org/rfc/rfc8899#section-5.3
func TestPMTUDSearchFindsLinkMTU(t *testing.T) {
	for _, tc := range []struct {
		name            string
		maxMTU, linkMTU int
		want            int
		within          time.Duration
	}{
		// The interface's size passes: found at the first probe.
		{"interface", 1452, 0, 1452, 2 * time.Second},
		// A 1400-byte link below a 1452 interface: 3 sizes fail, 3 s each.
		{"narrower link", 1452, 1400, 1400, 12 * time.Second},
		// Jumbo interface over a tunnel: 12 probe sizes, 9 failing.
		{"jumbo over tunnel", 8972, tunnelMTU, tunnelMTU, 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pmtudPair(t, 1600, tc.maxMTU, tc.linkMTU, 0)
			require.Equal(t, 1172, onlyPath(p.A).MTU, "BASE_PLPMTU: 1200 less the IPv4 and UDP headers")
			d := convergeTime(t, p, time.Minute, converged(p.A, tc.want))
			t.Logf("converged to %d in %v", tc.want, d)
			require.LessOrEqual(t, d, tc.within)
			convergeTime(t, p, time.Second, converged(p.Z, tc.want)) // Z searches its own direction
			c := capturePackets(p)
			rcv := transferUntil(t, p, 4000, 30, 0, nil)
			require.Equal(t, 30, rcv)
			require.Equal(t, tc.want, largestData(c, p.AddrA), "DATA packets fill the PLPMTU")
		})
	}
}

// largestData returns the largest packet with DATA sent from from.
func largestData(c *capture, from sentAddr) int {
	n := 0
	for _, s := range c.with(from, chunk.TypeData) {
		n = max(n, len(s.pkt.Bytes()))
	}
	return n
}

// A path whose MTU drops to a tunnel's mid-transfer: the full-sized
// packets are lost without a PTB message; a T3-rtx expiry after them and
// the loss of a probe of the PLPMTU detect the black hole (RFC 8899
// Section 4.3), the path falls back to BASE_PLPMTU, the retransmissions
// pass, and the search finds the new MTU. No message is lost.
// https://www.rfc-editor.org/rfc/rfc8899#section-4.3
func TestPMTUDMTUDropsMidTransfer(t *testing.T) {
	p := pmtudPair(t, 1601, 1452, 0, 0)
	convergeTime(t, p, time.Minute, converged(p.A, 1452))
	// 620-byte messages: two in a packet (1284 bytes) pass before the
	// drop and not after; one alone (648 bytes) passes BASE_PLPMTU.
	const size, n = 620, 6000
	var drop timer.Time
	var fallback, done time.Duration
	rcv := transferUntil(t, p, size, n, 5*time.Millisecond, func(got int) {
		switch {
		case drop == 0 && got >= n/4:
			require.NoError(t, p.Net.SetLinkBoth(p.AddrA, p.AddrZ, sim.LinkConfig{Delay: 10 * time.Millisecond, MTU: tunnelMTU}))
			drop = p.Now
		case drop == 0:
		case fallback == 0 && onlyPath(p.A).MTU < tunnelMTU:
			fallback = p.Now.Sub(drop)
		case done == 0 && converged(p.A, tunnelMTU)():
			done = p.Now.Sub(drop)
		}
	})
	require.Equal(t, n, rcv, "no message lost")
	if done == 0 { // the transfer ended first: the search goes on
		done = p.Now.Sub(drop) + convergeTime(t, p, 15*time.Second, converged(p.A, tunnelMTU))
	}
	t.Logf("black hole detected %v after the drop, converged to %d %v after it", fallback, tunnelMTU, done)
	require.LessOrEqual(t, fallback, 5*time.Second, "a T3-rtx expiry (1 s), then a probe of the PLPMTU lost (1 s)")
	require.LessOrEqual(t, done, 15*time.Second)
	require.Equal(t, association.StateEstablished, p.A.State())
}

// A black hole that silently drops every packet above 1280 bytes (at the
// IP layer) from the start, while the transfer runs: the search never
// raises the PLPMTU beyond it, and no message is lost or delayed by the
// probes, which go outside the congestion window.
// https://www.rfc-editor.org/rfc/rfc8899#section-6.2
func TestPMTUDBlackHoleAbove1280(t *testing.T) {
	p := pmtudPair(t, 1602, 1452, 0, 0)
	c := capturePackets(p)
	before := p.A.Stats().PMTUProbesSent
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if len(d.Data) > tunnelMTU {
			return sim.Drop
		}
		return sim.Pass
	})
	start := p.Now
	var at time.Duration
	rcv := transferUntil(t, p, 200, 3000, 10*time.Millisecond, func(int) {
		if at == 0 && converged(p.A, tunnelMTU)() {
			at = p.Now.Sub(start)
		}
	})
	require.Equal(t, 3000, rcv)
	require.NotZero(t, at, "converged during the transfer: %+v", onlyPath(p.A))
	t.Logf("converged to %d in %v during the transfer", tunnelMTU, at)
	require.LessOrEqual(t, at, 15*time.Second)
	probes := 0
	for _, s := range c.with(p.AddrA, chunk.TypePad) {
		require.True(t, s.has(chunk.TypeHeartbeat), "a probe is HEARTBEAT and PAD")
		require.False(t, s.has(chunk.TypeData), "a probe carries no DATA")
		require.Zero(t, len(s.pkt.Bytes())%4)
		probes++
	}
	require.Equal(t, uint64(probes), p.A.Stats().PMTUProbesSent-before)
	require.Zero(t, p.A.Stats().T3Expirations, "the search loses probes, never data")
}

// transferUntil sends n messages of size bytes from A to Z, one per
// pace of virtual time (at most; 0: as fast as A's queue takes them), and
// returns how many Z received, in order, once all arrived or five
// minutes passed. each, if not nil, is called between steps with the
// count received so far.
func transferUntil(t *testing.T, p *associationtest.Pair, size, n int, pace time.Duration, each func(got int)) int {
	t.Helper()
	got := 0
	p.OnDeliver = func(toZ bool, d association.Delivery) {
		if toZ && d.Event == nil {
			require.Equal(t, numbered(got, size), d.Message.Data, "message %d", got)
			got++
		}
	}
	sent, start := 0, p.Now
	p.RunUntil(5*time.Minute, func() bool {
		if each != nil {
			each(got)
		}
		for sent < n && p.A.Buffered() < 8*size && (pace == 0 || p.Now.Sub(start) >= time.Duration(sent)*pace) {
			require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(sent, size)))
			sent++
		}
		return got == n
	})
	return got
}

// A path that grows (a tunnel replaced by a jumbo-frame link): the raise
// timer starts a new search (RFC 8899 Section 5.2: SEARCH_COMPLETE is
// left when "the PMTU_RAISE_TIMER expires"), which finds the larger MTU.
// https://www.rfc-editor.org/rfc/rfc8899#section-5.2
func TestPMTUDPathGrows(t *testing.T) {
	const raise = 30 * time.Second
	p := pmtudPair(t, 1603, 8972, tunnelMTU, raise)
	convergeTime(t, p, time.Minute, converged(p.A, tunnelMTU))
	done := p.Now
	require.NoError(t, p.Net.SetLinkBoth(p.AddrA, p.AddrZ, sim.LinkConfig{Delay: 10 * time.Millisecond}))
	d := convergeTime(t, p, 2*raise, converged(p.A, 8972))
	t.Logf("grew to 8972 %v after the search completed (raise timer %v)", p.Now.Sub(done), raise)
	require.LessOrEqual(t, p.Now.Sub(done), raise+2*time.Second)
	require.Positive(t, d)
}

// PROBE_TIMER defaults to 15 s (RFC 8899 Section 5.1.1: it "MUST NOT be
// smaller than 1 second and SHOULD be larger than 15 seconds"): a probe
// of a size the link does not carry is sent again 15 s later, MAX_PROBES
// times, though the path's RTO is 1 s; the PLPMTU found so far carries
// the data meanwhile.
// https://www.rfc-editor.org/rfc/rfc8899#section-5.1.1
func TestPMTUDProbeTimerDefault(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(1604)
	for _, c := range []*association.Config{&cfgA, &cfgZ} {
		c.MTU = 1452
		c.PMTUD = association.PMTUDConfig{Enabled: true}
	}
	link := scenarioLink
	link.MTU = 1400
	logSeedOnFailure(t, 1604)
	p, err := associationtest.NewPair(1604, cfgA, cfgZ, link)
	require.NoError(t, err)
	c := capturePackets(p)
	require.NoError(t, p.Handshake())
	took := convergeTime(t, p, 10*time.Minute, converged(p.A, 1400))
	var big []timer.Time // the probes of 1452 bytes
	for _, s := range c.with(p.AddrA, chunk.TypePad) {
		if len(s.pkt.Bytes()) == 1452 {
			big = append(big, s.at)
		}
	}
	require.Len(t, big, association.DefaultPMTUDMaxProbes)
	for _, d := range intervals(big) {
		require.Equal(t, association.DefaultPMTUDProbeTimer, d, "a lost probe is sent again after PROBE_TIMER")
	}
	t.Logf("1400-byte link below a 1452 interface: found in %v with the default PROBE_TIMER", took)
	require.Greater(t, took, 3*association.DefaultPMTUDMaxProbes*association.DefaultPMTUDProbeTimer,
		"3 sizes fail, each MAX_PROBES times PROBE_TIMER")
}

// The server's search starts with the association too, and its first
// probe does not overtake its COOKIE ACK (a HEARTBEAT reaching the client
// in COOKIE-ECHOED goes unanswered): on a perfect link no probe of either
// end is lost, so both converge within a few round trips, not a
// PROBE_TIMER later.
func TestPMTUDServerFirstProbe(t *testing.T) {
	p := pmtudPair(t, 1605, 1452, 0, 600*time.Second)
	convergeTime(t, p, 500*time.Millisecond, func() bool {
		return converged(p.A, 1452)() && converged(p.Z, 1452)()
	})
	for _, a := range []*association.Association{p.A, p.Z} {
		st := a.Stats()
		require.Equal(t, uint64(2), st.PMTUProbesSent, "BASE_PLPMTU, then MAX_PLPMTU")
		require.Equal(t, st.PMTUProbesSent, st.PMTUProbesAcked)
	}
}

// The HEARTBEAT ACK of a probe finds its path after the peer deleted an
// address before it (RFC 5061 Section 5.3 F13), which moves the path down
// the list its probe named it by: the probe is acknowledged, not taken
// for stale.
func TestPMTUDProbeAckAfterPathDeleted(t *testing.T) {
	p, _ := asconfPair(t, 1620, scenarioLink, func(a, z *association.Config) {
		z.PMTUD = association.PMTUDConfig{Enabled: true, ProbeTimer: 5 * time.Second}
	})
	require.NoError(t, p.A.AddLocalAddr(p.Now, addrA2.Addr()))
	require.True(t, p.RunUntil(10*time.Second, func() bool {
		ps := p.Z.Paths()
		return len(ps) == 2 && ps[1].State == association.PathActive
	}))
	// Hold the answer to a probe of the new path.
	var held []byte
	var heldFrom netip.AddrPort
	remove := p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if held != nil {
			return sim.Pass
		}
		pkt, err := packet.Parse(d.Data, packet.Options{AcceptZeroChecksum: true})
		if err != nil {
			return sim.Pass
		}
		it := pkt.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			var ack chunk.HeartbeatAck
			// A probe's information: path index (the second path),
			// nonce, time, size.
			if r.Type == chunk.TypeHeartbeatAck && parseOK(&ack, r.Bytes) && len(ack.Info) == 24 &&
				binary.BigEndian.Uint32(ack.Info) == 1 {
				held, heldFrom = append([]byte(nil), d.Data...), d.From
				return sim.Drop
			}
		}
		return sim.Pass
	})
	require.True(t, p.RunUntil(10*time.Second, func() bool { return held != nil }), "no probe of the new path")
	remove()
	require.NoError(t, p.A.DeleteLocalAddr(p.Now, associationtest.AddrA.Addr()))
	require.True(t, p.RunUntil(time.Second, func() bool { return len(p.Z.Paths()) == 1 }))
	acked := p.Z.Stats().PMTUProbesAcked
	p.Net.Send(p.Now, heldFrom, associationtest.AddrZ, held)
	p.Run(50 * time.Millisecond)
	require.Equal(t, acked+1, p.Z.Stats().PMTUProbesAcked)
}

// parseOK reports whether c parses from b.
func parseOK(c interface{ Parse([]byte) (int, error) }, b []byte) bool {
	_, err := c.Parse(b)
	return err == nil
}
