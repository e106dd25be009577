package association_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// gen_sctp sctp_peer_addr_params (RFC 6458 Section 8.1.12): per-address
// heartbeat interval, Path.Max.Retrans, path MTU, SACK delay and flags.
func TestPathParams(t *testing.T) {
	m := newMHPair(t, 71)
	a := m.A
	pp, err := a.GetPathParams(z2.Addr())
	require.NoError(t, err)
	require.Equal(t, association.HBEnable|association.PMTUDDisable|association.SACKDelayEnable, pp.Flags)
	require.Equal(t, "hb_enable pmtud_disable sackdelay_enable", pp.Flags.String())

	require.NoError(t, a.SetPathParams(m.Now, z2.Addr(), association.PathParams{
		HeartbeatInterval: 5 * time.Second, PathMaxRetrans: 7, PathMTU: 1200,
		SACKDelay: 100 * time.Millisecond, Flags: association.HBDisable | association.SACKDelayDisable}))
	pp, err = a.GetPathParams(z2.Addr())
	require.NoError(t, err)
	require.Equal(t, association.PathParams{HeartbeatInterval: 5 * time.Second, PathMaxRetrans: 7,
		PathMTU: 1200, SACKDelay: 100 * time.Millisecond,
		Flags: association.HBDisable | association.PMTUDDisable | association.SACKDelayDisable}, pp)
	// The other path is unchanged except for the association-wide SACK delay.
	pp1, _ := a.GetPathParams(z1.Addr())
	require.True(t, pp1.Flags&association.HBEnable != 0)
	require.Equal(t, 3, pp1.PathMaxRetrans)

	// Invalid values change nothing and say why.
	for _, bad := range []association.PathParams{
		{Flags: association.HBEnable | association.HBDisable},
		{Flags: association.SACKDelayEnable | association.SACKDelayDisable},
		{PathMaxRetrans: -1},
		{PathMTU: 100},
		{SACKDelay: time.Second},
	} {
		require.ErrorIs(t, a.SetPathParams(m.Now, z2.Addr(), bad), association.ErrInvalidPathParams, "%+v", bad)
	}
	require.ErrorIs(t, a.SetPathParams(m.Now, netip.MustParseAddr("192.0.2.1"), association.PathParams{}),
		association.ErrNoSuchPath)
	pp, _ = a.GetPathParams(z2.Addr())
	require.Equal(t, 7, pp.PathMaxRetrans, "unchanged by the refused calls")

	// A heartbeat disabled path sends no heartbeats while idle; hb_demand
	// sends one at once.
	heartbeats := 0
	m.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if ct, ok := sim.FirstChunkType(d.Data); ok && ct == chunk.TypeHeartbeat && d.From == a2 {
			heartbeats++
		}
		return sim.Pass
	})
	m.Run(20 * time.Second)
	require.Zero(t, heartbeats, "no heartbeats on a disabled path")
	require.NoError(t, a.SetPathParams(m.Now, z2.Addr(), association.PathParams{Flags: association.HBDemand}))
	m.Exchange()
	require.Equal(t, 1, heartbeats, "one heartbeat on demand")
	// Zero address: every path.
	require.NoError(t, a.SetPathParams(m.Now, netip.Addr{}, association.PathParams{PathMaxRetrans: 9}))
	for _, addr := range []netip.Addr{z1.Addr(), z2.Addr()} {
		pp, _ := a.GetPathParams(addr)
		require.Equal(t, 9, pp.PathMaxRetrans)
	}
}

// RFC 9260 Section 3.3.2.1.5: "This parameter, when present, specifies
// all the address types the sending endpoint can support." The INIT ACK
// lists only local addresses of those types.
func TestSupportedAddressTypes(t *testing.T) {
	cfg := associationtest.Config(81, 5001, 5000)
	cfg.LocalAddrs = []netip.Addr{netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("fd00::2")}
	acc, err := association.NewAcceptor(cfg)
	require.NoError(t, err)
	for _, tc := range []struct {
		types []chunk.ParamType
		want  []chunk.ParamType
	}{
		{nil, []chunk.ParamType{chunk.ParamIPv4Address, chunk.ParamIPv6Address}},
		{[]chunk.ParamType{chunk.ParamIPv4Address}, []chunk.ParamType{chunk.ParamIPv4Address}},
		{[]chunk.ParamType{chunk.ParamIPv6Address}, []chunk.ParamType{chunk.ParamIPv6Address}},
	} {
		init := &chunk.Init{InitiateTag: 7, ARwnd: 65536, OutboundStreams: 1, InboundStreams: 1, InitialTSN: 1}
		if tc.types != nil {
			init.Params = []chunk.Param{&chunk.SupportedAddressTypes{Types: tc.types}}
		}
		reply := acc.HandleInit(0, packet.Header{SrcPort: 5000, DstPort: 5001}, init, nil)
		p, err := packet.Parse(reply, packet.Options{})
		require.NoError(t, err)
		it := p.Chunks()
		r, _ := it.Next()
		var ack chunk.InitAck
		_, err = ack.Parse(r.Bytes)
		require.NoError(t, err)
		var got []chunk.ParamType
		for _, prm := range ack.Params {
			if t := prm.ParamType(); t == chunk.ParamIPv4Address || t == chunk.ParamIPv6Address {
				got = append(got, t)
			}
		}
		require.Equal(t, tc.want, got, "INIT supports %v", tc.types)
	}
}
