package association_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/stretchr/testify/require"
)

// ptbRouter drops the datagrams from A larger than mtu (a link of that
// SCTP packet budget) and, when send is true, reports each to A as a PTB
// message of the IP size, quoting the packet's first 8 bytes.
func ptbRouter(t *testing.T, p *associationtest.Pair, mtu int, send *bool) {
	t.Helper()
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if d.From != p.AddrA || len(d.Data) <= mtu {
			return sim.Pass
		}
		if *send {
			q := append([]byte(nil), d.Data[:8]...)
			require.NoError(t, p.A.HandlePTB(p.Now, association.PTB{To: d.To, MTU: mtu + 28, Quoted: q}))
		}
		return sim.Drop
	})
}

// A validated PTB message speeds up the search (RFC 8899 Section 4.6.2:
// the size it reports is probed next) and a PTB below the PLPMTU makes
// the path fall back at once; without PTB messages the same path takes
// the lost probes' timers.
// https://www.rfc-editor.org/rfc/rfc8899#section-4.6.2
func TestPMTUDPTBSearch(t *testing.T) {
	took := map[bool]time.Duration{}
	for _, usePTB := range []bool{false, true} {
		p := pmtudPair(t, 1620, 1452, 0, 0)
		send := usePTB
		ptbRouter(t, p, 1400, &send)
		took[usePTB] = convergeTime(t, p, time.Minute, converged(p.A, 1400))
	}
	t.Logf("to 1400: %v with PTB messages, %v without", took[true], took[false])
	require.Less(t, took[true], time.Second, "no probe timer runs out")
	require.Greater(t, took[false], 5*time.Second)

	// The MTU drops to a tunnel's in SEARCH_COMPLETE: the PTB makes the
	// PLPMTU BASE_PLPMTU at once and the tunnel's size is probed next.
	p := pmtudPair(t, 1621, 1452, 0, 0)
	convergeTime(t, p, time.Minute, converged(p.A, 1452))
	send := true
	ptbRouter(t, p, tunnelMTU, &send)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, make([]byte, 3000)))
	d := convergeTime(t, p, time.Minute, converged(p.A, tunnelMTU))
	require.Less(t, d, time.Second)
}

// A PTB message that does not quote a packet of the association, its
// ports and the peer's verification tag (RFC 9260 Appendix C), or that
// names no path, is refused with ErrInvalidPTB and changes nothing;
// sizes the search cannot use (below BASE_PLPMTU, at least the size
// probed) are ignored (RFC 8899 Section 4.6.2).
func TestPMTUDPTBValidation(t *testing.T) {
	p := pmtudPair(t, 1622, 1452, 0, 0)
	convergeTime(t, p, time.Minute, converged(p.A, 1452))
	var good []byte
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if d.From == p.AddrA && good == nil {
			good = append([]byte(nil), d.Data[:8]...)
		}
		return sim.Pass
	})
	require.NoError(t, p.A.SendDefault(p.Now, 0, []byte("x")))
	p.Exchange()
	require.NotNil(t, good)
	bad := func(i int) []byte {
		q := append([]byte(nil), good...)
		q[i] ^= 1
		return q
	}
	before := onlyPath(p.A)
	for name, ptb := range map[string]association.PTB{
		"source port":      {To: p.AddrZ, MTU: 1280, Quoted: bad(1)},
		"destination port": {To: p.AddrZ, MTU: 1280, Quoted: bad(3)},
		"tag":              {To: p.AddrZ, MTU: 1280, Quoted: bad(7)},
		"short":            {To: p.AddrZ, MTU: 1280, Quoted: good[:7]},
		"no path":          {To: netip.MustParseAddrPort("192.0.2.9:9899"), MTU: 1280, Quoted: good},
	} {
		require.ErrorIs(t, p.A.HandlePTB(p.Now, ptb), association.ErrInvalidPTB, name)
	}
	for _, mtu := range []int{1000, 1452 + 28, 9000} {
		require.NoError(t, p.A.HandlePTB(p.Now, association.PTB{To: p.AddrZ, MTU: mtu, Quoted: good}))
	}
	p.Exchange()
	require.Equal(t, before, onlyPath(p.A))
}

// A PTB message that quotes one of our probes far enough to show its
// Heartbeat Information must name the probe outstanding: its nonce is
// checked (RFC 8899 Section 4.6.1), and a quote of an older or forged
// probe is refused with ErrInvalidPTB; the genuine one is used. A quote
// too short to show the nonce passes on the ports and the tag.
// https://www.rfc-editor.org/rfc/rfc8899#section-4.6.1
func TestPMTUDPTBQuotedProbe(t *testing.T) {
	p := pmtudPair(t, 1623, 1452, 0, 0)
	var probe []byte
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if d.From != p.AddrA || len(d.Data) <= 1400 {
			return sim.Pass
		}
		probe = append([]byte(nil), d.Data[:64]...) // what an ICMPv6 router quotes, and more
		return sim.Drop
	})
	require.True(t, p.RunUntil(time.Minute, func() bool { return probe != nil }))
	ptb := func(q []byte) error {
		return p.A.HandlePTB(p.Now, association.PTB{To: p.AddrZ, MTU: 1400 + 28, Quoted: q})
	}
	forged := append([]byte(nil), probe...)
	forged[12+4+4+4] ^= 1 // the nonce
	require.ErrorIs(t, ptb(forged), association.ErrInvalidPTB)
	require.Zero(t, p.A.Stats().PTBsReceived)

	require.NoError(t, ptb(probe))
	require.Equal(t, uint64(1), p.A.Stats().PTBsReceived)
	d := convergeTime(t, p, time.Minute, func() bool { return onlyPath(p.A).MTU == 1400 })
	require.Less(t, d, time.Second, "the size reported is probed next")

	require.NoError(t, ptb(probe[:12+4+4+4+7]))
	require.Equal(t, uint64(2), p.A.Stats().PTBsReceived)
}
