package api

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/packetio/packetiotest"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/stretchr/testify/require"
)

// standIn is the peer address of a socket over a pipe (packetio.NewConn).
var standIn = netip.MustParseAddr("192.0.0.8")

// openOn opens a socket with opts, closed at the end of the test.
func openOn(t *testing.T, opts ...Option) *Socket {
	t.Helper()
	s, err := Open(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// pipePair opens a listening socket and a client socket over the two
// ends of an in-memory packet pipe, both on SCTP port 5000, and connects
// them; it returns the sockets, the client's association and the client's
// end of the pipe.
func pipePair(t *testing.T, cliEnd, srvEnd net.Conn) (cli, srv *Socket, ac *AssocChange) {
	t.Helper()
	srv = openOn(t, OverConn(srvEnd), Port(5000))
	require.NoError(t, srv.Listen(true))
	cli = openOn(t, OverConn(cliEnd), Port(5000))
	ac, err := cli.Connect(testCtx(t), netip.IPv4Unspecified(), 5000)
	require.NoError(t, err)
	require.Equal(t, CommUp, ac.State)
	require.Equal(t, CommUp, recvEvent[*AssocChange](t, srv).State)
	return cli, srv, ac
}

// Sockets over a caller's UDP sockets (OverPacketConn) on loopback: the
// association is set up to the server's UDP port (RemoteUDPPort), carries
// messages both ways and shuts down; the UDP port and the local address
// are the sockets'; the last socket to close closes the UDP socket.
func TestOverPacketConnLoopback(t *testing.T) {
	noLeak(t)
	pcS, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(lo, 0)))
	require.NoError(t, err)
	pcC, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(lo, 0)))
	require.NoError(t, err)
	srvPort := pcS.LocalAddr().(*net.UDPAddr).Port
	srv := openOn(t, OverPacketConn(pcS))
	require.NoError(t, srv.Listen(true))
	cli := openOn(t, OverPacketConn(pcC), RemoteUDPPort(srvPort))
	require.Equal(t, srvPort, srv.UDPPort())
	names, err := srv.SockNames(0)
	require.NoError(t, err)
	require.Equal(t, []netip.AddrPort{netip.AddrPortFrom(lo, srv.Port())}, names)

	ac := connect(t, cli, srv)
	up := recvEvent[*AssocChange](t, srv)
	require.NoError(t, cli.Send(ac.AssocID, 1, []byte("ping")))
	d := recvData(t, srv)
	require.Equal(t, "ping", string(d.Data))
	require.Equal(t, netip.AddrPortFrom(lo, cli.Port()), d.From)
	require.NoError(t, srv.Send(up.AssocID, 1, []byte("pong")))
	require.Equal(t, "pong", string(recvData(t, cli).Data))
	require.NoError(t, cli.Eof(ac.AssocID))
	require.Equal(t, ShutdownComp, recvState(t, cli, ShutdownComp).State)

	require.NoError(t, cli.Close())
	_, _, err = pcC.ReadFrom(make([]byte, 1))
	require.ErrorIs(t, err, net.ErrClosed, "the socket owned the UDP socket")
}

// Sockets over the ends of a connected transport (OverConn): the
// association is set up to the transport's one peer, carries messages
// both ways and shuts down gracefully. The peer's address is the
// transport's (a stand-in over a pipe), the local one the wildcard; there
// is no UDP port.
func TestOverConnExchange(t *testing.T) {
	noLeak(t)
	a, b := packetiotest.Pipe()
	cli, srv, ac := pipePair(t, a, b)
	require.Zero(t, cli.UDPPort())
	peers, err := cli.PeerNames(ac.AssocID)
	require.NoError(t, err)
	require.Equal(t, []netip.AddrPort{netip.AddrPortFrom(standIn, 5000)}, peers)
	names, err := cli.SockNames(0)
	require.NoError(t, err)
	require.Equal(t, []netip.AddrPort{netip.AddrPortFrom(netip.IPv4Unspecified(), 5000)}, names)

	for i := range 20 {
		require.NoError(t, cli.Send(ac.AssocID, uint16(i%4), make([]byte, 100*i+1)))
	}
	var sid AssocID
	for i := range 20 {
		d := recvData(t, srv)
		require.Len(t, d.Data, 100*i+1)
		sid = d.Info.AssocID
	}
	require.NoError(t, srv.Send(sid, 0, []byte("back")))
	require.Equal(t, "back", string(recvData(t, cli).Data))

	require.NoError(t, cli.Eof(ac.AssocID))
	require.Equal(t, ShutdownComp, recvState(t, cli, ShutdownComp).State)
	require.Equal(t, ShutdownComp, recvState(t, srv, ShutdownComp).State)
}

// Abort over a connected transport: both sides see comm_lost, the peer
// with the User-Initiated Abort cause.
func TestOverConnAbort(t *testing.T) {
	noLeak(t)
	a, b := packetiotest.Pipe()
	cli, srv, ac := pipePair(t, a, b)
	require.NoError(t, cli.Abort(ac.AssocID))
	lost := recvEvent[*AssocChange](t, srv)
	require.Equal(t, CommLost, lost.State)
	require.Equal(t, CauseCode(12), lost.Error, "User Initiated Abort")
	require.Equal(t, CommLost, recvEvent[*AssocChange](t, cli).State)
}

// When the net.Conn below a socket closes, its associations end with
// ErrTransportClosed: on the side whose end was closed (net.ErrClosed)
// and on the other, whose peer closed (io.EOF); a Conn's Read says so,
// and so does an Open on the closed transport.
func TestOverConnClosedUnder(t *testing.T) {
	noLeak(t)
	a, b := packetiotest.Pipe()
	l, err := Listen("sctp", ":5000", OverConn(b))
	require.NoError(t, err)
	defer l.Close()
	accepted := make(chan *Conn, 1)
	go func() {
		c, err := l.AcceptSCTP(testCtx(t))
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	c, err := Dial(testCtx(t), "sctp", "0.0.0.0:5000", OverConn(a))
	require.NoError(t, err)
	defer c.Close()
	sc := <-accepted
	require.NotNil(t, sc)
	defer sc.Close()

	require.NoError(t, a.Close())
	buf := make([]byte, 16)
	_, err = c.Read(buf)
	require.ErrorIs(t, err, ErrTransportClosed)
	require.ErrorIs(t, err, ErrAssociationClosed)
	require.ErrorIs(t, err, net.ErrClosed)
	_, err = sc.Read(buf)
	require.ErrorIs(t, err, ErrTransportClosed)
	var ee *EventError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, CommLost, ee.Event.(*AssocChange).State)
}

// A pion vnet UDP socket closed under OverPacketConn is a closed
// transport, as a *net.UDPConn is, although its reads fail with an error
// of vnet's own (only net.ErrClosed's text): the association ends with
// ErrTransportClosed instead of the reader retrying for ever.
func TestOverPacketConnVNetClosedUnder(t *testing.T) {
	noLeak(t)
	n := newVNet(t)
	pcS, err := n.netB.ListenPacket("udp4", "192.0.2.2:0")
	require.NoError(t, err)
	pcC, err := n.netA.ListenPacket("udp4", "192.0.2.1:0")
	require.NoError(t, err)
	srv := openOn(t, OverPacketConn(pcS), Linger(true, 0)) // its peer is gone: no shutdown
	require.NoError(t, srv.Listen(true))
	cli := openOn(t, OverPacketConn(pcC), RemoteUDPPort(pcS.LocalAddr().(*net.UDPAddr).Port))
	n.connect(t, cli, srv)

	require.NoError(t, pcC.Close()) // closed under the socket
	ev := recvEvent[*AssocChange](t, cli)
	require.Equal(t, CommLost, ev.State)
	require.ErrorIs(t, ev.Err, ErrTransportClosed)
}

// Once the transport closed under a socket, the calls that wait for
// something other than a change of one of its associations fail with
// ErrTransportClosed instead of waiting for ever: Accept on a listener,
// Recv on a one-to-many socket without associations; so does a Connect
// made then.
func TestTransportClosedEndsWaits(t *testing.T) {
	noLeak(t)
	wantClosed := func(t *testing.T, errc <-chan error) {
		t.Helper()
		err := result(t, errc)
		require.ErrorIs(t, err, ErrTransportClosed)
		require.ErrorIs(t, err, net.ErrClosed)
	}
	t.Run("accept", func(t *testing.T) {
		a, b := packetiotest.Pipe()
		l, err := Listen("sctp", ":5000", OverConn(b))
		require.NoError(t, err)
		defer l.Close()
		errc := make(chan error, 1)
		go func() {
			_, err := l.Accept() // no context: only the transport can end it
			errc <- err
		}()
		waiting(t, l.Socket(), &l.Socket().aq, 1)
		require.NoError(t, a.Close()) // the peer closes the connection
		wantClosed(t, errc)
	})
	t.Run("recv", func(t *testing.T) {
		a, b := packetiotest.Pipe()
		s := openOn(t, OverConn(b), Port(5000))
		errc := make(chan error, 1)
		go func() {
			_, err := s.Recv(testCtx(t))
			errc <- err
		}()
		waiting(t, s, &s.rq, 1)
		require.NoError(t, a.Close())
		wantClosed(t, errc)
		_, err := s.Connect(testCtx(t), netip.IPv4Unspecified(), 5000)
		errc <- err
		wantClosed(t, errc)
	})
}

// recordingConn records the packets written through it.
type recordingConn struct {
	net.Conn
	mu      sync.Mutex
	packets [][]byte
}

func (r *recordingConn) Write(b []byte) (int, error) {
	r.mu.Lock()
	r.packets = append(r.packets, append([]byte(nil), b...))
	r.mu.Unlock()
	return r.Conn.Write(b)
}

// firstChunk returns the first chunk of type typ in the recorded
// packets, parsed.
func (r *recordingConn) firstChunk(t *testing.T, typ chunk.Type) chunk.Chunk {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.packets {
		p, err := packet.Parse(b, packet.Options{})
		require.NoError(t, err)
		it := p.Chunks()
		for raw, ok := it.Next(); ok; raw, ok = it.Next() {
			if raw.Type == typ {
				c, _, err := chunk.Parse(raw.Bytes)
				require.NoError(t, err)
				return c
			}
		}
	}
	t.Fatalf("no %v sent", typ)
	return nil
}

// RFC 8261 Section 6.1: "The INIT and INIT-ACK chunk MUST NOT contain
// any IPv4 Address or IPv6 Address parameters. The INIT chunk MUST NOT
// contain the Supported Address Types parameter." Checked on the wire:
// the INIT and the INIT ACK over a connected transport list none.
func TestOverConnNoAddressParams(t *testing.T) {
	noLeak(t)
	a, b := packetiotest.Pipe()
	ra, rb := &recordingConn{Conn: a}, &recordingConn{Conn: b}
	pipePair(t, ra, rb)
	init := ra.firstChunk(t, chunk.TypeInit).(*chunk.Init)
	ack := rb.firstChunk(t, chunk.TypeInitAck).(*chunk.InitAck)
	for _, ps := range [][]chunk.Param{init.Params, ack.Params} {
		for _, p := range ps {
			switch p.(type) {
			case *chunk.IPv4Address, *chunk.IPv6Address, *chunk.SupportedAddressTypes:
				t.Errorf("%T in INIT or INIT ACK over a connected transport", p)
			}
		}
	}
	require.NotNil(t, ack.StateCookie(), "the INIT ACK was parsed")
}

// Sockets opened over the same transport share it (one stack), each on
// its SCTP port; the transport closes with the last of them.
func TestOverConnShared(t *testing.T) {
	noLeak(t)
	a, b := packetiotest.Pipe()
	defer b.Close()
	s1 := openOn(t, OverConn(a), Port(5000))
	s2 := openOn(t, OverConn(a), Port(5001))
	require.Same(t, s1.stk, s2.stk)
	_, err := Open(OverConn(a), Port(5000))
	require.ErrorIs(t, err, ErrAddrInUse)
	require.NoError(t, s1.Close())
	_, err = a.Write([]byte("still open"))
	require.NoError(t, err)
	require.NoError(t, s2.Close())
	_, err = a.Write([]byte("closed"))
	require.Error(t, err, "closed with the last socket")
}

// The options that need UDP sockets of the socket's own, or a capability
// the transport lacks, are refused with ErrTransportUnsupported (and
// ErrInvalidOption at Open), never ignored; so is a Connect that would
// make a connected transport multihomed or name another peer.
func TestTransportOptionErrors(t *testing.T) {
	noLeak(t)
	a, b := packetiotest.Pipe()
	defer a.Close()
	defer b.Close()
	pc, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(lo, 0)))
	require.NoError(t, err)
	defer pc.Close()
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"local udp port", []Option{OverConn(a), LocalUDPPort(0)}},
		{"ip", []Option{OverConn(a), IP(lo)}},
		{"ifaddr", []Option{OverPacketConn(pc), IfAddr(lo)}},
		{"netns", []Option{OverPacketConn(pc), Netns("/proc/self/ns/net")}},
		{"remote udp port", []Option{OverConn(a), RemoteUDPPort(9899)}},
		{"remote udp port for", []Option{OverTransport(packetio.NewConn(a)), RemoteUDPPortFor(lo, 9899)}},
		{"recvtos", []Option{OverConn(a), RecvTOS(true)}},
		{"recvttl", []Option{OverPacketConn(pc), RecvTTL(true)}},
		{"tos", []Option{OverConn(a), TOS(0x10)}},
		{"ttl", []Option{OverPacketConn(pc), TTL(9)}},
	} {
		_, err := Open(tc.opts...)
		if tc.name == "netns" && errors.Is(err, ErrNotSupported) && !errors.Is(err, ErrTransportUnsupported) {
			continue // no network namespaces here: refused before
		}
		require.ErrorIs(t, err, ErrTransportUnsupported, tc.name)
		require.ErrorIs(t, err, ErrInvalidOption, tc.name)
	}
	for _, opts := range [][]Option{{OverConn(nil)}, {OverPacketConn(nil)}, {OverConn(a), OverConn(b)}} {
		_, err := Open(opts...)
		require.ErrorIs(t, err, ErrInvalidOption)
	}

	// Allowed: the wildcard, and RemoteUDPPort over a packet conn.
	s := openOn(t, OverConn(a), IP(netip.IPv4Unspecified()))
	openOn(t, OverPacketConn(pc), RemoteUDPPort(9899))
	err = s.SetOpts(RecvTClass(true))
	require.ErrorIs(t, err, ErrTransportUnsupported)
	require.ErrorIs(t, s.SetOpts(TClass(8)), ErrTransportUnsupported)
	_, err = GetOpt[int](s, OptionQuery{Name: "tos"})
	require.ErrorIs(t, err, ErrTransportUnsupported)
	_, err = s.ConnectAddrs(testCtx(t), []netip.Addr{standIn, lo}, 5000)
	require.ErrorIs(t, err, ErrTransportUnsupported)
	require.ErrorIs(t, err, ErrNotSupported)
	_, err = s.Connect(testCtx(t), lo, 5000)
	require.ErrorIs(t, err, ErrTransportUnsupported)
}

// A udpencap.Conn given as the transport has the capabilities of UDP
// encapsulation: IP-level options and IP header fields of received
// packets are accepted, UDPPort is its port, and a socket on it reaches a
// socket on UDP sockets of its own.
func TestOverTransportUDPEncap(t *testing.T) {
	noLeak(t)
	conn, err := udpencap.Listen(udpencap.Config{LocalAddrs: []netip.Addr{lo}})
	require.NoError(t, err)
	s := openOn(t, OverTransport(conn), TTL(33), RecvTTL(true))
	require.Equal(t, conn.Port(), s.UDPPort())
	ttl, err := GetOpt[int](s, OptionQuery{Name: "ttl"})
	require.NoError(t, err)
	require.Equal(t, 33, ttl)
	require.NoError(t, s.SetOpts(RecvTOS(true), TOS(0x20)))
	require.Equal(t, 0x20, conn.IPOptions().TOS)
	require.NoError(t, s.Listen(true))
	cli := clientOf(t, s)
	ac := connect(t, cli, s)
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("to a transport of the user's")))
	require.Equal(t, "to a transport of the user's", string(recvData(t, s).Data))
}
