package api

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Closing a socket takes its endpoint off the shared stack: its SCTP port
// can be opened again on the same UDP port while another socket keeps the
// stack alive.
func TestCloseFreesPort(t *testing.T) {
	noLeak(t)
	keep := open(t, Port(40021))
	a, err := Open(IP(lo), LocalUDPPort(keep.UDPPort()), Port(40022))
	require.NoError(t, err)
	require.NoError(t, a.Close())
	b, err := Open(IP(lo), LocalUDPPort(keep.UDPPort()), Port(40022))
	require.NoError(t, err, "the port is free again")
	require.Same(t, keep.stk, b.stk)
	require.NoError(t, b.Close())
}

// A lingering Close is woken by the changes of its own associations
// only: with K accepted sockets closing while their peers read nothing
// (each Close waits for its queued data), the ordinary closes of other
// accepted sockets of the listener do not wake the K Close calls.
func TestLingeringCloseWokenByItsOwnAssociations(t *testing.T) {
	noLeak(t)
	const K, M = 30, 5
	srv := server(t, Type(Stream), Sndbuf(1<<20))
	var accepted, clis []*Socket
	for i := range K + M {
		// Distinct SCTP ports (see newIdleEcho); aborted when closed.
		opts := []Option{Type(Stream), Port(uint16(43000 + i)), Linger(true, 0)}
		if i < K {
			opts = append(opts, Recbuf(1500)) // never read: the window closes
		}
		cli := clientOf(t, srv, opts...)
		connect(t, cli, srv)
		a, err := srv.Accept(testCtx(t))
		require.NoError(t, err)
		accepted = append(accepted, a)
		clis = append(clis, cli)
	}
	for _, a := range accepted[:K] {
		for range 10 {
			require.NoError(t, a.Send(0, 0, make([]byte, 1000)))
		}
	}
	closed := make(chan struct{}, K)
	for _, a := range accepted[:K] {
		go func() { a.Close(); closed <- struct{}{} }() // lingers: data the peer does not take
		waiting(t, srv, &a.linger.q, 1)
	}
	w0 := srv.stk.Wakeups()
	for _, a := range accepted[K:] {
		require.NoError(t, a.Close()) // its peer answers at once
	}
	n := srv.stk.Wakeups() - w0
	t.Logf("%d wake-ups for %d ordinary closes with %d lingering closes", n, M, K)
	require.Less(t, n, uint64(K), "the lingering closes were woken")

	for _, c := range clis[:K] { // the peers abort: the lingering closes end
		require.NoError(t, c.Close())
	}
	for range K {
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Fatal("a lingering Close did not end when its association did")
		}
	}
}

// A lingering Close whose data all reaches the peer in time returns nil:
// only data discarded when the linger time runs out is an error.
func TestLingerCloseDelivered(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv, Linger(true, 5))
	ac := connect(t, cli, srv)
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("last words")))
	require.NoError(t, cli.Close())
	require.Equal(t, "last words", string(recvData(t, srv).Data))
}

// A Close while an association is still in its handshake with data
// queued honours the linger: the association comes up, delivers the data
// and shuts down, and Close returns nil (with Linger, and without it
// within the bounds of a graceful close).
func TestCloseDuringHandshakeDelivers(t *testing.T) {
	noLeak(t)
	for _, tc := range []struct {
		name string
		opts []Option
	}{{"linger", []Option{Linger(true, 5)}}, {"no linger", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := server(t)
			cli := clientOf(t, srv, tc.opts...)
			id, err := cli.ConnectxInit(testCtx(t), []netip.Addr{lo}, srv.Port())
			require.NoError(t, err)
			require.NoError(t, cli.Send(id, 0, []byte("queued during the handshake")))
			require.NoError(t, cli.Close())
			require.Equal(t, "queued during the handshake", string(recvData(t, srv).Data))
			ev := recvEvent[*ShutdownEvent](t, srv)
			require.NotNil(t, ev, "a graceful shutdown, not an abort")
		})
	}
}

// A Close while an association is still in its handshake with data
// queued returns ErrDataDiscarded when the data is lost: the peer never
// answers within the linger time, or the attempt fails before it ends
// (its INITs exhausted).
func TestCloseDuringHandshakeDiscards(t *testing.T) {
	noLeak(t)
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"linger runs out", []Option{Linger(true, 1)}},
		{"attempt fails", []Option{Linger(true, 30), fastRTO, SCTPInitMsg(InitMsg{MaxAttempts: 1})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cli := open(t, append([]Option{RemoteUDPPort(holeUDPPort(t))}, tc.opts...)...)
			id, err := cli.ConnectxInit(testCtx(t), []netip.Addr{lo}, 5000)
			require.NoError(t, err)
			require.NoError(t, cli.Send(id, 0, []byte("queued during the handshake")))
			err = cli.Close()
			require.ErrorIs(t, err, ErrDataDiscarded)
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, "close", e.Op)
		})
	}
}
