package api

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// assocOpt changes the association template directly (for test timing).
func assocOpt(f func(*association.Config)) Option {
	return Option{name: "test", apply: func(c *optCtx) error {
		f(&c.st.assoc)
		c.st.templateChanged = true
		return nil
	}}
}

// fastRTO makes lost handshakes fail fast.
var fastRTO = assocOpt(func(c *association.Config) {
	c.RTO.Initial, c.RTO.Min, c.RTO.Max = 50*time.Millisecond, 20*time.Millisecond, 100*time.Millisecond
})

// The gen_sctp documentation: Connect options are merged onto the socket
// (record fields left zero keep their current values) and stay there;
// SetOpts instead resets the zero fields to their defaults.
func TestConnectMergesOptions(t *testing.T) {
	noLeak(t)
	// Four servers on one UDP port (one stack, four SCTP ports).
	srvs := []*Socket{server(t)}
	for range 3 {
		s, err := Open(IP(lo), LocalUDPPort(srvs[0].UDPPort()))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		require.NoError(t, s.Listen(true))
		require.Equal(t, srvs[0].UDPPort(), s.UDPPort())
		require.NotEqual(t, srvs[0].Port(), s.Port())
		srvs = append(srvs, s)
	}
	cli := clientOf(t, srvs[0], SCTPInitMsg(InitMsg{NumOstreams: 3, MaxInstreams: 4}))
	to := func(srv *Socket, opts ...Option) *AssocChange {
		ac, err := cli.ConnectAddrs(testCtx(t), []netip.Addr{lo}, srv.Port(), opts...)
		require.NoError(t, err)
		return ac
	}
	ac := to(srvs[0], SCTPInitMsg(InitMsg{NumOstreams: 5}))
	require.Equal(t, uint16(5), ac.OutboundStreams, "num_ostreams from the Connect option")
	require.Equal(t, uint16(4), ac.InboundStreams, "max_instreams kept from the socket")

	ac = to(srvs[1])
	require.Equal(t, uint16(5), ac.OutboundStreams, "the option stayed on the socket")
	require.Equal(t, uint16(4), ac.InboundStreams)

	require.NoError(t, cli.SetOpts(SCTPInitMsg(InitMsg{NumOstreams: 5})))
	ac = to(srvs[2])
	require.Equal(t, uint16(5), ac.OutboundStreams)
	require.Equal(t, uint16(10), ac.InboundStreams, "setopts reset max_instreams to the default")
	var m InitMsg
	require.NoError(t, cli.do(func(timer.Time) error { m = initMsgOf(cli.st.assoc); return nil }))
	require.Equal(t, InitMsg{NumOstreams: 5}, m)

	// {active, true} in the Connect options changes the socket's mode;
	// the comm_up is still Connect's, not the channel's.
	to(srvs[3], Active(ActiveTrue))
	require.Equal(t, "true", cli.activeValue(t))
	select {
	case d := <-cli.Deliveries():
		require.NotEqual(t, CommUp, d.Event.(*AssocChange).State, "comm_up consumed by Connect")
	case <-time.After(50 * time.Millisecond):
	}
}

// A peer that does not listen refuses the association: Connect returns
// an error carrying the cant_assoc AssocChange (gen_sctp {error,
// #sctp_assoc_change{state = cant_assoc}}).
func TestConnectRefused(t *testing.T) {
	noLeak(t)
	srv := open(t) // not listening
	cli := clientOf(t, srv)
	_, err := cli.Connect(testCtx(t), lo, srv.Port())
	require.Error(t, err)
	var ee *EventError
	require.True(t, errors.As(err, &ee))
	ac := ee.Event.(*AssocChange)
	require.Equal(t, CantAssoc, ac.State)
	require.NotZero(t, ac.AssocID)
	require.Equal(t, netip.AddrPortFrom(lo, srv.Port()), ee.From)
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, Atom("cant_assoc"), e.Reason)
	require.Equal(t, ac.AssocID, e.Assoc)
	// The reason, for net-style code and for the reader.
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
	require.ErrorIs(t, err, ErrConnRefused)
	require.Same(t, ErrConnRefused, ac.Err)
	require.False(t, e.Timeout())
	require.Contains(t, err.Error(), "refused by the peer")
}

// The gen_sctp documentation: a Connect that times out leaves the attempt
// running; its outcome arrives later as an ordinary event.
func TestConnectTimeout(t *testing.T) {
	noLeak(t)
	// Nothing listens on the remote UDP port: INITs are lost.
	port := holeUDPPort(t)
	cli := open(t, RemoteUDPPort(port), fastRTO, SCTPInitMsg(InitMsg{MaxAttempts: 2}))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := cli.Connect(ctx, lo, 5000)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var ne interface{ Timeout() bool }
	require.True(t, errors.As(err, &ne) && ne.Timeout())
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, Timeout, e.Reason)
	// The error names where the INITs went.
	var na *NoAnswerError
	require.ErrorAs(t, err, &na)
	require.Equal(t, netip.AddrPortFrom(lo, 5000), na.Peer)
	require.Equal(t, uint16(port), na.UDPPort)
	require.Contains(t, err.Error(), fmt.Sprintf("UDP port %d", port))
	ac := recvEvent[*AssocChange](t, cli)
	require.Equal(t, CantAssoc, ac.State, "the late outcome")
	require.Equal(t, e.Assoc, ac.AssocID)
	// The INITs exhausted: the event's Err says so, and where they went.
	require.ErrorIs(t, ac.Err, ErrNoAnswer)
	require.ErrorIs(t, ac.Err, syscall.ETIMEDOUT)
	require.ErrorAs(t, ac.Err, &na)
	require.Equal(t, uint16(port), na.UDPPort)

	// The write deadline bounds Connect too.
	require.NoError(t, cli.SetWriteDeadline(time.Now().Add(20*time.Millisecond)))
	_, err = cli.Connect(context.Background(), lo, 5001)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
}

// connect_init and connectx_init return at once; the outcome arrives as an
// event carrying the same association id (the gen_sctp documentation).
func TestConnectInit(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv)
	require.NoError(t, cli.ConnectInit(testCtx(t), lo, srv.Port()))
	ac := recvEvent[*AssocChange](t, cli)
	require.Equal(t, CommUp, ac.State)

	srv2 := server(t)
	cli2 := clientOf(t, srv2)
	id, err := cli2.ConnectxInit(testCtx(t), []netip.Addr{lo}, srv2.Port())
	require.NoError(t, err)
	require.NotZero(t, id)
	ac = recvEvent[*AssocChange](t, cli2)
	require.Equal(t, CommUp, ac.State)
	require.Equal(t, id, ac.AssocID)

	// A second association to the same peer: eisconn.
	_, err = cli2.ConnectxInit(testCtx(t), []netip.Addr{lo}, srv2.Port())
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, Eisconn, e.Reason)
	require.ErrorIs(t, err, ErrAlreadyConnected)
}

// A Recv blocked on the socket while Connect waits: whichever polls the
// comm_up, Connect gets it (and wakes up), and Recv does not.
func TestConnectWhileRecv(t *testing.T) {
	noLeak(t)
	for range 20 {
		srv := server(t)
		cli := clientOf(t, srv)
		got := make(chan Delivery, 1)
		go func() {
			d, err := cli.Recv(testCtx(t))
			if err == nil {
				got <- d
			}
			close(got)
		}()
		ac := connect(t, cli, srv)
		up := recvEvent[*AssocChange](t, srv)
		require.NoError(t, srv.Send(up.AssocID, 0, []byte("after")))
		d := <-got
		require.Equal(t, KindData, d.Kind, "Recv did not get the comm_up")
		require.Equal(t, "after", string(d.Data))
		require.Equal(t, ac.AssocID, d.Info.AssocID)
	}
}

// connectx_init without a peer address fails with einval
// (ErrNoPeerAddress) before its options are applied: the socket is left
// as it was. A zero address is einval too (ErrBadAddress).
func TestConnectxInitNoAddress(t *testing.T) {
	noLeak(t)
	s := open(t)
	_, err := s.ConnectxInit(testCtx(t), nil, 5000, SCTPNodelay(true))
	require.ErrorIs(t, err, ErrNoPeerAddress)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, Einval, e.Reason)
	nodelay, err := GetOpt[bool](s, OptionQuery{Name: "sctp_nodelay"})
	require.NoError(t, err)
	require.False(t, nodelay, "the option of the failed call is not applied")

	_, err = s.ConnectAddrs(testCtx(t), []netip.Addr{{}}, 5000, SCTPNodelay(true))
	require.ErrorIs(t, err, ErrBadAddress)
	require.ErrorAs(t, err, &e)
	require.Equal(t, Einval, e.Reason)
	nodelay, err = GetOpt[bool](s, OptionQuery{Name: "sctp_nodelay"})
	require.NoError(t, err)
	require.False(t, nodelay)
}

// A Connect whose INITs are exhausted (SCTPInitMsg MaxAttempts) before
// its context ends fails with cant_assoc wrapping a *NoAnswerError: it
// names the UDP port the INITs went to, is errors.Is(err,
// syscall.ETIMEDOUT) and a timeout (net.Error), as a TCP connect that
// timed out.
func TestConnectNoAnswer(t *testing.T) {
	noLeak(t)
	port := holeUDPPort(t)
	cli := open(t, RemoteUDPPort(port), fastRTO, SCTPInitMsg(InitMsg{MaxAttempts: 2}))
	_, err := cli.Connect(testCtx(t), lo, 5000)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, Atom("cant_assoc"), e.Reason)
	require.True(t, e.Timeout())
	require.ErrorIs(t, err, ErrNoAnswer)
	require.ErrorIs(t, err, syscall.ETIMEDOUT)
	var na *NoAnswerError
	require.ErrorAs(t, err, &na)
	require.Equal(t, uint16(port), na.UDPPort)
	require.Contains(t, err.Error(), fmt.Sprintf("no answer from 127.0.0.1 (SCTP port 5000, UDP port %d", port))
}

// A multihomed connect that no address answers names every address its
// INITs went to in turn, with their UDP port.
func TestConnectNoAnswerNamesEveryAddress(t *testing.T) {
	noLeak(t)
	port := holeUDPPort(t)
	cli := open(t, RemoteUDPPort(port), fastRTO, SCTPInitMsg(InitMsg{MaxAttempts: 3}))
	_, err := cli.ConnectAddrs(testCtx(t), []netip.Addr{lo, lo2}, 5000)
	require.ErrorIs(t, err, ErrNoAnswer)
	var na *NoAnswerError
	require.ErrorAs(t, err, &na)
	require.Equal(t, []netip.AddrPort{netip.AddrPortFrom(lo, uint16(port)), netip.AddrPortFrom(lo2, uint16(port))}, na.Addrs)
	require.Equal(t, netip.AddrPortFrom(lo, 5000), na.Peer, "the first address given")
	require.False(t, na.InitAcked)
	require.Contains(t, err.Error(), fmt.Sprintf("no answer from 127.0.0.1, 127.0.0.2 (SCTP port 5000, UDP port %d: is that", port))
}

// A connect whose INIT was answered and whose COOKIE ECHO was not (the
// one-to-one listener's backlog is full: it drops the COOKIE ECHO)
// fails with a *NoAnswerError that says so, and no longer suggests a
// wrong UDP port.
func TestConnectNoCookieAck(t *testing.T) {
	noLeak(t)
	srv := server(t, Type(Stream), Backlog(1))
	connect(t, clientOf(t, srv), srv) // fills the backlog
	cli := clientOf(t, srv, fastRTO, SCTPInitMsg(InitMsg{MaxAttempts: 2}))
	_, err := cli.Connect(testCtx(t), lo, srv.Port())
	require.ErrorIs(t, err, ErrNoAnswer)
	var na *NoAnswerError
	require.ErrorAs(t, err, &na)
	require.True(t, na.InitAcked)
	require.Equal(t, []netip.AddrPort{netip.AddrPortFrom(lo, uint16(srv.UDPPort()))}, na.Addrs)
	require.Contains(t, err.Error(), fmt.Sprintf("no answer from 127.0.0.1 (SCTP port %d, UDP port %d: its INIT ACK came",
		srv.Port(), srv.UDPPort()))
	require.NotContains(t, err.Error(), "encapsulation port?")
}
