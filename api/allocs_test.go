package api

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Steady state allocates nothing (no allocation per message): a 1200-byte message sent and received over loopback,
// both sockets in this process, costs no allocation on either side, the
// stack's goroutines and timers included. testing.AllocsPerRun returns
// the average rounded down: allocations that happen less than once per
// message on average (a queue or pool growing to its working size, a
// rare retransmission) do not count, and the sockets are warmed up first
// so that those growths are mostly behind.

// allocRuns is the number of messages the allocation tests average over.
const allocRuns = 2000

// sendRecvAllocs returns the allocations per message of Send followed by
// RecvBuffer with ctx, with both sockets' deadlines set far ahead if
// deadline, both sockets opened with opts.
func sendRecvAllocs(t *testing.T, ctx context.Context, deadline bool, opts ...Option) float64 {
	t.Helper()
	srv := server(t, opts...)
	cli := clientOf(t, srv, append([]Option{SCTPNodelay(true)}, opts...)...)
	ac := connect(t, cli, srv)
	recvEvent[*AssocChange](t, srv)
	if deadline {
		require.NoError(t, cli.SetDeadline(time.Now().Add(time.Hour)))
		require.NoError(t, srv.SetDeadline(time.Now().Add(time.Hour)))
	}
	msg := make([]byte, 1200)
	b := make([]byte, 2048)
	return perMessage(t, func() error {
		if err := cli.Send(ac.AssocID, 0, msg); err != nil {
			return err
		}
		d, err := srv.RecvBuffer(ctx, b)
		if err == nil && (len(d.Data) != len(msg) || d.Partial) {
			t.Errorf("received %d bytes, partial %v", len(d.Data), d.Partial)
		}
		return err
	})
}

// perMessage returns the allocations of once, which sends and receives a
// message, averaged over allocRuns messages after a warm-up.
func perMessage(t *testing.T, once func() error) float64 {
	t.Helper()
	var err error
	run := func() {
		if err == nil {
			err = once()
		}
	}
	for range allocRuns / 4 {
		run()
	}
	allocs := testing.AllocsPerRun(allocRuns, run)
	require.NoError(t, err)
	return allocs
}

func TestSendRecvBufferAllocs(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector allocates")
	}
	t.Run("background", func(t *testing.T) {
		require.Zero(t, sendRecvAllocs(t, context.Background(), false))
	})
	t.Run("socket deadlines", func(t *testing.T) {
		require.Zero(t, sendRecvAllocs(t, context.Background(), true))
	})
	t.Run("cancellable context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		require.Zero(t, sendRecvAllocs(t, ctx, false))
	})
	t.Run("context deadline and socket deadlines", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		require.Zero(t, sendRecvAllocs(t, ctx, true))
	})
}

// Deadlines of connAllocs.
const (
	noDeadline      = iota
	deadlineOnce    // set far ahead once
	deadlineEachMsg // the read deadline moved before each Read, as servers do
)

// connAllocs returns the allocations per message of Conn.Write followed
// by Conn.Read of a 1200-byte message, with deadlines.
func connAllocs(t *testing.T, deadlines int) float64 {
	t.Helper()
	c1, c2 := pipe(t)
	require.NoError(t, c1.Socket().SetOpts(SCTPNodelay(true)))
	if deadlines != noDeadline {
		require.NoError(t, c1.SetDeadline(time.Now().Add(time.Hour)))
		require.NoError(t, c2.SetDeadline(time.Now().Add(time.Hour)))
	}
	msg := make([]byte, 1200)
	b := make([]byte, 2048)
	return perMessage(t, func() error {
		if deadlines == deadlineEachMsg {
			if err := c2.SetReadDeadline(time.Now().Add(time.Minute)); err != nil {
				return err
			}
		}
		if _, err := c1.Write(msg); err != nil {
			return err
		}
		n, err := c2.Read(b)
		if err == nil && n != len(msg) {
			t.Errorf("read %d bytes", n)
		}
		return err
	})
}

func TestConnWriteReadAllocs(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector allocates")
	}
	t.Run("no deadline", func(t *testing.T) {
		require.Zero(t, connAllocs(t, noDeadline))
	})
	t.Run("deadline", func(t *testing.T) {
		require.Zero(t, connAllocs(t, deadlineOnce))
	})
	t.Run("deadline moved per message", func(t *testing.T) {
		require.Zero(t, connAllocs(t, deadlineEachMsg))
	})
}

// IP literals do not go through the resolver and cost nothing to parse:
// Dial and Listen parse an "IP:port" address without allocating, and
// ConnectHost and the other host calls turn literals into addresses with
// the one slice that Connect makes too.
func TestLiteralAddrAllocs(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector allocates")
	}
	for _, a := range []string{"127.0.0.1:5000", "[::1]:5000"} {
		require.Zero(t, testing.AllocsPerRun(100, func() {
			if ip, name, _, err := parseAddr("sctp", a, false); err != nil || name != "" || !ip.IsValid() {
				t.Fatal(a, err)
			}
		}), a)
	}
	s := open(t)
	hosts := []string{"127.0.0.1"}
	ctx := context.Background()
	require.Equal(t, 1.0, testing.AllocsPerRun(100, func() {
		if _, err := s.lookup(ctx, "connect", hosts); err != nil {
			t.Fatal(err)
		}
	}))
}
