//go:build linux

package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/chunk"
	"github.com/pion/logging"
	"github.com/pion/sctp"
)

// pionPort is the SCTP port pion/sctp always uses, on both ends.
const pionPort = 5000

// pionStreams is the number of streams the pion tests use.
const pionStreams = 3

// pionConn opens pion's plain UDP socket on 127.0.0.1:local, connected to
// 127.0.0.1:remote (our stack). pion/sctp sends bare SCTP packets over it:
// on the wire that is SCTP over UDP as RFC 6951 encapsulates it.
func pionConn(t *testing.T, local, remote int) *net.UDPConn {
	t.Helper()
	c, err := net.DialUDP("udp4",
		net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, uint16(local))),
		net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, uint16(remote))))
	if err != nil {
		t.Fatalf("pion's UDP socket: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// newPionNode opens a gensctp node on SCTP port 5000 for pion, reaching
// pion on UDP port pionUDP. It binds the wildcard address, so that its
// associations list no local address: pion/sctp v1.12.1 knows neither the
// IPv4 nor the IPv6 Address parameter (RFC 9260 Section 3.3.2.1), whose
// action bits (00) make it refuse the whole INIT.
func newPionNode(t *testing.T, pionUDP int, opts ...api.Option) *node {
	t.Helper()
	return newNodeOn(t, append([]api.Option{api.LocalUDPPort(udpPort()), api.Port(pionPort), api.RemoteUDPPort(pionUDP)}, opts...))
}

func pionLogger() logging.LoggerFactory {
	f := logging.NewDefaultLoggerFactory()
	f.DefaultLogLevel = logging.LogLevelWarn
	return f
}

// pionClient connects pion to a gensctp node listening on SCTP port 5000.
func pionClient(ctx context.Context, t *testing.T, n *node, opts ...sctp.AssociationOption) *sctp.Association {
	t.Helper()
	conn := pionConn(t, udpPort(), int(n.addr().Port()))
	co := []sctp.ClientOption{sctp.WithNetConn(conn), sctp.WithLoggerFactory(pionLogger()), sctp.WithName("pion client")}
	for _, o := range opts {
		co = append(co, o)
	}
	a, err := sctp.ClientContext(ctx, co...)
	if err != nil {
		t.Fatalf("pion client: %v", err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// pionServer starts a pion server on UDP port pionUDP (the node's remote
// UDP port), connected to our node, and connects the node to it.
func pionServer(ctx context.Context, t *testing.T, n *node, pionUDP int, opts ...sctp.AssociationOption) (*sctp.Association, api.AssocID) {
	t.Helper()
	return pionServerVia(ctx, t, n, pionUDP, int(n.addr().Port()), opts...)
}

// pionServerVia is pionServer with pion's socket connected to UDP port
// remote of 127.0.0.1 (a proxy's) instead of the node's.
func pionServerVia(ctx context.Context, t *testing.T, n *node, pionUDP, remote int, opts ...sctp.AssociationOption) (*sctp.Association, api.AssocID) {
	t.Helper()
	conn := pionConn(t, pionUDP, remote)
	type result struct {
		a   *sctp.Association
		err error
	}
	ch := make(chan result, 1)
	go func() {
		so := []sctp.ServerOption{sctp.WithNetConn(conn), sctp.WithLoggerFactory(pionLogger()), sctp.WithName("pion server")}
		for _, o := range opts {
			so = append(so, o)
		}
		a, err := sctp.ServerWithOptions(so...)
		ch <- result{a, err}
	}()
	id := n.connect(ctx, pionPort)
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("pion server: %v", r.err)
		}
		t.Cleanup(func() { _ = r.a.Close() })
		return r.a, id
	case <-ctx.Done():
		_ = conn.Close() // ends ServerWithOptions
		t.Fatalf("pion server: handshake not complete: %v", ctx.Err())
	}
	return nil, 0
}

// pionEcho serves pion's streams: every message read is written back. It
// records each stream's read error (the way pion reports the end of the
// association) in errs, and returns when the association is gone.
func pionEcho(a *sctp.Association, errs chan<- error) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		s, err := a.AcceptStream()
		if err != nil {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1<<16)
			for {
				k, ppi, err := s.ReadSCTP(buf)
				if err != nil {
					errs <- err
					return
				}
				if _, err := s.WriteSCTP(buf[:k], ppi); err != nil {
					errs <- fmt.Errorf("write: %w", err)
					return
				}
			}
		}()
	}
}

// pionMessages returns count seeded random messages of 1 byte to 64 KiB
// (pion's default largest message).
func pionMessages(t *testing.T, count int) [][]byte {
	t.Helper()
	r := rand.New(rand.NewPCG(testSeed(t), 1))
	msgs := make([][]byte, count)
	for i := range msgs {
		msgs[i] = randomMessage(r, 1+r.IntN(64<<10))
	}
	return msgs
}

// pion client → gensctp echo server: messages of random sizes on several
// streams come back in order per stream. Then pion shuts down gracefully:
// we get ShutdownEvent then ShutdownComp (RFC 9260 Section 9.2), and
// pion's Shutdown returns once the association is closed.
func TestPionClient(t *testing.T) {
	needNetns(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	n := newPionNode(t, udpPort())
	n.listen()
	n.serveEcho()
	a := pionClient(ctx, t, n)
	id := n.accepted(ctx)

	msgs := pionMessages(t, 300)
	var streams [pionStreams]*sctp.Stream
	for i := range streams {
		s, err := a.OpenStream(uint16(i), sctp.PayloadTypeWebRTCBinary)
		if err != nil {
			t.Fatal(err)
		}
		streams[i] = s
	}
	// pion's readers check the echoes per stream, in order.
	errs := make(chan error, pionStreams)
	for i, s := range streams {
		var want [][]byte
		for k := i; k < len(msgs); k += pionStreams {
			want = append(want, msgs[k])
		}
		go func() { errs <- readEchoes(s, want) }()
	}
	for k, m := range msgs {
		// The PPID is explicit: pion/sctp v1.12.1 resets a stream's
		// default PPID to 0 whenever DATA arrives on it
		// (getOrCreateStream with PayloadTypeUnknown), so Write would
		// send PPID 0 once the first echo came back.
		if _, err := streams[k%pionStreams].WriteSCTP(m, sctp.PayloadTypeWebRTCBinary); err != nil {
			t.Fatalf("pion write %d: %v", k, err)
		}
	}
	pionReadersThenShutdown(ctx, t, errs, len(streams), a, n, id)
	if got := n.eventKinds(id); !slices.Equal(got, []string{"comm_up", "shutdown_event", "shutdown_comp"}) {
		t.Errorf("gensctp events %v, want [comm_up shutdown_event shutdown_comp]", got)
	}
}

// pionReadersThenShutdown waits for the results of k of pion's readers
// on errs, failing t on the first error, then shuts pion's association a
// down gracefully and waits for shutdown_comp on the node's association
// id.
func pionReadersThenShutdown(ctx context.Context, t *testing.T, errs <-chan error, k int,
	a *sctp.Association, n *node, id api.AssocID) {
	t.Helper()
	for range k {
		select {
		case err := <-errs:
			if err != nil {
				t.Fatal(err)
			}
		case <-ctx.Done():
			t.Fatalf("pion: echoes: %v", ctx.Err())
		}
	}
	if err := a.Shutdown(ctx); err != nil {
		t.Fatalf("pion shutdown: %v", err)
	}
	n.waitState(ctx, id, api.ShutdownComp)
}

// readEchoes reads len(want) messages from s and compares them.
func readEchoes(s *sctp.Stream, want [][]byte) error {
	buf := make([]byte, 1<<16)
	for k, w := range want {
		if err := s.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
			return err
		}
		got, ppi, err := s.ReadSCTP(buf)
		if err != nil {
			return fmt.Errorf("pion stream %d: echo %d: %w", s.StreamIdentifier(), k, err)
		}
		if !bytes.Equal(buf[:got], w) || ppi != sctp.PayloadTypeWebRTCBinary {
			return fmt.Errorf("pion stream %d: echo %d: %d bytes (PPID %d), want %d", s.StreamIdentifier(), k, got, ppi, len(w))
		}
	}
	return nil
}

// gensctp client → pion echo server: messages of random sizes on several
// streams come back in order per stream. Then our graceful shutdown
// completes (ShutdownComp) and pion's streams end.
func TestPionServer(t *testing.T) {
	needNetns(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	pionUDP := udpPort()
	n := newPionNode(t, pionUDP)
	a, id := pionServer(ctx, t, n, pionUDP)
	errs := make(chan error, 16)
	echoDone := make(chan struct{})
	go func() { defer close(echoDone); pionEcho(a, errs) }()

	msgs := pionMessages(t, 300)
	for k, m := range msgs {
		n.send(ctx, id, uint16(k%pionStreams), uint32(sctp.PayloadTypeWebRTCBinary), m)
	}
	n.wait(ctx, "the echoes", func() bool { return len(n.msgs) >= len(msgs) })
	next := make([]int, pionStreams)
	for s := range next {
		next[s] = s
	}
	for k, g := range n.received() {
		s := int(g.stream)
		if s >= pionStreams || next[s] >= len(msgs) || !bytes.Equal(g.data, msgs[next[s]]) ||
			g.ppid != uint32(sctp.PayloadTypeWebRTCBinary) {
			t.Fatalf("echo %d on stream %d (%d bytes) is not message %d", k, s, len(g.data), next[s])
		}
		next[s] += pionStreams
	}

	n.shutdown(id)
	n.waitState(ctx, id, api.ShutdownComp)
	if got := n.eventKinds(id); !slices.Equal(got, []string{"comm_up", "shutdown_comp"}) {
		t.Errorf("gensctp events %v, want [comm_up shutdown_comp]", got)
	}
	// pion's side: the association closed, every stream's read ends
	// without an abort.
	select {
	case <-echoDone:
	case <-ctx.Done():
		t.Fatalf("pion: the association did not close after our shutdown: %v", ctx.Err())
	}
	close(errs)
	for err := range errs {
		// pion closes its socket once SHUTDOWN COMPLETE went out; an
		// ABORT would have ended the reads with sctp.ErrChunk instead.
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("pion: a stream ended with %v after our graceful shutdown, want net.ErrClosed", err)
		}
	}
}

// pion aborts (ABORT with a User-Initiated Abort cause): we get CommLost
// carrying that cause and pion's reason (RFC 9260 Sections 9.1 and
// 3.3.10.12).
func TestPionAbortsUs(t *testing.T) {
	needNetns(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := newPionNode(t, udpPort())
	n.listen()
	n.serveEcho()
	a := pionClient(ctx, t, n)
	id := n.accepted(ctx)
	s, err := a.OpenStream(0, sctp.PayloadTypeWebRTCBinary)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteSCTP([]byte("ping"), sctp.PayloadTypeWebRTCBinary); err != nil {
		t.Fatal(err)
	}
	if err := readEchoes(s, [][]byte{[]byte("ping")}); err != nil {
		t.Fatal(err)
	}

	a.Abort("pion says goodbye")
	ac := n.waitState(ctx, id, api.CommLost)
	if ac.Error != chunk.CauseUserInitiatedAbort {
		t.Errorf("CommLost cause %v, want %v", ac.Error, chunk.CauseUserInitiatedAbort)
	}
	var reason string
	for _, c := range ac.Causes {
		if u, ok := c.(*chunk.UserInitiatedAbortCause); ok {
			reason = string(u.Reason)
		}
	}
	if reason != "pion says goodbye" {
		t.Errorf("abort reason %q, want pion's", reason)
	}
}

// We abort: pion's streams end with its "user initiated abort" error.
func TestWeAbortPion(t *testing.T) {
	needNetns(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pionUDP := udpPort()
	n := newPionNode(t, pionUDP)
	a, id := pionServer(ctx, t, n, pionUDP)
	errs := make(chan error, 16)
	echoDone := make(chan struct{})
	go func() { defer close(echoDone); pionEcho(a, errs) }()
	n.send(ctx, id, 0, uint32(sctp.PayloadTypeWebRTCBinary), []byte("ping"))
	n.wait(ctx, "the echo", func() bool { return len(n.msgs) == 1 })

	n.abort(id, "gensctp says goodbye")
	n.waitState(ctx, id, api.CommLost)
	select {
	case err := <-errs:
		if !errors.Is(err, sctp.ErrUserInitiatedAbort) {
			t.Errorf("pion stream error %v, want a user initiated abort", err)
		}
	case <-ctx.Done():
		t.Fatalf("pion: no error after our abort: %v", ctx.Err())
	}
	select {
	case <-echoDone:
	case <-ctx.Done():
		t.Fatalf("pion: the association did not close after our abort: %v", ctx.Err())
	}
}
