package api

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// fillSendBuffer sends 1000-byte messages on assoc with non_block_send
// until the send buffer is full (eagain), and returns how many it sent.
func fillSendBuffer(t *testing.T, s *Socket, assoc AssocID) int {
	t.Helper()
	require.NoError(t, s.SetOpts(NonBlockSend(true)))
	msg := make([]byte, 1000)
	for sent := range 200 {
		if err := s.Send(assoc, 0, msg); err != nil {
			require.ErrorIs(t, err, ErrWouldBlock)
			return sent
		}
	}
	t.Fatal("the send buffer never filled up")
	return 0
}

// buffered returns the bytes queued on association id of s.
func buffered(t *testing.T, s *Socket, id AssocID) int {
	t.Helper()
	n := 0
	require.NoError(t, s.do(func(timer.Time) error {
		if a, ok := s.share.ep.Assoc(id); ok {
			n = a.Buffered()
		}
		return nil
	}))
	return n
}

// The gen_sctp documentation linger {true, T}: close/1 shuts the associations down
// gracefully and waits up to T seconds; what has not closed by then (here
// data the peer never acknowledges: it does not read, its window is
// closed) is aborted: the peer sees comm_lost, never a shutdown event,
// and Close reports the data discarded (ErrDataDiscarded).
func TestLingerTimeoutAborts(t *testing.T) {
	noLeak(t)
	srv := server(t, Recbuf(1500))
	cli := clientOf(t, srv, Sndbuf(4000), SCTPNodelay(true), Linger(true, 1))
	ac := connect(t, cli, srv)
	fillSendBuffer(t, cli, ac.AssocID)
	require.Positive(t, buffered(t, cli, ac.AssocID), "unacknowledged data")

	start := time.Now()
	err := cli.Close()
	took := time.Since(start)
	require.ErrorIs(t, err, ErrDataDiscarded)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, Timeout, e.Reason)
	require.Equal(t, "close", e.Op)
	require.NoError(t, cli.Close(), "closed all the same: a second Close does nothing")
	require.GreaterOrEqual(t, took, 900*time.Millisecond, "Close waits for the linger time")
	require.Less(t, took, 15*time.Second)

	for range 1000 {
		d := recv(t, srv)
		if d.Kind == KindData {
			continue
		}
		switch e := d.Event.(type) {
		case *ShutdownEvent:
			t.Fatal("the shutdown never got to the peer: no shutdown event")
		case *AssocChange:
			if e.State == CommUp {
				continue
			}
			require.Equal(t, CommLost, e.State, "aborted after the linger time")
			return
		}
	}
	t.Fatal("no comm_lost")
}

// RemoteUDPPortFor: the UDP encapsulation port of one peer address wins
// over RemoteUDPPort (here a port where nobody listens).
func TestRemoteUDPPortFor(t *testing.T) {
	noLeak(t)
	srv := server(t)
	hole := open(t)
	holePort := hole.UDPPort()
	require.NoError(t, hole.Close())
	mapped := netip.AddrFrom16(lo.As16()) // ::ffff:127.0.0.1 names 127.0.0.1
	cli := open(t, RemoteUDPPort(holePort), RemoteUDPPortFor(mapped, srv.UDPPort()), fastRTO,
		SCTPInitMsg(InitMsg{MaxAttempts: 3}))
	ac := connect(t, cli, srv)
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("via the per-address port")))
	d := recvData(t, srv)
	require.Equal(t, "via the per-address port", string(d.Data))

	// Without the override the INITs go to the hole.
	other := open(t, RemoteUDPPort(holePort), fastRTO, SCTPInitMsg(InitMsg{MaxAttempts: 2}))
	_, err := other.Connect(testCtx(t), lo, srv.Port())
	var ee *EventError
	require.True(t, errors.As(err, &ee), "%v", err)
	require.Equal(t, CantAssoc, ee.Event.(*AssocChange).State)
}

// connectx_init with two peer addresses returns the association id at
// once; the comm_up event carries it, and the association has both
// addresses, the first the primary (the gen_sctp documentation connectx_init).
func TestConnectxInitTwoAddrs(t *testing.T) {
	noLeak(t)
	srv := multihomedServer(t)
	cli := clientOf(t, srv)
	id, err := cli.ConnectxInit(testCtx(t), []netip.Addr{lo, lo2}, srv.Port())
	require.NoError(t, err)
	require.NotZero(t, id)
	ac := recvEvent[*AssocChange](t, cli)
	require.Equal(t, CommUp, ac.State)
	require.Equal(t, id, ac.AssocID)
	peers, err := cli.PeerNames(id)
	require.NoError(t, err)
	require.Equal(t, netip.AddrPortFrom(lo, srv.Port()), peers[0], "the primary first")
	require.ElementsMatch(t, []netip.AddrPort{netip.AddrPortFrom(lo, srv.Port()), netip.AddrPortFrom(lo2, srv.Port())}, peers)
	require.NoError(t, cli.Send(id, 0, []byte("x")))
	require.Equal(t, "x", string(recvData(t, srv).Data))
}

// connect_init to a port that does not accept: the call succeeds, and the
// outcome arrives as a cant_assoc event with the attempt's association
// id (the gen_sctp documentation).
func TestConnectInitRefused(t *testing.T) {
	noLeak(t)
	srv := open(t) // not listening: the INIT is answered with an ABORT
	cli := clientOf(t, srv)
	require.NoError(t, cli.ConnectInit(testCtx(t), lo, srv.Port()))
	ac := recvEvent[*AssocChange](t, cli)
	require.Equal(t, CantAssoc, ac.State)
	require.NotZero(t, ac.AssocID)
	require.ErrorIs(t, ac.Err, syscall.ECONNREFUSED, "the event carries the reason")
	require.ErrorIs(t, cli.Send(ac.AssocID, 0, []byte("x")), ErrNoAssociation)
}

// Close while a Connect waits for a peer that never answers: Connect
// returns an error satisfying errors.Is(err, net.ErrClosed).
func TestCloseUnblocksConnect(t *testing.T) {
	noLeak(t)
	hole := open(t)
	port := hole.UDPPort()
	require.NoError(t, hole.Close())
	cli := open(t, RemoteUDPPort(port), Linger(true, 0))
	errs := make(chan error, 1)
	go func() {
		_, err := cli.Connect(context.Background(), lo, 5000)
		errs <- err
	}()
	require.Eventually(t, func() bool {
		n := 0
		_ = cli.do(func(timer.Time) error { n = len(cli.connecting); return nil })
		return n > 0
	}, 5*time.Second, time.Millisecond)
	require.NoError(t, cli.Close())
	select {
	case err := <-errs:
		require.ErrorIs(t, err, net.ErrClosed)
		var e *Error
		require.True(t, errors.As(err, &e))
		require.Equal(t, Closed, e.Reason)
	case <-time.After(10 * time.Second):
		t.Fatal("Connect stayed blocked")
	}
}

// The gen_sctp documentation (OTP 27.2): peeloff/2 copies the parent's options:
// sctp_nodelay, linger, priority, tos and the active mode.
func TestPeeloffInheritsOptions(t *testing.T) {
	noLeak(t)
	srv := server(t, SCTPNodelay(true), Linger(true, 5), Priority(3), TOS(0x28), Active(ActiveTrue))
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv)
	up := next(t, srv.Deliveries()).Event.(*AssocChange)
	require.Equal(t, CommUp, up.State)
	p, err := srv.Peeloff(up.AssocID)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	vs, err := p.GetOpts(OptionQuery{Name: "sctp_nodelay"}, OptionQuery{Name: "linger"},
		OptionQuery{Name: "priority"}, OptionQuery{Name: "tos"}, OptionQuery{Name: "active"})
	require.NoError(t, err)
	require.Equal(t, []OptionValue{
		{Name: "sctp_nodelay", Value: true},
		{Name: "linger", Value: LingerValue{On: true, Seconds: 5}},
		{Name: "priority", Value: 3},
		{Name: "tos", Value: 0x28},
		{Name: "active", Value: ActiveTrue},
	}, vs)
	// Active: the peeled association's messages go to the new socket's
	// channel, not the parent's.
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("active child")))
	d := next(t, p.Deliveries())
	require.Equal(t, "active child", string(d.Data))
	require.Same(t, p, d.Socket)
	require.Empty(t, srv.Deliveries())
	_, err = p.Recv(testCtx(t))
	require.ErrorIs(t, err, ErrActive)
}

// sctp_events (the gen_sctp documentation): with data_io_event off, messages come
// without an sctp_sndrcvinfo; with association_event off, no AssocChange
// is delivered (comm_up, shutdown_comp), and Connect still gets its own.
func TestEventsSubscription(t *testing.T) {
	noLeak(t)
	srv := server(t, SCTPEvents(EventSubscribe{DataIoEvent: False, AssociationEvent: False}))
	cli := clientOf(t, srv, SCTPEvents(EventSubscribe{AssociationEvent: False}))
	ac := connect(t, cli, srv)
	require.Equal(t, CommUp, ac.State, "Connect works without association events")
	require.NoError(t, cli.Send(ac.AssocID, 4, []byte("no info")))
	d := recv(t, srv)
	require.Equal(t, KindData, d.Kind, "no comm_up before the message")
	require.Equal(t, "no info", string(d.Data))
	require.False(t, d.HasInfo, "data_io_event off")
	require.Zero(t, d.Info)
	require.NoError(t, srv.Send(assocOf(t, srv), 1, []byte("with info")))
	r := recv(t, cli)
	require.True(t, r.HasInfo, "data_io_event on")
	require.Equal(t, uint16(1), r.Info.Stream)

	// Shutdown: the shutdown event is delivered, shutdown_comp is not.
	srvID := assocOf(t, srv)
	require.NoError(t, cli.Eof(ac.AssocID))
	recvEvent[*ShutdownEvent](t, srv)
	require.Eventually(t, func() bool {
		gone := true
		_ = srv.do(func(timer.Time) error {
			_, a, err := srv.assocLocked(srvID)
			gone = err != nil || a.State() == association.StateClosed
			return nil
		})
		return gone
	}, 10*time.Second, time.Millisecond, "the association ends")
	for _, s := range []*Socket{srv, cli} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		d, err := s.Recv(ctx)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded, "nothing more, got %+v", d)
	}
}

// assocOf returns the id of the only association of s.
func assocOf(t *testing.T, s *Socket) AssocID {
	t.Helper()
	var ids []AssocID
	require.NoError(t, s.do(func(timer.Time) error { ids = s.ownedLocked(); return nil }))
	require.Len(t, ids, 1)
	return ids[0]
}

// inet:getstat: the octets, counts, largest, average and average
// deviation of the messages each way (inet_drv's running means: avg +=
// (n - avg)/cnt, dvi += (|n - old avg| - dvi)/cnt), and send_pend, the
// bytes queued and not yet sent.
func TestStatsValues(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv, SCTPNodelay(true))
	ac := connect(t, cli, srv)
	require.NoError(t, cli.Send(ac.AssocID, 0, make([]byte, 100)))
	require.NoError(t, cli.Send(ac.AssocID, 0, make([]byte, 300)))
	require.Len(t, recvData(t, srv).Data, 100)
	require.Len(t, recvData(t, srv).Data, 300)
	cs, err := cli.Stats()
	require.NoError(t, err)
	require.Equal(t, Stats{SendCnt: 2, SendOct: 400, SendMax: 300, SendAvg: 200}, cs)
	ss, err := srv.Stats()
	require.NoError(t, err)
	// dvi: |100 - 0| = 100 after the first; (100 + |300 - 100|)/2 = 150.
	require.Equal(t, Stats{RecvCnt: 2, RecvOct: 400, RecvMax: 300, RecvAvg: 200, RecvDvi: 150}, ss)

	// send_pend: what waits in the send buffer of the socket's
	// associations, 0 again once the peer has read it all.
	srv2 := server(t, Recbuf(1500))
	cli2 := clientOf(t, srv2, Sndbuf(4000), SCTPNodelay(true))
	ac2 := connect(t, cli2, srv2)
	sent := fillSendBuffer(t, cli2, ac2.AssocID)
	st, err := cli2.Stats()
	require.NoError(t, err)
	require.Positive(t, st.SendPend)
	require.LessOrEqual(t, st.SendPend, uint64(sent*1000))
	require.Equal(t, uint64(sent), st.SendCnt)
	require.Equal(t, uint64(sent*1000), st.SendOct)
	for range sent {
		recvData(t, srv2)
	}
	require.Eventually(t, func() bool {
		st, err := cli2.Stats()
		return err == nil && st.SendPend == 0
	}, 10*time.Second, time.Millisecond)
}

// A live #sctp_remote_error{}: the client's UDP socket sends the server
// a packet of its association with a chunk type nobody defines, whose
// action bits are 11 (RFC 9260 Section 3.2: "Skip this chunk and continue
// processing, but report in an ERROR chunk using the 'Unrecognized Chunk
// Type' error cause"); the server's ERROR reaches the client as an
// error-class event (the gen_sctp documentation): Recv returns it as an error, an
// *EventError carrying the RemoteError with cause 6.
func TestRemoteErrorLive(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv)
	var peerTag chunk.VerificationTag
	require.NoError(t, cli.do(func(timer.Time) error {
		_, a, err := cli.assocLocked(ac.AssocID)
		if err == nil {
			_, peerTag = a.Tags()
		}
		return err
	}))
	h := packet.Header{SrcPort: cli.Port(), DstPort: srv.Port(), VerificationTag: peerTag}
	pkt := h.Append(nil)
	pkt = append(pkt, 0xfe, 0, 0, 8, 'g', 'e', 'n', 's') // type 254: action bits 11
	packet.SetChecksum(pkt)
	require.NoError(t, cli.stk.Conn().WriteTo(pkt, netip.AddrPortFrom(lo, uint16(srv.UDPPort())), lo))

	var re *RemoteError
	for range 100 {
		_, err := cli.Recv(testCtx(t))
		if err == nil {
			continue // another delivery
		}
		var ee *EventError
		require.True(t, errors.As(err, &ee), "%v", err)
		re = ee.Event.(*RemoteError)
		var e *Error
		require.True(t, errors.As(err, &e))
		require.Equal(t, Atom("sctp_remote_error"), e.Reason)
		break
	}
	require.NotNil(t, re)
	require.Equal(t, ac.AssocID, re.AssocID)
	require.Equal(t, CauseCode(6), re.Error, "Unrecognized Chunk Type")
	require.Equal(t, []CauseCode{6}, re.Data)
	require.Equal(t, "Unrecognized Chunk Type", ErrorString(int(re.Error)))
	// The association goes on.
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("still up")))
	require.Equal(t, "still up", string(recvData(t, srv).Data))
}

// {active, N} and Connect (the gen_sctp documentation): the comm_up that
// Connect consumes still counts, as gen_sctp's connect reads it from the
// mailbox; it is not delivered on the channel.
func TestConnectCountsInActiveN(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv, Active(ActiveCount(2)))
	ac := connect(t, cli, srv)
	require.Equal(t, "1", cli.activeValue(t), "comm_up counted")
	require.Empty(t, cli.Deliveries(), "and not delivered again")
	up := recvEvent[*AssocChange](t, srv)
	require.NoError(t, srv.Send(up.AssocID, 0, []byte("one")))
	d := next(t, cli.Deliveries())
	require.Equal(t, "one", string(d.Data))
	require.Equal(t, ac.AssocID, d.Info.AssocID)
	require.Equal(t, KindPassive, next(t, cli.Deliveries()).Kind)
	require.Equal(t, "false", cli.activeValue(t))

	// Connect as the last count: the passive notice follows at once.
	cli2 := clientOf(t, srv, Active(ActiveCount(1)))
	connect(t, cli2, srv)
	require.Equal(t, KindPassive, next(t, cli2.Deliveries()).Kind)
	require.Equal(t, "false", cli2.activeValue(t))
}
