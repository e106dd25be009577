package api

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// assocConfig returns the configuration of association id of s.
func assocConfig(t *testing.T, s *Socket, id AssocID) association.Config {
	t.Helper()
	var cfg association.Config
	require.NoError(t, s.do(func(timer.Time) error {
		_, a, err := s.assocLocked(id)
		if err == nil {
			cfg = a.Config()
		}
		return err
	}))
	return cfg
}

// get reads one option or fails the test.
func get[T any](t *testing.T, s *Socket, q OptionQuery) T {
	t.Helper()
	v, err := GetOpt[T](s, q)
	require.NoError(t, err)
	return v
}

// Options naming an association change that association only (RFC 6458
// Section 8.1.1: assoc_id 0 is the endpoint); socket-wide options reach
// the live associations too (Reconfigure).
func TestOptionsLiveAssociation(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv)
	id := connect(t, cli, srv).AssocID
	peer := netip.AddrPortFrom(lo, srv.Port())

	require.NoError(t, cli.SetOpts(
		SCTPRtoInfo(RtoInfo{AssocID: id, Initial: 2000, Max: 20000, Min: 500}),
		SCTPAssocInfo(AssocParams{AssocID: id, AssocMaxRxt: 4, CookieLife: 5000}),
		SCTPDelayedAckTime(AssocValue{AssocID: id}),
		SCTPDefaultSendParam(SndRcvInfo{AssocID: id, PPID: 44}),
		Sndbuf(50000), Recbuf(60000), SCTPNodelay(true), SCTPDisableFragments(true),
		SCTPMaxseg(500), SCTPAutoclose(3600),
	))
	require.Equal(t, RtoInfo{AssocID: id, Initial: 2000, Max: 20000, Min: 500},
		get[RtoInfo](t, cli, OptionQuery{Name: "sctp_rtoinfo", AssocID: id}))
	require.Equal(t, RtoInfo{Initial: 1000, Max: 60000, Min: 1000},
		get[RtoInfo](t, cli, OptionQuery{Name: "sctp_rtoinfo"}), "the endpoint keeps its values")
	ai := get[AssocParams](t, cli, OptionQuery{Name: "sctp_associnfo", AssocID: id})
	require.Equal(t, uint16(4), ai.AssocMaxRxt)
	require.Equal(t, uint32(5000), ai.CookieLife)
	require.Equal(t, uint16(1), ai.NumberPeerDestinations)
	require.Positive(t, ai.PeerRwnd)
	require.Equal(t, uint32(60000), ai.LocalRwnd)
	require.Equal(t, AssocValue{AssocID: id}, get[AssocValue](t, cli, OptionQuery{Name: "sctp_delayed_ack_time", AssocID: id}))
	require.Equal(t, AssocValue{AssocValue: 200}, get[AssocValue](t, cli, OptionQuery{Name: "sctp_delayed_ack_time"}))
	require.Equal(t, uint32(44), get[SndRcvInfo](t, cli, OptionQuery{Name: "sctp_default_send_param", AssocID: id}).PPID)

	cfg := assocConfig(t, cli, id)
	require.Equal(t, 50000, cfg.SendBuffer)
	require.Equal(t, 60000, cfg.ReceiveBuffer)
	require.True(t, cfg.NoDelay)
	require.True(t, cfg.DisableFragments)
	require.Equal(t, 500, cfg.MaxSeg)
	require.Equal(t, time.Hour, cfg.Autoclose)
	require.Equal(t, 4, cfg.MaxRetrans)
	require.True(t, cfg.SACKDelayDisabled)
	// sctp_maxseg caps the fragmentation point; disable_fragments refuses
	// larger messages (RFC 9260 Section 6.9).
	st, err := cli.Status(id)
	require.NoError(t, err)
	require.Equal(t, uint32(500), st.FragmentationPoint)
	require.ErrorIs(t, cli.Send(id, 0, make([]byte, 501)), ErrMessageTooLarge)

	// Peer address parameters: one address, then all of them.
	require.NoError(t, cli.SetOpts(SCTPPeerAddrParams(PaddrParams{AssocID: id, Address: peer,
		HbInterval: 1234, PathMaxRxt: 2, PathMtu: 1000, Flags: HBEnable | HBDemand})))
	pp := get[PaddrParams](t, cli, OptionQuery{Name: "sctp_peer_addr_params", AssocID: id, Addr: peer})
	require.Equal(t, PaddrParams{AssocID: id, Address: peer, HbInterval: 1234, PathMaxRxt: 2, PathMtu: 1000,
		SackDelay: 200, Flags: HBEnable | PMTUDDisable | SACKDelayDisable}, pp)
	require.NoError(t, cli.SetOpts(SCTPPeerAddrParams(PaddrParams{AssocID: id, HbInterval: 4321,
		SackDelay: 150, Flags: SACKDelayEnable})))
	whole := get[PaddrParams](t, cli, OptionQuery{Name: "sctp_peer_addr_params", AssocID: id})
	require.Equal(t, uint32(4321), whole.HbInterval)
	require.Equal(t, HBEnable|PMTUDDisable|SACKDelayEnable, whole.Flags)
	pp = get[PaddrParams](t, cli, OptionQuery{Name: "sctp_peer_addr_params", Addr: peer}) // assoc 0: by address
	require.Equal(t, id, pp.AssocID)
	require.Equal(t, uint32(4321), pp.HbInterval, "the zero Address applies to every path")
	require.Equal(t, AssocValue{AssocID: id, AssocValue: 150}, get[AssocValue](t, cli, OptionQuery{Name: "sctp_delayed_ack_time", AssocID: id}))

	// Primary path and status.
	require.NoError(t, cli.SetOpts(SCTPPrimaryAddr(Prim{AssocID: id, Addr: netip.AddrPortFrom(lo, 0)})))
	require.Equal(t, Prim{AssocID: id, Addr: peer}, get[Prim](t, cli, OptionQuery{Name: "sctp_primary_addr", AssocID: id}))
	st, err = cli.Status(id)
	require.NoError(t, err)
	require.Equal(t, id, st.AssocID)
	require.Equal(t, association.StateEstablished, st.State)
	require.Equal(t, "established", st.State.String())
	require.Equal(t, uint16(10), st.Outstrms)
	require.Equal(t, peer, st.Primary.Address)
	require.Equal(t, PaddrActive, st.Primary.State)
	require.Equal(t, uint32(1000), st.Primary.Mtu)
	require.Positive(t, st.Primary.Rto)
	pi, err := cli.PeerAddrInfo(0, peer)
	require.NoError(t, err)
	require.Equal(t, id, pi.AssocID)
	require.Equal(t, st.Primary.Address, pi.Address)
	_, err = cli.PeerAddrInfo(id, netip.MustParseAddrPort("10.9.9.9:1"))
	require.Error(t, err)

	// A peeled-off socket reads its association with assoc_id 0.
	sid := recvEvent[*AssocChange](t, srv).AssocID
	require.NoError(t, srv.SetOpts(Sndbuf(33333)))
	p, err := srv.Peeloff(sid)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	require.Equal(t, 33333, get[int](t, p, OptionQuery{Name: "sndbuf"}))
	pst, err := p.Status(0)
	require.NoError(t, err)
	require.Equal(t, sid, pst.AssocID)
	require.NoError(t, p.SetOpts(SCTPRtoInfo(RtoInfo{Max: 30000})))
	require.Equal(t, uint32(30000), get[RtoInfo](t, p, OptionQuery{Name: "sctp_rtoinfo"}).Max)
	require.ErrorIs(t, p.SetOpts(SCTPAutoclose(5)), ErrNotSupported, "one-to-many only (RFC 6458 Section 8.1.8)")
}

// Recbuf on a live association: the window it advertises shrinks to the
// new buffer (RFC 9260 Section 6.2), as the peer's status shows.
func TestRecbufLiveAssociation(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv, SCTPNodelay(true))
	id := connect(t, cli, srv).AssocID
	recvEvent[*AssocChange](t, srv)
	require.NoError(t, srv.SetOpts(Recbuf(4000)))
	require.NoError(t, cli.Send(id, 0, make([]byte, 1000))) // not read by srv
	require.Eventually(t, func() bool {
		st, err := cli.Status(id)
		return err == nil && st.Rwnd <= 3000
	}, 5*time.Second, 5*time.Millisecond)
}

// sctp_autoclose set on a live association closes it once idle (RFC 6458
// Section 8.1.8: "associations that are idle for more than the specified
// number of seconds" close "using the graceful shutdown procedure").
func TestAutocloseLiveAssociation(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv)
	connect(t, cli, srv)
	recvEvent[*AssocChange](t, srv)
	require.NoError(t, srv.SetOpts(SCTPAutoclose(1)))
	require.Equal(t, ShutdownComp, recvState(t, cli, ShutdownComp).State)
}

// Primary path on a multihomed association: the address event and the
// read-back (RFC 9260 Section 6.4).
func TestPrimaryAddrMultihomed(t *testing.T) {
	noLeak(t)
	srv := multihomedServer(t)
	cli := clientOf(t, srv)
	ac, err := cli.ConnectAddrs(testCtx(t), []netip.Addr{lo, lo2}, srv.Port())
	require.NoError(t, err)
	second := netip.AddrPortFrom(lo2, srv.Port())
	require.NoError(t, cli.SetOpts(SCTPPrimaryAddr(Prim{AssocID: ac.AssocID, Addr: second})))
	require.Equal(t, Prim{AssocID: ac.AssocID, Addr: second},
		get[Prim](t, cli, OptionQuery{Name: "sctp_primary_addr", AssocID: ac.AssocID}))
	for {
		ev := recvEvent[*PaddrChange](t, cli)
		if ev.State == AddrMadePrim {
			require.Equal(t, second, ev.Addr)
			break
		}
	}
	pi, err := cli.PeerAddrInfo(ac.AssocID, second)
	require.NoError(t, err)
	require.Equal(t, second, pi.Address)
}

// sctp_i_want_mapped_v4_addr: an inet6 socket reports IPv4 peers as
// IPv4-mapped IPv6 addresses (RFC 6458 Section 8.1.15); an inet socket
// refuses it.
func TestMappedV4(t *testing.T) {
	noLeak(t)
	srv := server(t, Inet6(), SCTPIWantMappedV4Addr(true))
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv)
	mapped := netip.AddrFrom16(lo.As16())
	up := recv(t, srv)
	require.Equal(t, netip.AddrPortFrom(mapped, cli.Port()), up.From)
	peers, err := srv.PeerNames(up.Assoc())
	require.NoError(t, err)
	require.Equal(t, mapped, peers[0].Addr())
	names, err := srv.SockNames(0)
	require.NoError(t, err)
	require.Equal(t, mapped, names[0].Addr())
	st, err := srv.Status(up.Assoc())
	require.NoError(t, err)
	require.Equal(t, mapped, st.Primary.Address.Addr())
	// The option records accept either form.
	_, err = srv.PeerAddrInfo(up.Assoc(), netip.AddrPortFrom(lo, cli.Port()))
	require.NoError(t, err)

	require.NoError(t, srv.SetOpts(SCTPIWantMappedV4Addr(false)))
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("x")))
	require.Equal(t, netip.AddrPortFrom(lo, cli.Port()), recvData(t, srv).From)

	require.ErrorIs(t, cli.SetOpts(SCTPIWantMappedV4Addr(true)), ErrInvalidOption, "inet socket")
	_, err = Open(LocalUDPPort(0), SCTPIWantMappedV4Addr(true))
	require.ErrorIs(t, err, ErrInvalidOption)
}

// ipv6_v6only: an inet6 socket binds the IPv6 wildcard only and refuses
// IPv4 peers; the value is fixed at Open.
func TestIPv6V6Only(t *testing.T) {
	noLeak(t)
	s, err := Open(Inet6(), IPv6V6Only(true), LocalUDPPort(0))
	if err != nil {
		t.Skipf("no IPv6: %v", err)
	}
	defer s.Close()
	names, err := s.SockNames(0)
	require.NoError(t, err)
	require.Len(t, names, 1)
	require.True(t, names[0].Addr().Is6())
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = s.Connect(ctx, lo, 7)
	require.ErrorIs(t, err, ErrNotSupported)
	require.ErrorIs(t, s.SetOpts(IPv6V6Only(false)), ErrInvalidOption)
	require.NoError(t, s.SetOpts(IPv6V6Only(true)))
	require.True(t, get[bool](t, s, OptionQuery{Name: "ipv6_v6only"}))
	_, err = Open(Inet6(), IPv6V6Only(true), IP(lo), LocalUDPPort(0))
	require.ErrorIs(t, err, ErrInvalidOption)
}

// The IP-level options belong to the UDP sockets, which the sockets of a
// UDP port share.
func TestIPOptionsShared(t *testing.T) {
	noLeak(t)
	a := open(t, TOS(0x28), TTL(33))
	b, err := Open(IP(lo), LocalUDPPort(a.UDPPort()))
	require.NoError(t, err)
	defer b.Close()
	require.Equal(t, 0x28, get[int](t, b, OptionQuery{Name: "tos"}))
	require.Equal(t, 33, get[int](t, b, OptionQuery{Name: "ttl"}))
	require.NoError(t, b.SetOpts(TTL(44)))
	require.Equal(t, 44, get[int](t, a, OptionQuery{Name: "ttl"}))
}

// ListenBacklog and Backlog set the backlog of a one-to-one listener.
func TestBacklog(t *testing.T) {
	noLeak(t)
	s := open(t, Type(Stream), Backlog(2))
	require.Equal(t, 2, s.share.ep.Config().Backlog)
	require.NoError(t, s.ListenBacklog(7))
	require.Equal(t, 7, get[int](t, s, OptionQuery{Name: "backlog"}))
	require.Equal(t, 7, s.share.ep.Config().Backlog)
	require.NoError(t, s.share.sh.st.Do(func(timer.Time) error {
		require.True(t, s.share.ep.Listening())
		return nil
	}))
	require.NoError(t, s.ListenBacklog(0))
	require.NoError(t, s.share.sh.st.Do(func(timer.Time) error {
		require.False(t, s.share.ep.Listening())
		return nil
	}))
	_, err := Open(LocalUDPPort(0), Type(Stream), SCTPAutoclose(3))
	require.ErrorIs(t, err, ErrNotSupported)
}

// The converters fill the records from the association's status: times
// in milliseconds, counts clamped to the record's field sizes, addresses
// with the peer's SCTP port.
func TestStatusRecord(t *testing.T) {
	path := association.PathInfo{Addr: netip.MustParseAddrPort("192.0.2.1:9899"), State: association.PathInactive,
		CWnd: 4380, SRTT: 1500 * time.Microsecond, RTO: 3 * time.Second, MTU: 1452, Primary: true}
	st := association.Status{State: association.StateShutdownPending, Rwnd: 1 << 40, UnackData: 70000,
		PendData: 12, InStreams: 3, OutStreams: 4, FragmentationPoint: 1424, Primary: path}
	set := defaultSettings()
	got := statusRecord(9, st, 5000, &set)
	want := Status{AssocID: 9, State: association.StateShutdownPending, Rwnd: 1<<32 - 1, Unackdata: 65535,
		Penddata: 12, Instrms: 3, Outstrms: 4, FragmentationPoint: 1424,
		Primary: PaddrInfo{AssocID: 9, Address: netip.MustParseAddrPort("192.0.2.1:5000"), State: PaddrInactive,
			Cwnd: 4380, Srtt: 1, Rto: 3000, Mtu: 1452}}
	require.Equal(t, want, got)
	require.Equal(t, "shutdown_pending", got.State.String())
	require.Equal(t, "inactive", got.Primary.State.String())
	set.family, set.mappedV4 = FamilyInet6, true
	require.Equal(t, netip.MustParseAddrPort("[::ffff:192.0.2.1]:5000"), paddrInfoRecord(9, path, 5000, &set).Address)
}
