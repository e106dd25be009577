package endpoint_test

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// rateServer returns a listening server endpoint (SCTP port 7) with the
// INIT rate limit given.
func rateServer(t *testing.T, rate, burst int) *endpoint.Endpoint {
	t.Helper()
	cfg := endpointtest.Config(1, 7)
	cfg.InitRate, cfg.InitBurst = rate, burst
	s, err := endpoint.New(cfg, 0)
	require.NoError(t, err)
	s.Listen(true)
	return s
}

// inits sends n INITs (from SCTP ports 1000 on, each a new association)
// from src to s at now and returns how many got an answer; the others
// must be dropped for the rate.
func inits(t *testing.T, s *endpoint.Endpoint, now timer.Time, src netip.AddrPort, n int) int {
	t.Helper()
	answered := 0
	for i := range n {
		err := s.HandleDatagram(&association.Datagram{Now: now, From: src, To: addrS.Addr(), Data: build(uint16(1000+i), 7, 0, initChunk(chunk.VerificationTag(i+1)))})
		var de *endpoint.DropError
		if errors.As(err, &de) && de.Reason == endpoint.DropInitRate {
			continue
		}
		require.NoError(t, err)
		answered++
	}
	for _, o := range outputs(now, s) {
		_, first := parsed(t, o.Data)
		require.Equal(t, chunk.TypeInitAck, first.Type)
		require.Equal(t, src, o.To)
	}
	return answered
}

// Config.InitRate and Config.InitBurst: a token bucket per source. RFC
// 9260 Section 12.2.4.1 asks for "avoiding commitment of limited resources
// before determining that the request for service is legitimate" and
// "giving priority to completion of processing in progress over the
// acceptance of new work": an INIT over the rate gets nothing (no INIT
// ACK, no HMAC computed); the peer retransmits it on T1-init (Section
// 5.1.6). Other sources keep their own allowance, and the bucket refills
// with time.
func TestInitRateLimit(t *testing.T) {
	s := rateServer(t, 10, 5)
	a := netip.MustParseAddrPort("192.0.2.1:9899")
	b := netip.MustParseAddrPort("192.0.2.2:9899")
	require.Equal(t, 5, inits(t, s, 0, a, 20), "the burst")
	require.Equal(t, 5, inits(t, s, 0, b, 20), "another source is not slowed")
	require.Equal(t, 0, inits(t, s, timer.Time(50*time.Millisecond), a, 1), "less than one interval later")
	require.Equal(t, 1, inits(t, s, timer.Time(100*time.Millisecond), a, 5), "one interval later")
	require.Equal(t, 5, inits(t, s, timer.Time(10*time.Second), a, 20), "idle: the burst again, no more")
	// Another UDP port of the same IP is the same source.
	require.Equal(t, 0, inits(t, s, timer.Time(10*time.Second), netip.AddrPortFrom(a.Addr(), 40000), 1))
	require.Zero(t, s.Len(), "no state for an INIT")
}

// IPv6 sources are /64 prefixes: a host may pick any interface identifier
// in its prefix (RFC 8981), so addresses of one /64 share an allowance;
// another /64 has its own.
func TestInitRateLimitIPv6Prefix(t *testing.T) {
	s := rateServer(t, 10, 3)
	require.Equal(t, 3, inits(t, s, 0, netip.MustParseAddrPort("[2001:db8:1:2::1]:9899"), 2)+
		inits(t, s, 0, netip.MustParseAddrPort("[2001:db8:1:2:ffff::7]:9899"), 3))
	require.Equal(t, 3, inits(t, s, 0, netip.MustParseAddrPort("[2001:db8:1:3::1]:9899"), 4))
}

// A negative InitRate turns the limit off; the bounds are checked, by New
// and by SetInitRate, which changes nothing on an error.
func TestInitRateConfig(t *testing.T) {
	s := rateServer(t, -1, 0)
	require.Equal(t, 1000, inits(t, s, 0, addrC, 1000))

	s = rateServer(t, 0, 0)
	cfg := s.Config()
	require.Equal(t, endpoint.DefaultInitRate, cfg.InitRate)
	require.Equal(t, endpoint.DefaultInitBurst, cfg.InitBurst)
	for _, c := range [][2]int{{endpoint.MaxInitRate + 1, 1}, {1, endpoint.MaxInitBurst + 1}, {1, -1}} {
		bad := endpointtest.Config(1, 7)
		bad.InitRate, bad.InitBurst = c[0], c[1]
		_, err := endpoint.New(bad, 0)
		require.ErrorIs(t, err, endpoint.ErrInvalidConfig, "%v", c)
		require.ErrorIs(t, s.SetInitRate(c[0], c[1]), endpoint.ErrInvalidConfig, "%v", c)
	}
	require.Equal(t, cfg, s.Config())
	require.NoError(t, s.SetInitRate(1, 2))
	require.Equal(t, 2, inits(t, s, 0, addrC, 3))
	require.NoError(t, s.SetInitRate(-1, 0))
	require.Equal(t, 3, inits(t, s, 0, addrC, 3), "off")
}

// SetMaxAssociations lowers or raises the limit of a live endpoint: the
// associations held stay, new ones wait for room.
func TestSetMaxAssociations(t *testing.T) {
	st := newSetup(t, 21, nil)
	st.connect(t)
	require.ErrorIs(t, st.s.SetMaxAssociations(-1), endpoint.ErrInvalidConfig)
	require.NoError(t, st.s.SetMaxAssociations(1))
	require.Equal(t, 1, st.s.Config().MaxAssociations)
	_ = st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: stranger, To: addrS.Addr(), Data: build(5000, 7, 0, initChunk(0x77))})
	outs := outputs(st.w.Now, st.s)
	require.Len(t, outs, 1)
	_, first := parsed(t, outs[0].Data)
	c, _, err := chunk.Parse(first.Bytes)
	require.NoError(t, err)
	require.Equal(t, []chunk.Cause{&chunk.OutOfResourceCause{}}, c.(*chunk.Abort).Causes)
	require.Equal(t, 1, st.s.Len())
	require.NoError(t, st.s.SetMaxAssociations(0))
	_ = st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: stranger, To: addrS.Addr(), Data: build(5000, 7, 0, initChunk(0x77))})
	outs = outputs(st.w.Now, st.s)
	require.Len(t, outs, 1)
	_, first = parsed(t, outs[0].Data)
	require.Equal(t, chunk.TypeInitAck, first.Type, "no limit")
}
