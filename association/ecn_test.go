package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// ecnSent is one packet a filter saw, with its ECN field and chunks.
type ecnSent struct {
	fromA bool
	ecn   uint8
	types []chunk.Type
	ecne  chunk.TSN // the ECNE's Lowest TSN, if any
	cwr   chunk.TSN // the CWR's, if any
	data  chunk.TSN // the first DATA chunk's TSN, if any
}

func (s ecnSent) has(t chunk.Type) bool {
	for _, u := range s.types {
		if u == t {
			return true
		}
	}
	return false
}

// ecnCapture records every packet of p with its ECN field; mark, if not
// nil, may change the field of each before the link sees it.
func ecnCapture(t *testing.T, p *associationtest.Pair, mark func(s ecnSent) uint8) *[]ecnSent {
	t.Helper()
	var out []ecnSent
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		pkt, err := packet.Parse(append([]byte(nil), d.Data...), packet.Options{AcceptZeroChecksum: true})
		require.NoError(t, err)
		s := ecnSent{fromA: d.From == p.AddrA, ecn: d.ECN}
		it := pkt.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			s.types = append(s.types, r.Type)
			switch r.Type {
			case chunk.TypeECNE:
				var c chunk.ECNE
				parseChunk(t, r, &c)
				s.ecne = c.LowestTSN
			case chunk.TypeCWR:
				var c chunk.CWR
				parseChunk(t, r, &c)
				s.cwr = c.LowestTSN
			case chunk.TypeData:
				var c chunk.Data
				parseChunk(t, r, &c)
				if s.data == 0 {
					s.data = c.TSN // the first DATA chunk's
				}
			}
		}
		if mark != nil {
			d.ECN = mark(s)
			s.ecn = d.ECN
		}
		out = append(out, s)
		return sim.Pass
	})
	return &out
}

// Packets of new DATA go out ECT(0) once ECN is negotiated; control
// packets (handshake, SACKs, heartbeats) and retransmissions stay Not-ECT
// (RFC 3168 Sections 6.1.4 and 6.1.5).
func TestECNMarksNewData(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(1711)
	cfgA.ECN, cfgZ.ECN = true, true
	p, err := associationtest.NewPair(1711, cfgA, cfgZ, scenarioLink)
	require.NoError(t, err)
	lost := false
	sent := ecnCapture(t, p, nil)
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if s := (*sent)[len(*sent)-1]; s.has(chunk.TypeData) && s.data != 0 && !lost {
			lost = true // the first DATA packet, to see its retransmission
			return sim.Drop
		}
		return sim.Pass
	})
	require.NoError(t, p.Handshake())
	for i := range 4 {
		sendAndDeliver(t, p, numbered(i, 100))
	}
	var data, rtx, ctrl int
	seen := map[chunk.TSN]bool{}
	for _, s := range *sent {
		switch {
		case s.has(chunk.TypeData) && seen[s.data]:
			require.Zero(t, s.ecn, "retransmission %v", s.types)
			rtx++
		case s.has(chunk.TypeData):
			seen[s.data] = true
			require.Equal(t, uint8(association.ECT0), s.ecn, "new DATA %v", s.types)
			data++
		default:
			require.Zero(t, s.ecn, "control packet %v", s.types)
			ctrl++
		}
	}
	require.Equal(t, 4, data)
	require.Equal(t, 1, rtx)
	require.Positive(t, ctrl)
}

// A CE mark is echoed in an ECNE with the lowest TSN of the marked
// packet, bundled with every SACK until a CWR for that TSN arrives (RFC
// 3168 Section 6.1.3, RFC 4960 Appendix A); a CWR lost makes the echo go
// on, each ECNE is answered with a CWR, and the sender reduces cwnd once.
func TestECNEchoUntilCWR(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(1712)
	cfgA.ECN, cfgZ.ECN = true, true
	p, err := associationtest.NewPair(1712, cfgA, cfgZ, scenarioLink)
	require.NoError(t, err)
	var marked chunk.TSN
	cwrs := 0
	sent := ecnCapture(t, p, func(s ecnSent) uint8 {
		if s.fromA && s.ecn == uint8(association.ECT0) && marked == 0 {
			marked = s.data
			return uint8(association.CE)
		}
		return s.ecn
	})
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if s := (*sent)[len(*sent)-1]; s.has(chunk.TypeCWR) {
			if cwrs++; cwrs == 1 {
				return sim.Drop // the first CWR is lost
			}
		}
		return sim.Pass
	})
	require.NoError(t, p.Handshake())
	cwnd := onlyPath(p.A).CWnd
	for i := range 10 {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(i, 100)))
		p.Run(50 * time.Millisecond)
	}
	p.Run(time.Second)

	var ecnes, sacks, lastECNE int
	for i, s := range *sent {
		switch {
		case !s.fromA && s.has(chunk.TypeSACK) && ecnes == 0 && !s.has(chunk.TypeECNE):
			sacks++ // before the mark
		case !s.fromA && s.has(chunk.TypeECNE):
			require.Equal(t, marked, s.ecne, "the lowest TSN of the marked packet")
			require.True(t, s.has(chunk.TypeSACK), "ECNE rides with a SACK")
			ecnes++
			lastECNE = i
		case s.fromA && s.has(chunk.TypeCWR):
			require.Equal(t, marked, s.cwr)
		}
	}
	require.GreaterOrEqual(t, ecnes, 2, "the echo went on after the first CWR was lost")
	require.GreaterOrEqual(t, cwrs, 2)
	for _, s := range (*sent)[lastECNE+1:] {
		require.False(t, s.has(chunk.TypeECNE), "no echo after the CWR arrived")
	}
	require.Positive(t, p.Z.Stats().ChunksSent.Of(chunk.TypeSACK)-uint64(ecnes), "later SACKs go without")
	require.Equal(t, uint64(1), p.A.Stats().ECNReductions, "one reduction for one window")
	require.Equal(t, uint64(1), p.Z.Stats().CEMarksReceived)
	require.Less(t, onlyPath(p.A).SSThresh, 1<<20)
	require.LessOrEqual(t, onlyPath(p.A).CWnd, cwnd+10*1500)
}

// An ECNE for a TSN never sent is discarded: it reduces nothing and
// draws no CWR.
func TestECNEForTSNNotSent(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(1713)
	cfgA.ECN, cfgZ.ECN = true, true
	p, err := associationtest.NewPair(1713, cfgA, cfgZ, scenarioLink)
	require.NoError(t, err)
	sent := ecnCapture(t, p, nil)
	require.NoError(t, p.Handshake())
	sendAndDeliver(t, p, numbered(0, 100))
	var last chunk.TSN
	for _, s := range *sent {
		if s.has(chunk.TypeData) {
			last = s.data
		}
	}
	aTag, _ := p.A.Tags()
	forge(p, p.AddrZ, p.AddrA, headerZA(aTag), &chunk.ECNE{LowestTSN: last + 1})
	p.Run(time.Second)
	require.Zero(t, p.A.Stats().ECNReductions)
	require.Zero(t, p.A.Stats().ChunksSent.Of(chunk.TypeCWR))
	require.Equal(t, 1, p.Discards["ECNE for a TSN not sent"])
}
