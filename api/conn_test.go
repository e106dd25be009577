package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/nettest"
)

// listenLo listens on 127.0.0.1 with an ephemeral SCTP and UDP port.
func listenLo(t *testing.T, opts ...Option) *Listener {
	t.Helper()
	l, err := Listen("sctp", "127.0.0.1:0", append([]Option{LocalUDPPort(0)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	return l
}

// dialLo dials l from 127.0.0.1.
func dialLo(t *testing.T, l *Listener, opts ...Option) (*Conn, error) {
	t.Helper()
	a := l.Addr().(*Addr)
	return Dial(testCtx(t), "sctp", a.String(), append([]Option{IP(lo), RemoteUDPPort(a.UDPPort)}, opts...)...)
}

// makePipe returns a dialed and an accepted Conn over loopback, and the
// function that closes them and the listener.
func makePipe() (c1, c2 *Conn, stop func(), err error) {
	l, err := Listen("sctp", "127.0.0.1:0", LocalUDPPort(0))
	if err != nil {
		return nil, nil, nil, err
	}
	type res struct {
		c   *Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := l.AcceptSCTP(context.Background())
		ch <- res{c, err}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a := l.Addr().(*Addr)
	c1, err = Dial(ctx, "sctp", a.String(), IP(lo), RemoteUDPPort(a.UDPPort))
	if err != nil {
		l.Close()
		<-ch
		return nil, nil, nil, err
	}
	r := <-ch
	if r.err != nil {
		c1.Close()
		l.Close()
		return nil, nil, nil, r.err
	}
	return c1, r.c, func() { abort(c1, r.c); l.Close() }, nil
}

// abort closes Conns at once with an ABORT (Linger(true, 0)): a test's
// teardown need not wait for graceful shutdowns (and avoids the slow
// simultaneous close, see TestConnSimultaneousClose).
func abort(cs ...*Conn) {
	for _, c := range cs {
		_ = c.Socket().SetOpts(Linger(true, 0))
		_ = c.Close()
	}
}

// pipe is makePipe for tests, closed at the end of the test.
func pipe(t *testing.T) (c1, c2 *Conn) {
	t.Helper()
	c1, c2, stop, err := makePipe()
	require.NoError(t, err)
	t.Cleanup(stop)
	return c1, c2
}

// TestNettestConn runs golang.org/x/net/nettest.TestConn over a Dial /
// Accept pair on 127.0.0.1 with ephemeral UDP ports. Every subtest runs
// and passes (BasicIO, PingPong, RacyRead, RacyWrite, ReadTimeout,
// WriteTimeout, PastTimeout, PresentTimeout, FutureTimeout, CloseTimeout,
// ConcurrentMethods); the subtests' own Close calls are graceful, the
// teardown (stop) aborts.
func TestNettestConn(t *testing.T) {
	noLeak(t)
	nettest.TestConn(t, func() (net.Conn, net.Conn, func(), error) {
		c1, c2, stop, err := makePipe()
		return c1, c2, stop, err
	})
}

func TestConnEcho(t *testing.T) {
	noLeak(t)
	l := listenLo(t)
	done := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			_, err = io.Copy(c, c)
			c.Close()
		}
		done <- err
	}()
	c, err := dialLo(t, l)
	require.NoError(t, err)
	for i, msg := range []string{"hello", "world", string(bytes.Repeat([]byte("x"), 5000))} {
		n, err := c.Write([]byte(msg))
		require.NoError(t, err)
		require.Equal(t, len(msg), n)
		got := make([]byte, len(msg))
		_, err = io.ReadFull(c, got)
		require.NoError(t, err, "message %d", i)
		require.Equal(t, msg, string(got))
	}
	require.NoError(t, c.Close())
	require.NoError(t, <-done, "the echo ends with io.EOF")
	require.ErrorIs(t, c.Close(), net.ErrClosed, "second Close")
}

// A 10 MiB io.Copy through a Conn pair arrives intact, then io.EOF.
func TestConnCopy10MiB(t *testing.T) {
	noLeak(t)
	c1, c2 := pipe(t)
	seed := rand.Uint64()
	data := make([]byte, 10<<20)
	r := rand.New(rand.NewPCG(seed, 0))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	errc := make(chan error, 1)
	go func() {
		_, err := io.Copy(c1, bytes.NewReader(data))
		if err == nil {
			err = c1.CloseWrite()
		}
		errc <- err
	}()
	h := sha256.New()
	n, err := io.Copy(h, c2)
	require.NoError(t, err, "seed %d", seed)
	require.NoError(t, <-errc)
	require.Equal(t, int64(len(data)), n)
	require.Equal(t, sha256.Sum256(data), [32]byte(h.Sum(nil)), "seed %d", seed)
}

// A message larger than the Read buffer is returned over several Reads;
// a Read never mixes two messages.
func TestConnReadSplitsMessages(t *testing.T) {
	noLeak(t)
	c1, c2 := pipe(t)
	_, err := c1.Write([]byte("abcdefgh"))
	require.NoError(t, err)
	_, err = c1.Write([]byte("XY"))
	require.NoError(t, err)
	buf := make([]byte, 3)
	var reads []string
	for range 4 {
		n, err := c2.Read(buf)
		require.NoError(t, err)
		reads = append(reads, string(buf[:n]))
	}
	require.Equal(t, []string{"abc", "def", "gh", "XY"}, reads)
	n, err := c2.Read(nil)
	require.NoError(t, err)
	require.Zero(t, n)
}

func TestConnEOFAfterPeerClose(t *testing.T) {
	noLeak(t)
	c1, c2 := pipe(t)
	_, err := c1.Write([]byte("bye"))
	require.NoError(t, err)
	require.NoError(t, c1.Close())
	got, err := io.ReadAll(c2)
	require.NoError(t, err)
	require.Equal(t, "bye", string(got))
	n, err := c2.Read(make([]byte, 10))
	require.Zero(t, n)
	require.Equal(t, io.EOF, err, "io.EOF itself, again")
	_, err = c2.Write([]byte("late"))
	require.True(t, errors.Is(err, ErrAssociationClosed) || errors.Is(err, ErrNoAssociation) ||
		errors.Is(err, ErrNotConnected), "%v", err)
	var oe *net.OpError
	require.ErrorAs(t, err, &oe)
	require.Equal(t, "write", oe.Op)
}

// CloseWrite: the peer reads io.EOF after the data; the queued data of
// the peer is still delivered here, then io.EOF.
func TestConnCloseWrite(t *testing.T) {
	noLeak(t)
	c1, c2 := pipe(t)
	_, err := c1.Write([]byte("request"))
	require.NoError(t, err)
	require.NoError(t, c1.CloseWrite())
	got, err := io.ReadAll(c2)
	require.NoError(t, err)
	require.Equal(t, "request", string(got))
	got, err = io.ReadAll(c1)
	require.NoError(t, err)
	require.Empty(t, got)
}

// An abort is not an EOF: Read fails with the comm_lost AssocChange.
func TestConnAbortIsAnError(t *testing.T) {
	noLeak(t)
	c1, c2 := pipe(t)
	require.NoError(t, c1.Socket().Abort(0))
	_, err := c2.Read(make([]byte, 10))
	require.ErrorIs(t, err, ErrAssociationClosed)
	var ee *EventError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, CommLost, ee.Event.(*AssocChange).State)
	_, err2 := c2.Read(make([]byte, 10))
	require.ErrorIs(t, err2, ErrAssociationClosed, "sticky")
}

func TestConnDeadlines(t *testing.T) {
	noLeak(t)
	c1, c2 := pipe(t)
	require.NoError(t, c2.SetReadDeadline(time.Now().Add(50*time.Millisecond)))
	start := time.Now()
	_, err := c2.Read(make([]byte, 10))
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	require.True(t, ne.Timeout())
	require.Less(t, time.Since(start), 5*time.Second)

	// Data buffered and an expired deadline: still a timeout.
	_, err = c1.Write([]byte("data"))
	require.NoError(t, err)
	time.Sleep(50 * time.Millisecond)
	_, err = c2.Read(make([]byte, 10))
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.NoError(t, c2.SetReadDeadline(time.Time{}))
	buf := make([]byte, 10)
	n, err := c2.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "data", string(buf[:n]))

	// Write blocks once the peer stops reading: the deadline ends it.
	require.NoError(t, c1.SetWriteDeadline(time.Now().Add(200*time.Millisecond)))
	for err == nil {
		_, err = c1.Write(make([]byte, 32<<10))
	}
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.ErrorAs(t, err, &ne)
	require.True(t, ne.Timeout())
}

func TestConnCloseUnblocksRead(t *testing.T) {
	noLeak(t)
	_, c2 := pipe(t)
	errc := make(chan error, 1)
	go func() {
		_, err := c2.Read(make([]byte, 10))
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, c2.Close())
	select {
	case err := <-errc:
		require.ErrorIs(t, err, net.ErrClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("Read not unblocked")
	}
	_, err := c2.Read(make([]byte, 10))
	require.ErrorIs(t, err, net.ErrClosed)
	_, err = c2.Write([]byte("x"))
	require.ErrorIs(t, err, net.ErrClosed)
}

func TestListenerCloseUnblocksAccept(t *testing.T) {
	noLeak(t)
	l := listenLo(t)
	errc := make(chan error, 1)
	go func() {
		_, err := l.Accept()
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, l.Close())
	select {
	case err := <-errc:
		require.ErrorIs(t, err, net.ErrClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("Accept not unblocked")
	}
	_, err := l.Accept()
	require.ErrorIs(t, err, net.ErrClosed)
}

func TestListenerDeadline(t *testing.T) {
	noLeak(t)
	l := listenLo(t)
	require.NoError(t, l.SetDeadline(time.Now().Add(30*time.Millisecond)))
	_, err := l.Accept()
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	require.True(t, ne.Timeout())
}

func TestConnAddrs(t *testing.T) {
	noLeak(t)
	l := listenLo(t)
	la := l.Addr().(*Addr)
	require.Equal(t, "sctp", la.Network())
	require.Equal(t, lo, la.IP)
	require.NotZero(t, la.Port)
	require.NotZero(t, la.UDPPort)
	c1, c2 := pipe(t)
	for _, c := range []*Conn{c1, c2} {
		loc, rem := c.LocalAddr().(*Addr), c.RemoteAddr().(*Addr)
		require.Equal(t, lo, loc.IP)
		require.Equal(t, lo, rem.IP)
		require.Equal(t, "sctp", rem.Network())
		require.Equal(t, c.Socket().UDPPort(), loc.UDPPort)
	}
	require.Equal(t, c1.LocalAddr().(*Addr).AddrPort(), c2.RemoteAddr().(*Addr).AddrPort())
	require.Equal(t, c2.LocalAddr().(*Addr).AddrPort(), c1.RemoteAddr().(*Addr).AddrPort())
	require.Equal(t, c1.LocalAddr().(*Addr).UDPPort, c2.RemoteAddr().(*Addr).UDPPort)
	require.Equal(t, c2.LocalAddr().(*Addr).UDPPort, c1.RemoteAddr().(*Addr).UDPPort)
	require.Equal(t, c1.RemoteAddr().String(), c1.RemoteAddr().(*Addr).AddrPort().String())
}

func TestDialErrors(t *testing.T) {
	noLeak(t)
	ctx := testCtx(t)
	for _, tc := range []struct {
		network, address string
		want             error
	}{
		{"tcp", "127.0.0.1:1", nil},
		{"sctp", "127.0.0.1", ErrBadAddress},
		{"sctp", "127.0.0.1:http", ErrBadAddress},
		{"sctp", "127.0.0.1:0", ErrBadAddress},
		{"sctp", ":5000", ErrBadAddress},
		{"sctp6", "127.0.0.1:5000", ErrBadAddress},
		{"sctp4", "[::1]:5000", ErrBadAddress},
	} {
		_, err := Dial(ctx, tc.network, tc.address)
		var oe *net.OpError
		require.ErrorAs(t, err, &oe, tc.address)
		require.Equal(t, "dial", oe.Op)
		if tc.want != nil {
			require.ErrorIs(t, err, tc.want, tc.address)
		} else {
			var ue net.UnknownNetworkError
			require.ErrorAs(t, err, &ue)
		}
	}
	_, err := Listen("sctp", "localhost")
	require.ErrorIs(t, err, ErrBadAddress)
}

// A Dial to an SCTP port where nobody listens fails at once: the peer
// answers the INIT with an ABORT, and the error is
// errors.Is(err, syscall.ECONNREFUSED), as net.Dial's for TCP.
func TestDialRefused(t *testing.T) {
	noLeak(t)
	l := listenLo(t)
	a := l.Addr().(*Addr)
	_, err := Dial(testCtx(t), "sctp4", netip4(a.Port+1), IP(lo), RemoteUDPPort(a.UDPPort))
	var oe *net.OpError
	require.ErrorAs(t, err, &oe)
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
	require.ErrorIs(t, err, ErrConnRefused)
	require.False(t, oe.Timeout())
	require.Contains(t, err.Error(), "refused")
}

// A Dial whose INITs go to a UDP port where nothing answers names that
// port when its context ends (the usual mistake with RFC 6951 is a wrong
// remote UDP port), and still is a timeout.
func TestDialNoAnswer(t *testing.T) {
	noLeak(t)
	port := holeUDPPort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := Dial(ctx, "sctp4", netip4(5000), IP(lo), RemoteUDPPort(port))
	var oe *net.OpError
	require.ErrorAs(t, err, &oe)
	require.True(t, oe.Timeout())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var na *NoAnswerError
	require.ErrorAs(t, err, &na)
	require.Equal(t, netip.AddrPortFrom(lo, 5000), na.Peer)
	require.Equal(t, uint16(port), na.UDPPort)
	require.Contains(t, err.Error(), fmt.Sprintf("no answer from 127.0.0.1 (SCTP port 5000, UDP port %d", port))
}

func netip4(port uint16) string {
	return (&Addr{IP: lo, Port: port}).String()
}

// Write uses the stream and PPID of SCTPDefaultSendParam; a gen_sctp
// style socket reads the Conn's messages whole.
func TestDialToSocket(t *testing.T) {
	noLeak(t)
	srv := server(t)
	c, err := Dial(testCtx(t), "sctp", netip4(srv.Port()), IP(lo), RemoteUDPPort(srv.UDPPort()),
		SCTPInitMsg(InitMsg{NumOstreams: 4}), SCTPDefaultSendParam(SndRcvInfo{Stream: 2, PPID: 42}))
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write(bytes.Repeat([]byte("m"), MaxConnMessage+10))
	require.NoError(t, err)
	d := recvData(t, srv)
	require.Len(t, d.Data, MaxConnMessage)
	require.EqualValues(t, 2, d.Info.Stream)
	require.EqualValues(t, 42, d.Info.PPID)
	d = recvData(t, srv)
	require.Len(t, d.Data, 10)
	require.NoError(t, srv.Send(d.Info.AssocID, 1, []byte("reply")))
	buf := make([]byte, 100)
	n, err := c.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "reply", string(buf[:n]))
	require.NoError(t, srv.Eof(d.Info.AssocID))
	n, err = c.Read(buf)
	require.Zero(t, n)
	require.Equal(t, io.EOF, err)
}

// Write cuts its bytes into messages of MaxMessageSize when that option
// is below MaxConnMessage, so that it never sends what Send would refuse.
func TestConnWriteMaxMessageSize(t *testing.T) {
	noLeak(t)
	srv := server(t)
	c, err := Dial(testCtx(t), "sctp", netip4(srv.Port()), IP(lo), RemoteUDPPort(srv.UDPPort()), MaxMessageSize(1000))
	require.NoError(t, err)
	defer c.Close()
	n, err := c.Write(make([]byte, 2500))
	require.NoError(t, err)
	require.Equal(t, 2500, n)
	for _, want := range []int{1000, 1000, 500} {
		require.Len(t, recvData(t, srv).Data, want)
	}
}

// Both sides close gracefully at once while one has data in flight.
func TestConnSimultaneousClose(t *testing.T) {
	noLeak(t)
	c1, c2 := pipe(t)
	for i := range 2 {
		_, err := c1.Write([]byte("abcdefgh"[:i+1]))
		require.NoError(t, err)
	}
	buf := make([]byte, 30)
	for range 2 {
		_, err := c2.Read(buf)
		require.NoError(t, err)
	}
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- c1.Close() }()
	require.NoError(t, c2.Close())
	require.NoError(t, <-done)
	require.Less(t, time.Since(start), 500*time.Millisecond)
}
