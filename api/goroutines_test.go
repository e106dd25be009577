package api

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// goroutineSlack is how many goroutines the test tolerates beyond the
// expected count: transient runtime timer callbacks.
const goroutineSlack = 3

// settledGoroutines returns the smallest goroutine count seen over a short
// bounded sampling: transient goroutines (timer callbacks) only add.
func settledGoroutines() int {
	n := runtime.NumGoroutine()
	for range 20 {
		time.Sleep(5 * time.Millisecond)
		n = min(n, runtime.NumGoroutine())
	}
	return n
}

// requireGoroutinesNear fails when the settled goroutine count exceeds
// base by more than goroutineSlack, with the stacks.
func requireGoroutinesNear(t *testing.T, base int, what string) {
	t.Helper()
	if n := settledGoroutines(); n > base+goroutineSlack {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("%s: %d goroutines, baseline %d (slack %d)\n%s", what, n, base, goroutineSlack, buf)
	}
}

// nextData reads deliveries from ch until a message, skipping events
// (the accepted association's comm_up, for one).
func nextData(t *testing.T, ch <-chan Delivery) Delivery {
	t.Helper()
	for range 10 {
		if d := next(t, ch); d.Kind == KindData {
			return d
		}
	}
	t.Fatal("no message")
	panic("unreachable")
}

// parkedOrFull reports whether s delivers nothing more for now: its
// channel is full and its next delivery waits parked.
func parkedOrFull(s *Socket) bool {
	parked := false
	_ = s.stk.Do(func(timer.Time) error { parked = s.park.IsParked(); return nil })
	return parked && len(s.own) == cap(s.own)
}

// fillAndDrain has every client write more messages than each active
// server socket's delivery channel holds while nobody reads: every server
// socket ends up with a parked delivery, which costs one goroutine per
// socket while parked (a typed send to that socket's channel) and nothing
// more. Then everything is read, in order, and those goroutines are gone.
func fillAndDrain(t *testing.T, base int, write []func([]byte) error, socks []*Socket) {
	t.Helper()
	const extra = 4
	for i, w := range write {
		for j := range DefaultDeliveryBuffer + extra {
			require.NoError(t, w([]byte(fmt.Sprintf("%d/%d", i, j))))
		}
	}
	require.Eventually(t, func() bool {
		for _, s := range socks {
			if !parkedOrFull(s) {
				return false
			}
		}
		return true
	}, 10*time.Second, 5*time.Millisecond, "every channel full, a delivery parked")
	requireGoroutinesNear(t, base+len(socks), fmt.Sprintf("%d sockets blocked on full channels", len(socks)))
	for i, s := range socks {
		for j := range DefaultDeliveryBuffer + extra {
			d := next(t, s.Deliveries())
			require.Equal(t, KindData, d.Kind)
			require.Equal(t, fmt.Sprintf("%d/%d", i, j), string(d.Data), "in order, nothing lost")
		}
	}
}

// The event loop has no goroutine or timer per association. Accepted one-to-one sockets (and the
// Dial clients, all on one UDP port) deliver through the stack's event
// loop: N more associations, each active and exchanging messages, leave
// the goroutine count where it was.
func TestGoroutinesConstantAccept(t *testing.T) {
	noLeak(t)
	const n = 20
	srv := server(t, Type(Stream))
	srvAddr := netip.AddrPortFrom(lo, srv.Port()).String()
	// The first association warms up what is started once per stack.
	c0 := clientOf(t, srv, Type(Stream))
	connect(t, c0, srv)
	a0, err := srv.Accept(testCtx(t))
	require.NoError(t, err)
	t.Cleanup(func() { a0.Close() })
	require.NoError(t, a0.SetOpts(Active(ActiveTrue)))
	require.NoError(t, c0.Send(0, 0, []byte("warm")))
	require.Equal(t, "warm", string(nextData(t, a0.Deliveries()).Data))
	base := settledGoroutines()

	var socks []*Socket
	var write []func([]byte) error
	for i := range n {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := Dial(ctx, "sctp", srvAddr, IP(lo), LocalUDPPort(c0.UDPPort()), RemoteUDPPort(srv.UDPPort()))
		cancel()
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		a, err := srv.Accept(testCtx(t))
		require.NoError(t, err)
		t.Cleanup(func() { a.Close() })
		require.NoError(t, a.SetOpts(Active(ActiveTrue)))
		_, err = c.Write([]byte(fmt.Sprint("hello ", i)))
		require.NoError(t, err)
		require.Equal(t, fmt.Sprint("hello ", i), string(nextData(t, a.Deliveries()).Data))
		socks, write = append(socks, a), append(write, func(b []byte) error { _, err := c.Write(b); return err })
	}
	requireGoroutinesNear(t, base, fmt.Sprintf("%d more accepted associations", n))
	fillAndDrain(t, base, write, socks)
	requireGoroutinesNear(t, base, "after draining")
}

// The same for one-to-many: N associations of a listening one-to-many
// socket, each peeled off into an active one-to-one socket (the clients,
// one-to-many sockets sharing one UDP port).
func TestGoroutinesConstantPeeloff(t *testing.T) {
	noLeak(t)
	const n = 20
	srv := server(t)
	c0 := clientOf(t, srv)
	connect(t, c0, srv)
	up := recvEvent[*AssocChange](t, srv)
	p0, err := srv.Peeloff(up.AssocID)
	require.NoError(t, err)
	t.Cleanup(func() { p0.Close() })
	require.NoError(t, p0.SetOpts(Active(ActiveTrue)))
	base := settledGoroutines()

	var socks []*Socket
	var write []func([]byte) error
	for i := range n {
		c := open(t, LocalUDPPort(c0.UDPPort()), RemoteUDPPort(srv.UDPPort()))
		ac := connect(t, c, srv)
		up := recvEvent[*AssocChange](t, srv)
		require.Equal(t, CommUp, up.State)
		p, err := srv.Peeloff(up.AssocID)
		require.NoError(t, err)
		t.Cleanup(func() { p.Close() })
		require.NoError(t, p.SetOpts(Active(ActiveTrue)))
		require.NoError(t, c.Send(ac.AssocID, 0, []byte(fmt.Sprint("hello ", i))))
		d := nextData(t, p.Deliveries())
		require.Equal(t, fmt.Sprint("hello ", i), string(d.Data))
		require.Equal(t, up.AssocID, d.Info.AssocID)
		socks = append(socks, p)
		write = append(write, func(b []byte) error { return c.Send(ac.AssocID, 0, b) })
	}
	requireGoroutinesNear(t, base, fmt.Sprintf("%d more peeled-off associations", n))
	fillAndDrain(t, base, write, socks)
	requireGoroutinesNear(t, base, "after draining")
}
