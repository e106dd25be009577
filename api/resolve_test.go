package api

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/gensctp/gensctp/internal/dnstest"
	"github.com/stretchr/testify/require"
)

var lo6 = netip.MustParseAddr("::1")

// testHosts are the names of the fake DNS server of these tests.
var testHosts = map[string][]string{
	"multi.test": {"127.0.0.1", "127.0.0.2"},
	"dual.test":  {"127.0.0.2", "::1", "127.0.0.1"},
	"v6.test":    {"::1"},
}

// "localhost" resolves through the default resolver (/etc/hosts) for
// Connect, Dial and Listen.
func TestConnectHostLocalhost(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv)
	ac, err := cli.ConnectHost(testCtx(t), "localhost", srv.Port())
	require.NoError(t, err)
	peers, err := cli.PeerNames(ac.AssocID)
	require.NoError(t, err)
	require.Contains(t, peers, netip.AddrPortFrom(lo, srv.Port()))

	// The listener binds every address of localhost, so that the dialer
	// reaches it whatever the machine's /etc/hosts lists.
	l, err := Listen("sctp", "localhost:0", LocalUDPPort(0))
	require.NoError(t, err)
	defer l.Close()
	c, err := Dial(testCtx(t), "sctp", "localhost:"+itoa(int(l.Addr().(*Addr).Port)), RemoteUDPPort(l.Addr().(*Addr).UDPPort))
	require.NoError(t, err)
	abort(c)
}

func itoa(n int) string { return (&Addr{Port: uint16(n)}).String()[1:] }

// A name with several addresses gives the association all of them, the
// first as its primary path, on Connect and on Dial; Listen binds them
// all.
func TestConnectHostMultihomed(t *testing.T) {
	noLeak(t)
	dns := dnstest.New(t, testHosts)
	srv := multihomedServer(t)
	cli := open(t, IP(lo2), RemoteUDPPort(srv.UDPPort()), Resolver(dns.Resolver()))
	ac, err := cli.ConnectHost(testCtx(t), "multi.test", srv.Port())
	require.NoError(t, err)
	peers, err := cli.PeerNames(ac.AssocID)
	require.NoError(t, err)
	require.Equal(t, netip.AddrPortFrom(lo, srv.Port()), peers[0], "the first address is the primary")
	require.ElementsMatch(t, []netip.AddrPort{netip.AddrPortFrom(lo, srv.Port()), netip.AddrPortFrom(lo2, srv.Port())}, peers)

	l, err := Listen("sctp", "multi.test:0", LocalUDPPort(0), Resolver(dns.Resolver()))
	if err != nil {
		t.Skipf("cannot bind 127.0.0.1 and 127.0.0.2: %v", err)
	}
	defer l.Close()
	names, err := l.Socket().SockNames(0)
	require.NoError(t, err)
	require.ElementsMatch(t, []netip.AddrPort{netip.AddrPortFrom(lo, l.Socket().Port()), netip.AddrPortFrom(lo2, l.Socket().Port())}, names)
	require.Equal(t, lo, l.Addr().(*Addr).IP)
	c, err := Dial(testCtx(t), "sctp4", "multi.test:"+itoa(int(l.Socket().Port())), IP(lo),
		RemoteUDPPort(l.Addr().(*Addr).UDPPort), Resolver(dns.Resolver()))
	require.NoError(t, err)
	defer abort(c)
	peers, err = c.Socket().PeerNames(0)
	require.NoError(t, err)
	require.Equal(t, netip.AddrPortFrom(lo, l.Socket().Port()), peers[0])
	require.Len(t, peers, 2)
}

// The socket's family decides which addresses of a name it takes: IPv4
// on inet, both with IPv6 first on inet6, IPv6 on an ipv6_v6only one.
func TestLookupHostFamily(t *testing.T) {
	noLeak(t)
	dns := dnstest.New(t, testHosts)
	r := Resolver(dns.Resolver())
	ctx := testCtx(t)
	v4 := open(t, r)
	got, err := v4.LookupHost(ctx, "dual.test")
	require.NoError(t, err)
	require.Equal(t, []netip.Addr{lo2, lo}, got)
	_, err = v4.LookupHost(ctx, "v6.test")
	requireNXDomain(t, err)

	v6, err := Open(Inet6(), LocalUDPPort(0), r)
	require.NoError(t, err)
	defer v6.Close()
	got, err = v6.LookupHost(ctx, "dual.test", "multi.test", "10.0.0.1")
	require.NoError(t, err)
	require.Equal(t, []netip.Addr{lo6, lo2, lo, netip.MustParseAddr("10.0.0.1")}, got, "IPv6 first, no duplicates, literals kept")

	v6only, err := Open(Inet6(), IPv6V6Only(true), LocalUDPPort(0), r)
	require.NoError(t, err)
	defer v6only.Close()
	got, err = v6only.LookupHost(ctx, "dual.test")
	require.NoError(t, err)
	require.Equal(t, []netip.Addr{lo6}, got)
	_, err = v6only.LookupHost(ctx, "multi.test")
	requireNXDomain(t, err)

	// LookupAddrs resolves as Dial does, by network.
	got, err = LookupAddrs(ctx, dns.Resolver(), "sctp", "dual.test", "::1")
	require.NoError(t, err)
	require.Equal(t, []netip.Addr{lo6, lo2, lo}, got)
	got, err = LookupAddrs(ctx, dns.Resolver(), "sctp4", "dual.test")
	require.NoError(t, err)
	require.Equal(t, []netip.Addr{lo2, lo}, got)
	_, err = LookupAddrs(ctx, dns.Resolver(), "sctp4", "v6.test")
	requireNXDomain(t, err)
	_, err = LookupAddrs(ctx, dns.Resolver(), "tcp", "dual.test")
	requireReason(t, err, Einval)
}

// An inet6 socket connects to a name of both families: IPv6 is the
// primary path, the IPv4 addresses come along.
func TestConnectHostBothFamilies(t *testing.T) {
	noLeak(t)
	dns := dnstest.New(t, testHosts)
	srv, err := Open(IP(lo6), IP(lo), LocalUDPPort(0))
	if err != nil {
		t.Skipf("cannot bind ::1 and 127.0.0.1: %v", err)
	}
	defer srv.Close()
	require.NoError(t, srv.Listen(true))
	cli, err := Open(Inet6(), LocalUDPPort(0), RemoteUDPPort(srv.UDPPort()), Resolver(dns.Resolver()))
	require.NoError(t, err)
	defer cli.Close()
	id, err := cli.ConnectxInitHosts(testCtx(t), []string{"dual.test"}, srv.Port())
	require.NoError(t, err)
	ac := recvEvent[*AssocChange](t, cli)
	require.Equal(t, CommUp, ac.State)
	require.Equal(t, id, ac.AssocID)
	peers, err := cli.PeerNames(id)
	require.NoError(t, err)
	require.Equal(t, netip.AddrPortFrom(lo6, srv.Port()), peers[0])
	require.Contains(t, peers, netip.AddrPortFrom(lo, srv.Port()))
}

// A name that does not resolve fails fast with the typed error on every
// call that takes a host, and leaves the socket as it was.
func TestConnectHostNXDomain(t *testing.T) {
	noLeak(t)
	dns := dnstest.New(t, testHosts)
	ctx := testCtx(t)
	s := open(t, Resolver(dns.Resolver()))
	for _, host := range []string{"nonexistent.invalid", "", "."} {
		_, err := s.ConnectHost(ctx, host, 7, SCTPNodelay(true))
		requireNXDomain(t, err)
	}
	nodelay, err := GetOpt[bool](s, OptionQuery{Name: "sctp_nodelay"})
	require.NoError(t, err)
	require.False(t, nodelay, "options are not applied when the name does not resolve")
	requireNXDomain(t, s.ConnectInitHost(ctx, "nonexistent.invalid", 7))
	_, err = s.ConnectxInitHosts(ctx, []string{"127.0.0.1", "nonexistent.invalid"}, 7)
	requireNXDomain(t, err)
	_, err = s.ConnectHosts(ctx, []string{"multi.test", "nonexistent.invalid"}, 7)
	requireNXDomain(t, err)

	_, err = Dial(ctx, "sctp", "nonexistent.invalid:7", Resolver(dns.Resolver()))
	requireNXDomain(t, err)
	var oe *net.OpError
	require.ErrorAs(t, err, &oe)
	require.Equal(t, "dial", oe.Op)
	_, err = Dial(ctx, "sctp6", "multi.test:7", Resolver(dns.Resolver()))
	requireNXDomain(t, err)
	_, err = Listen("sctp", "nonexistent.invalid:0", Resolver(dns.Resolver()))
	requireNXDomain(t, err)
	require.ErrorAs(t, err, &oe)
	require.Equal(t, "listen", oe.Op)
}

// The context, and for the Socket methods the write deadline, bound the
// resolution of a name whose DNS server does not answer.
func TestConnectHostResolutionBounded(t *testing.T) {
	noLeak(t)
	dns := dnstest.New(t, testHosts, "silent.test")
	s := open(t, Resolver(dns.Resolver()))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := s.ConnectHost(ctx, "silent.test", 7)
	requireReason(t, err, Timeout)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.True(t, err.(net.Error).Timeout())

	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	requireReason(t, s.ConnectInitHost(cctx, "silent.test", 7), Ecanceled)

	require.NoError(t, s.SetWriteDeadline(time.Now().Add(50*time.Millisecond)))
	_, err = s.ConnectxInitHosts(context.Background(), []string{"silent.test"}, 7)
	requireReason(t, err, Timeout)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.NoError(t, s.SetWriteDeadline(time.Time{}))

	dctx, dcancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer dcancel()
	_, err = Dial(dctx, "sctp", "silent.test:7", Resolver(dns.Resolver()))
	requireReason(t, err, Timeout)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	lctx, lcancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer lcancel()
	_, err = ListenContext(lctx, "sctp", "silent.test:0", Resolver(dns.Resolver()))
	requireReason(t, err, Timeout)
}

// requireNXDomain checks that err is the typed error of a name that does
// not resolve: reason nxdomain, ErrNXDomain, a *net.DNSError.
func requireNXDomain(t *testing.T, err error) {
	t.Helper()
	require.ErrorIs(t, err, ErrNXDomain)
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	require.True(t, de.IsNotFound, "%v", err)
	var e *Error
	require.True(t, errors.As(err, &e), "%v", err)
	require.Equal(t, Nxdomain, e.Reason)
}

// requireReason checks that err carries an *Error with reason r.
func requireReason(t *testing.T, err error, r Atom) {
	t.Helper()
	var e *Error
	require.True(t, errors.As(err, &e), "%v", err)
	require.Equal(t, r, e.Reason, "%v", err)
}

// IP literals never reach the resolver.
func TestLiteralHostsSkipResolver(t *testing.T) {
	noLeak(t)
	dns := dnstest.New(t, testHosts)
	srv := server(t)
	cli := clientOf(t, srv, Resolver(dns.Resolver()))
	ac, err := cli.ConnectHost(testCtx(t), "127.0.0.1", srv.Port())
	require.NoError(t, err)
	require.Equal(t, CommUp, ac.State)
	got, err := cli.LookupHost(testCtx(t), "::ffff:127.0.0.2", "::1", "127.0.0.2")
	require.NoError(t, err)
	require.Equal(t, []netip.Addr{lo2, lo6}, got)
	c, err := Dial(testCtx(t), "sctp", netip4(srv.Port()), IP(lo), RemoteUDPPort(srv.UDPPort()), Resolver(dns.Resolver()))
	require.NoError(t, err)
	abort(c)
	require.Zero(t, dns.Queries())
}

// A name of both families reaches a peer that listens on IPv4 only: the
// INIT to the IPv6 address goes unanswered, its retransmission goes to
// the next address (RFC 9260 Section 5.1), which answers and becomes the
// primary path.
func TestConnectHostFirstAddressDead(t *testing.T) {
	noLeak(t)
	dns := dnstest.New(t, testHosts)
	srv := server(t)
	cli, err := Open(Inet6(), LocalUDPPort(0), RemoteUDPPort(srv.UDPPort()), Resolver(dns.Resolver()),
		SCTPRtoInfo(RtoInfo{Initial: 50, Min: 20, Max: 200}))
	require.NoError(t, err)
	defer cli.Close()
	ac, err := cli.ConnectHost(testCtx(t), "dual.test", srv.Port())
	require.NoError(t, err)
	st, err := cli.Status(ac.AssocID)
	require.NoError(t, err)
	require.Contains(t, []netip.AddrPort{netip.AddrPortFrom(lo, srv.Port()), netip.AddrPortFrom(lo2, srv.Port())},
		st.Primary.Address, "an IPv4 address that answered is the primary path")
}
