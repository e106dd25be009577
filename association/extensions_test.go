package association_test

import (
	"testing"

	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// initParamsOf returns the parameters of the INIT or INIT ACK chunk of
// type t that from sent first.
func initParamsOf(t *testing.T, c *capture, from sentAddr, ct chunk.Type) []chunk.Param {
	t.Helper()
	pkts := c.with(from, ct)
	require.NotEmpty(t, pkts, "no %v from %v", ct, from)
	r, _ := pkts[0].chunk(ct)
	if ct == chunk.TypeInit {
		var in chunk.Init
		parseChunk(t, r, &in)
		return in.Params
	}
	var ia chunk.InitAck
	parseChunk(t, r, &ia)
	return ia.Params
}

// offer summarises what INIT or INIT ACK parameters offer: the
// Forward-TSN-Supported parameter, the Supported Extensions list, and
// whether Forward-TSN-Supported is reported as unrecognized.
type offer struct {
	forwardTSN   bool
	extensions   []chunk.Type
	hasExtParam  bool
	unrecognized bool
}

func offerOf(ps []chunk.Param) offer {
	var o offer
	for _, p := range ps {
		switch p := p.(type) {
		case *chunk.ForwardTSNSupported:
			o.forwardTSN = true
		case *chunk.SupportedExtensions:
			o.hasExtParam, o.extensions = true, p.Types
		case *chunk.UnrecognizedParameter:
			if len(p.Param) >= 2 && chunk.ParamType(uint16(p.Param[0])<<8|uint16(p.Param[1])) == chunk.ParamForwardTSNSupported {
				o.unrecognized = true
			}
		}
	}
	return o
}

// TestPRSCTPNegotiation checks the offer of RFC 3758 Section 3.3 and RFC
// 5061 Section 4.2.7 in INIT and INIT ACK, on by default and switchable
// off on either side, and that PR-SCTP is in use only when both offer it.
// RE-CONFIG (RFC 6525) is listed beside FORWARD-TSN, on whatever the
// PR-SCTP switch says.
func TestPRSCTPNegotiation(t *testing.T) {
	for _, tc := range []struct {
		name         string
		offA, offZ   bool
		wantA, wantZ offer
		active       bool
	}{
		{"both", false, false,
			offer{forwardTSN: true, hasExtParam: true, extensions: []chunk.Type{chunk.TypeForwardTSN, chunk.TypeReConfig, chunk.TypeAuth}},
			offer{forwardTSN: true, hasExtParam: true, extensions: []chunk.Type{chunk.TypeForwardTSN, chunk.TypeReConfig, chunk.TypeAuth}}, true},
		{"A off", true, false, offer{hasExtParam: true, extensions: []chunk.Type{chunk.TypeReConfig, chunk.TypeAuth}},
			offer{forwardTSN: true, hasExtParam: true, extensions: []chunk.Type{chunk.TypeForwardTSN, chunk.TypeReConfig, chunk.TypeAuth}}, false},
		// RFC 3758 Section 3.3.2: Z, not supporting it, reports the
		// Forward-TSN-Supported parameter of the INIT as unrecognized.
		{"Z off", false, true,
			offer{forwardTSN: true, hasExtParam: true, extensions: []chunk.Type{chunk.TypeForwardTSN, chunk.TypeReConfig, chunk.TypeAuth}},
			offer{unrecognized: true, hasExtParam: true, extensions: []chunk.Type{chunk.TypeReConfig, chunk.TypeAuth}}, false},
		{"both off", true, true,
			offer{hasExtParam: true, extensions: []chunk.Type{chunk.TypeReConfig, chunk.TypeAuth}},
			offer{hasExtParam: true, extensions: []chunk.Type{chunk.TypeReConfig, chunk.TypeAuth}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfgA, cfgZ := scenarioConfigs(1)
			cfgA.PartialReliabilityDisabled, cfgZ.PartialReliabilityDisabled = tc.offA, tc.offZ
			p, c := newScenarioPair(t, 1, cfgA, cfgZ)
			require.NoError(t, p.Handshake())
			require.Equal(t, tc.wantA, offerOf(initParamsOf(t, c, associationtest.AddrA, chunk.TypeInit)))
			require.Equal(t, tc.wantZ, offerOf(initParamsOf(t, c, associationtest.AddrZ, chunk.TypeInitAck)))
			require.Equal(t, tc.active, p.A.PartialReliability())
			require.Equal(t, tc.active, p.Z.PartialReliability())
		})
	}
}

// TestPRSCTPNegotiationSupportedExtensionsAlone: a peer that lists
// FORWARD-TSN in its Supported Extensions parameter without the
// Forward-TSN-Supported parameter offers PR-SCTP too.
func TestPRSCTPNegotiationSupportedExtensionsAlone(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(2)
	p, _ := newScenarioPair(t, 2, cfgA, cfgZ)
	drop := 0
	p.Net.AddFilter(stripForwardTSNSupported(&drop))
	require.NoError(t, p.Handshake())
	require.Equal(t, 2, drop, "the INIT and INIT ACK were rewritten")
	require.True(t, p.A.PartialReliability())
	require.True(t, p.Z.PartialReliability())
}

// stripForwardTSNSupported returns a filter that removes the
// Forward-TSN-Supported parameter from INIT and INIT ACK chunks, counting
// the packets rewritten in n.
func stripForwardTSNSupported(n *int) sim.Filter {
	return func(d *sim.Datagram) sim.Verdict {
		pkt, err := packet.Parse(append([]byte(nil), d.Data...), packet.Options{})
		if err != nil {
			return sim.Pass
		}
		it := pkt.Chunks()
		r, ok := it.Next()
		if !ok {
			return sim.Pass
		}
		keep := func(ps []chunk.Param) []chunk.Param {
			var out []chunk.Param
			for _, p := range ps {
				if _, ok := p.(*chunk.ForwardTSNSupported); !ok {
					out = append(out, p)
				}
			}
			return out
		}
		var c chunk.Chunk
		switch r.Type {
		case chunk.TypeInit:
			var in chunk.Init
			if _, err := in.Parse(r.Bytes); err != nil {
				return sim.Pass
			}
			in.Params = keep(in.Params)
			c = &in
		case chunk.TypeInitAck:
			var ia chunk.InitAck
			if _, err := ia.Parse(r.Bytes); err != nil {
				return sim.Pass
			}
			ia.Params = keep(ia.Params)
			c = &ia
		default:
			return sim.Pass
		}
		d.Data = packetOf(pkt.Header, c)
		*n++
		return sim.Pass
	}
}
