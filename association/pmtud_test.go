package association_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/stretchr/testify/require"
)

// PMTUDConfig is checked with the rest of the configuration: RFC 8899
// Section 5.1.1, PROBE_TIMER "MUST NOT be smaller than 1 second".
func TestPMTUDConfigValidate(t *testing.T) {
	base := associationtest.Config(1, 5000, 5001)
	base.PMTUD.Enabled = true
	good := base.WithDefaults()
	require.NoError(t, good.Validate())
	require.Equal(t, association.DefaultPMTUDProbeTimer, good.PMTUD.ProbeTimer)
	require.Equal(t, association.DefaultPMTUDRaiseTimer, good.PMTUD.RaiseTimer)
	require.Equal(t, association.DefaultPMTUDMaxProbes, good.PMTUD.MaxProbes)
	for name, bad := range map[string]association.PMTUDConfig{
		"ProbeTimer": {ProbeTimer: 500 * time.Millisecond},
		"RaiseTimer": {ProbeTimer: 2 * time.Second, RaiseTimer: time.Second},
		"MaxProbes":  {MaxProbes: -1},
		"Base":       {Base: 100},
	} {
		c := base
		c.PMTUD = bad
		c = c.WithDefaults()
		err := c.Validate()
		require.ErrorIs(t, err, association.ErrInvalidConfig, name)
		require.ErrorContains(t, err, "PMTUD."+name)
	}
}

// BASE_PLPMTU is 1200 bytes less the IP and UDP headers of the path's
// family (RFC 8899 Section 5.1.2, RFC 6951 Section 5.6): 1152 for IPv6.
func TestPMTUDBaseIPv6(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(1610)
	cfgA.PMTUD.Enabled, cfgZ.PMTUD.Enabled = true, true
	a6 := netip.MustParseAddrPort("[2001:db8::1]:9899")
	z6 := netip.MustParseAddrPort("[2001:db8::2]:9899")
	link := scenarioLink
	link.MTU = 1200
	p, err := associationtest.NewMultihomedPair(1610, cfgA, cfgZ, link,
		[]netip.AddrPort{a6}, []netip.AddrPort{z6})
	require.NoError(t, err)
	require.Equal(t, 1152, onlyPath(p.A).MTU, "the INIT goes within BASE_PLPMTU")
	require.NoError(t, p.Handshake())
	convergeTime(t, p, time.Minute, converged(p.A, 1200))
}

// A path that does not carry BASE_PLPMTU: MAX_PROBES lost probes of it
// enter ERROR (RFC 8899 Section 5.2), where the path uses MinMTU and
// data still flows; BASE_PLPMTU is probed again, and once it passes the
// search goes on.
func TestPMTUDErrorState(t *testing.T) {
	p := pmtudPair(t, 1611, 1452, 1000, 0)
	require.True(t, p.RunUntil(time.Minute, func() bool { return onlyPath(p.A).PMTUD == association.PLPMTUDError }))
	require.Equal(t, association.MinMTU, onlyPath(p.A).MTU)
	require.Equal(t, 50, transferUntil(t, p, 1500, 50, 0, nil), "data goes in packets of MinMTU")
	require.Equal(t, association.PLPMTUDError, onlyPath(p.A).PMTUD)
	require.NoError(t, p.Net.SetLinkBoth(p.AddrA, p.AddrZ, scenarioLink))
	d := convergeTime(t, p, time.Minute, converged(p.A, 1452))
	require.LessOrEqual(t, d, 5*time.Second, "BASE_PLPMTU probed each PROBE_TIMER")
}

// gen_sctp's sctp_peer_addr_params: pmtud_enable starts PLPMTUD on a
// path with a fixed MTU, pathmtu with it caps the search (MAX_PLPMTU),
// pmtud_disable keeps the PLPMTU found as the fixed budget; the flags
// and PathInfo report it.
func TestPMTUDPathParams(t *testing.T) {
	p := pmtudPair(t, 1612, 1452, 1400, 0)
	a, addr := p.A, p.AddrZ.Addr()
	require.NoError(t, a.SetPathParams(p.Now, addr, association.PathParams{Flags: association.PMTUDDisable}))
	pp, err := a.GetPathParams(addr)
	require.NoError(t, err)
	require.Equal(t, association.PMTUDDisable, pp.Flags&(association.PMTUDEnable|association.PMTUDDisable))
	require.Equal(t, association.PLPMTUDDisabled, onlyPath(a).PMTUD)
	fixed := onlyPath(a).MTU
	p.Run(time.Minute)
	require.Equal(t, fixed, onlyPath(a).MTU, "no probing while disabled")
	require.Equal(t, 1172, fixed, "still BASE_PLPMTU: disabled before the search went anywhere")

	require.NoError(t, a.SetPathParams(p.Now, addr, association.PathParams{Flags: association.PMTUDEnable, PathMTU: 1300}))
	pp, _ = a.GetPathParams(addr)
	require.Equal(t, association.PMTUDEnable, pp.Flags&(association.PMTUDEnable|association.PMTUDDisable))
	convergeTime(t, p, time.Minute, converged(a, 1300))

	require.NoError(t, a.SetPathParams(p.Now, addr, association.PathParams{PathMTU: 2000}))
	convergeTime(t, p, time.Minute, converged(a, 1400))
	pp, _ = a.GetPathParams(addr)
	require.Equal(t, 1400, pp.PathMTU, "the PLPMTU found")

	require.NoError(t, a.SetPathParams(p.Now, addr, association.PathParams{Flags: association.PMTUDDisable, PathMTU: 1000}))
	require.Equal(t, 1000, onlyPath(a).MTU)
	require.Equal(t, association.PLPMTUDDisabled, onlyPath(a).PMTUD)
}

// Without Config.PMTUD the path keeps Config.MTU and sends no probe;
// pmtud_enable on every path (the zero address) starts the search.
func TestPMTUDOffByDefault(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(1613)
	link := scenarioLink
	link.MTU = 1400
	p, err := associationtest.NewPair(1613, cfgA, cfgZ, link)
	require.NoError(t, err)
	require.NoError(t, p.Handshake())
	p.Run(time.Minute)
	require.Zero(t, p.A.Stats().PMTUProbesSent)
	require.Equal(t, association.DefaultMTU, onlyPath(p.A).MTU)
	require.Equal(t, association.PLPMTUDDisabled, onlyPath(p.A).PMTUD)
	require.NoError(t, p.A.SetPathParams(p.Now, netip.Addr{}, association.PathParams{Flags: association.PMTUDEnable}))
	convergeTime(t, p, time.Minute, converged(p.A, 1400))
	require.Positive(t, p.A.Stats().PMTUProbesAcked)
}

// MAX_PLPMTU comes from the interface toward the peer when
// PMTUDConfig.InterfaceMTU knows it (RFC 8899 Section 5.1.2), less the
// IP and UDP headers, whatever Config.MTU says; unknown, Config.MTU.
func TestPMTUDInterfaceMTU(t *testing.T) {
	for _, tc := range []struct {
		iface, want int
	}{{4000, 4000 - 28}, {0, association.DefaultMTU}} {
		cfgA, cfgZ := scenarioConfigs(1614)
		for _, c := range []*association.Config{&cfgA, &cfgZ} {
			c.PMTUD = association.PMTUDConfig{Enabled: true, ProbeTimer: c.PMTUD.ProbeTimer, InterfaceMTU: func(peer netip.Addr) int {
				require.True(t, peer.Is4())
				return tc.iface
			}}
		}
		p, err := associationtest.NewPair(1614, cfgA, cfgZ, scenarioLink)
		require.NoError(t, err)
		require.NoError(t, p.Handshake())
		convergeTime(t, p, time.Minute, converged(p.A, tc.want))
	}
}
