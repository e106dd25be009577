package api

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"runtime"
	"testing"

	"github.com/gensctp/gensctp/udpencap"
	"github.com/stretchr/testify/require"
)

// anc is the ancillary IP items of a delivery, for comparisons.
type anc struct {
	TOS, TClass, TTL          uint8
	HasTOS, HasTClass, HasTTL bool
}

func ancOf(d Delivery) anc {
	return anc{d.TOS, d.TClass, d.TTL, d.HasTOS, d.HasTClass, d.HasTTL}
}

// linuxOnly returns want on Linux, where the UDP sockets report the IP
// header fields, and no items elsewhere.
func linuxOnly(want anc) anc {
	if runtime.GOOS == "linux" {
		return want
	}
	return anc{}
}

// sendRecv sends msg from cli on assoc and returns the message srv
// receives.
func sendRecv(t *testing.T, cli, srv *Socket, assoc AssocID, msg []byte) Delivery {
	t.Helper()
	require.NoError(t, cli.Send(assoc, 0, msg))
	d := recvData(t, srv)
	require.Equal(t, msg, d.Data)
	return d
}

// gen_sctp recvtos and recvttl (the gen_sctp documentation: "adds {tos, V} / ... /
// {ttl, V} to AncData"): a message carries the TOS and TTL of the IPv4
// datagram that brought it, here those the sender set with its tos and
// ttl options, while the options are on; with them off, and on events,
// nothing. A message fragmented over several datagrams carries them too.
func TestAncillaryIPv4(t *testing.T) {
	noLeak(t)
	// ECN off: its ECT(0) would be in the TOS, and its requests in RecvIP
	// (TestECNOverLoopback).
	srv := server(t, RecvTOS(true), RecvTTL(true), SCTPEcnSupported(false))
	cli := clientOf(t, srv, TOS(0x28), TTL(33), SCTPEcnSupported(false))
	ac := connect(t, cli, srv)
	up := recv(t, srv)
	require.IsType(t, &AssocChange{}, up.Event)
	require.Equal(t, anc{}, ancOf(up), "an event")

	want := linuxOnly(anc{TOS: 0x28, TTL: 33, HasTOS: true, HasTTL: true})
	require.Equal(t, want, ancOf(sendRecv(t, cli, srv, ac.AssocID, []byte("tos and ttl"))))
	big := bytes.Repeat([]byte("fragment"), 1000) // 8000 bytes: several DATA chunks
	require.Equal(t, want, ancOf(sendRecv(t, cli, srv, ac.AssocID, big)))

	require.NoError(t, srv.SetOpts(RecvTOS(false)))
	require.Equal(t, linuxOnly(anc{TTL: 33, HasTTL: true}), ancOf(sendRecv(t, cli, srv, ac.AssocID, []byte("ttl"))))
	require.NoError(t, srv.SetOpts(RecvTTL(false)))
	require.Equal(t, anc{}, ancOf(sendRecv(t, cli, srv, ac.AssocID, []byte("none"))))
	require.Zero(t, srv.stk.Conn().RecvIP(), "the UDP sockets were told to stop")

	// recvtclass asks for nothing an IPv4 datagram has.
	require.NoError(t, srv.SetOpts(RecvTClass(true)))
	require.Equal(t, anc{}, ancOf(sendRecv(t, cli, srv, ac.AssocID, []byte("tclass"))))

	// Events carry no IP items, whatever the options.
	require.NoError(t, srv.SetOpts(RecvTOS(true), RecvTTL(true)))
	require.NoError(t, cli.Eof(ac.AssocID))
	for i := 0; ; i++ {
		require.Less(t, i, 100, "no ShutdownEvent")
		d := recv(t, srv)
		require.Equal(t, anc{}, ancOf(d), "%v", d.Kind)
		if _, ok := d.Event.(*ShutdownEvent); ok {
			break
		}
	}
}

// The sockets of one UDP port share its UDP sockets: each asks for the
// fields its options want, and the UDP sockets report a field while at
// least one socket asks for it. A socket that closes withdraws its
// requests; so does one whose options go off.
func TestAncillaryShared(t *testing.T) {
	noLeak(t)
	a := open(t, RecvTOS(true), SCTPEcnSupported(false)) // ECN asks for the TOS too
	conn := a.stk.Conn()
	require.Equal(t, udpencap.RecvTOS, conn.RecvIP())
	b, err := Open(IP(lo), LocalUDPPort(a.UDPPort()), RecvTOS(true), RecvTTL(true), SCTPEcnSupported(false))
	require.NoError(t, err)
	require.Same(t, conn, b.stk.Conn(), "one UDP port, one set of UDP sockets")
	require.Equal(t, udpencap.RecvTOS|udpencap.RecvTTL|udpencap.RecvHopLimit, conn.RecvIP())
	require.NoError(t, a.SetOpts(RecvTOS(false)))
	require.Equal(t, udpencap.RecvTOS|udpencap.RecvTTL|udpencap.RecvHopLimit, conn.RecvIP(), "b still asks")
	require.NoError(t, b.Close())
	require.Zero(t, conn.RecvIP())
	require.NoError(t, a.SetOpts(RecvTClass(true)))
	require.Equal(t, udpencap.RecvTClass, conn.RecvIP())
}

// gen_sctp recvtclass: a message in an IPv6 datagram carries its traffic
// class; recvttl gives its hop limit as the TTL (an addition: gen_sctp's
// recvttl is IPv4's IP_RECVTTL), and recvtos nothing.
func TestAncillaryIPv6(t *testing.T) {
	noLeak(t)
	lo6 := netip.IPv6Loopback()
	if c, err := net.ListenUDP("udp6", &net.UDPAddr{IP: lo6.AsSlice()}); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("::1 unavailable in CI: %v", err)
		}
		t.Skipf("::1 unavailable on this machine: %v", err)
	} else {
		_ = c.Close()
	}
	open6 := func(opts ...Option) *Socket {
		s, err := Open(append([]Option{Inet6(), IP(lo6), LocalUDPPort(0)}, opts...)...)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}
	srv := open6(RecvTClass(true), RecvTTL(true), RecvTOS(true))
	require.NoError(t, srv.Listen(true))
	cli := open6(RemoteUDPPort(srv.UDPPort()), TClass(0x48), SCTPEcnSupported(false)) // no ECT(0) in the class
	ac, err := cli.Connect(testCtx(t), lo6, srv.Port())
	require.NoError(t, err)
	require.Equal(t, CommUp, ac.State)

	d := sendRecv(t, cli, srv, ac.AssocID, []byte("tclass"))
	got := ancOf(d)
	if runtime.GOOS == "linux" {
		require.Positive(t, got.TTL, "the hop limit of the datagram")
	}
	require.Equal(t, linuxOnly(anc{TClass: 0x48, TTL: got.TTL, HasTClass: true, HasTTL: true}), got)

	require.NoError(t, srv.SetOpts(RecvTClass(false), RecvTTL(false)))
	require.Equal(t, anc{}, ancOf(sendRecv(t, cli, srv, ac.AssocID, []byte("none"))))
}
