package api

import (
	"context"
	"errors"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var lo = netip.MustParseAddr("127.0.0.1")

// testCtx returns a context that bounds a test.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// noLeak checks, at the end of the test, that the goroutines it started
// are gone (bounded wait).
func noLeak(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("goroutines: %d before, %d after\n%s", before, n, buf)
		}
	})
}

// open opens a socket on 127.0.0.1 with an ephemeral UDP port, closed at
// the end of the test.
func open(t *testing.T, opts ...Option) *Socket {
	t.Helper()
	s, err := Open(append([]Option{IP(lo), LocalUDPPort(0)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// server opens a listening socket.
func server(t *testing.T, opts ...Option) *Socket {
	t.Helper()
	s := open(t, opts...)
	require.NoError(t, s.Listen(true))
	return s
}

// multihomedServer opens a listening socket bound to 127.0.0.1 and
// 127.0.0.2 on an ephemeral UDP port, or skips when 127.0.0.2 cannot be
// bound.
func multihomedServer(t *testing.T) *Socket {
	t.Helper()
	srv, err := Open(IP(lo), IP(lo2), LocalUDPPort(0))
	if err != nil {
		t.Skipf("cannot bind 127.0.0.1 and 127.0.0.2: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	require.NoError(t, srv.Listen(true))
	return srv
}

// holeUDPPort returns a UDP port on 127.0.0.1 where nothing listens (a
// socket's, closed): packets sent there get no answer.
func holeUDPPort(t *testing.T) int {
	t.Helper()
	hole := open(t)
	port := hole.UDPPort()
	require.NoError(t, hole.Close())
	return port
}

// clientOf opens a socket that reaches srv's UDP port.
func clientOf(t *testing.T, srv *Socket, opts ...Option) *Socket {
	t.Helper()
	return open(t, append([]Option{RemoteUDPPort(srv.UDPPort())}, opts...)...)
}

// connect connects c to srv and returns the comm_up event.
func connect(t *testing.T, c, srv *Socket, opts ...Option) *AssocChange {
	t.Helper()
	ac, err := c.Connect(testCtx(t), lo, srv.Port(), opts...)
	require.NoError(t, err)
	require.Equal(t, CommUp, ac.State)
	return ac
}

// recv receives one delivery within the test's bounds.
func recv(t *testing.T, s *Socket) Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := s.Recv(ctx)
	require.NoError(t, err)
	return d
}

// recvEvent receives until an event of type E arrives, skipping others
// (address events may interleave, the gen_sctp documentation).
func recvEvent[E Event](t *testing.T, s *Socket) E {
	t.Helper()
	for range 100 {
		d := recv(t, s)
		if e, ok := d.Event.(E); ok {
			return e
		}
	}
	t.Fatal("event not received")
	panic("unreachable")
}

// recvData receives until a message arrives, skipping events.
func recvData(t *testing.T, s *Socket) Delivery {
	t.Helper()
	for range 100 {
		d := recv(t, s)
		if d.Kind == KindData {
			return d
		}
	}
	t.Fatal("message not received")
	panic("unreachable")
}

// next reads one delivery from ch within bounds.
func next(t *testing.T, ch <-chan Delivery) Delivery {
	t.Helper()
	select {
	case d := <-ch:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery")
	}
	panic("unreachable")
}

// result returns the error errc delivers within the test's bounds.
func result(t *testing.T, errc <-chan error) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the call is still blocked")
	}
	panic("unreachable")
}

// recvState receives until an AssocChange with state st arrives,
// skipping other deliveries and error-class events.
func recvState(t *testing.T, s *Socket, st AssocState) *AssocChange {
	t.Helper()
	for range 100 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		d, err := s.Recv(ctx)
		cancel()
		var ee *EventError
		if errors.As(err, &ee) {
			continue
		}
		require.NoError(t, err)
		if ac, ok := d.Event.(*AssocChange); ok && ac.State == st {
			return ac
		}
	}
	t.Fatal("state not reached")
	panic("unreachable")
}
