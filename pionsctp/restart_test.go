package sctp

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gensctp/gensctp/packetio/packetiotest"
	"github.com/stretchr/testify/require"
)

// shared is one end of a pipe that successive associations use in turn
// (a peer that restarts on the same DTLS connection): the packets read go
// to the current end only.
type shared struct {
	conn net.Conn
	mu   sync.Mutex
	cur  *sharedEnd
	done chan struct{}
}

// sharedEnd is the net.Conn of one association on a shared conn; killed,
// it sends and receives nothing, as a peer that lost its state.
type sharedEnd struct {
	net.Conn
	in     chan []byte
	closed chan struct{}
	once   sync.Once
	killed atomic.Bool
}

// newShared starts reading conn, until the end of the test.
func newShared(t *testing.T, conn net.Conn) *shared {
	s := &shared{conn: conn, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			b := make([]byte, 1<<16)
			n, err := conn.Read(b)
			if err != nil {
				return
			}
			s.mu.Lock()
			e := s.cur
			s.mu.Unlock()
			if e != nil && !e.killed.Load() {
				select {
				case e.in <- b[:n]:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		_ = conn.Close()
		<-s.done
	})
	return s
}

// next returns a new end, the current one from now on.
func (s *shared) next() *sharedEnd {
	e := &sharedEnd{Conn: s.conn, in: make(chan []byte, 1024), closed: make(chan struct{})}
	s.mu.Lock()
	s.cur = e
	s.mu.Unlock()
	return e
}

func (e *sharedEnd) Read(b []byte) (int, error) {
	select {
	case p := <-e.in:
		return copy(b, p), nil
	case <-e.closed:
		return 0, net.ErrClosed
	}
}

func (e *sharedEnd) Write(b []byte) (int, error) {
	if e.killed.Load() {
		return len(b), nil
	}
	return e.Conn.Write(b)
}

func (e *sharedEnd) Close() error {
	e.once.Do(func() { close(e.closed) })
	return nil
}

// The peer restarts (RFC 9260 Section 5.2.4): as with pion/sctp, the
// association goes on; its open stream carries messages both ways with
// the restarted peer, the stream being closed is closed (io.EOF), the
// writes not sent are dropped (OnBufferedAmountLow fires).
func TestPeerRestart(t *testing.T) {
	pa, pb := packetiotest.Pipe()
	sh := newShared(t, pb)
	first := sh.next()
	peerCh := make(chan *Association, 1)
	go func() {
		defer close(peerCh)
		if b, err := ServerWithOptions(WithNetConn(first)); err == nil {
			peerCh <- b
		}
	}()
	a, err := ClientContext(ctx(t, 10*time.Second), WithNetConn(pa), WithMaxMessageSize(maxMsg))
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	b1 := <-peerCh
	require.NotNil(t, b1)
	roundTrip(t, ours{a}, ours{b1}, 1)
	roundTrip(t, ours{b1}, ours{a}, 3)
	s1, err := a.OpenStream(1, PayloadTypeWebRTCBinary)
	require.NoError(t, err)
	s3, err := a.OpenStream(3, PayloadTypeWebRTCBinary)
	require.NoError(t, err)
	// The peer loses its state: our reset of stream 3 goes unanswered,
	// and writes fill the socket's send buffer, the rest waits here.
	first.killed.Store(true)
	require.NoError(t, s3.Close())
	for range 8 { // twice the socket's send buffer
		_, err := s1.Write(make([]byte, maxMsg))
		require.NoError(t, err)
	}
	require.NotZero(t, s1.BufferedAmount())
	lowFired := make(chan struct{})
	var once sync.Once
	s1.OnBufferedAmountLow(func() { once.Do(func() { close(lowFired) }) })
	// It restarts on the same conn.
	b2Ch := make(chan *Association, 1)
	go func() {
		defer close(b2Ch)
		if b, err := ClientWithOptions(WithNetConn(sh.next()), WithMaxMessageSize(maxMsg)); err == nil {
			b2Ch <- b
		}
	}()
	var b2 *Association
	select {
	case b2 = <-b2Ch:
	case <-time.After(10 * time.Second):
		t.Fatal("the restart did not complete")
	}
	require.NotNil(t, b2)
	t.Cleanup(func() { _ = b2.Close() })
	buf := make([]byte, maxMsg)
	_, _, err = readWithin(t, ourStream{s3}, buf, 10*time.Second)
	require.ErrorIs(t, err, io.EOF, "the stream being closed is closed")
	require.Equal(t, StreamStateClosed, s3.State())
	select {
	case <-lowFired:
	case <-time.After(10 * time.Second):
		t.Fatal("the writes not sent were not dropped")
	}
	require.Zero(t, s1.BufferedAmount())
	// The open stream goes on, both ways.
	_, err = s1.Write([]byte("after"))
	require.NoError(t, err)
	r1, err := acceptWithin(t, ours{b2}, 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, uint16(1), r1.StreamIdentifier())
	// The writes the socket took between the restart and its report
	// come first (fewer than the 8 written: the others were dropped).
	n, _, err := readWithin(t, r1, buf, 10*time.Second)
	for i := 0; err == nil && n == maxMsg && i < 7; i++ {
		n, _, err = readWithin(t, r1, buf, 10*time.Second)
	}
	require.NoError(t, err)
	require.Equal(t, "after", string(buf[:n]))
	_, err = r1.WriteMsg([]byte("back"), uint32(PayloadTypeWebRTCString))
	require.NoError(t, err)
	n, _, err = readWithin(t, ourStream{s1}, buf, 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, "back", string(buf[:n]))
	_ = b1.Close()
}

// A blocking write whose message the peer's restart dropped fails with
// ErrAssociationRestarted.
func TestRestartFailsQueuedWrites(t *testing.T) {
	a := &Association{}
	s := newStream(a, 1)
	it := &outItem{s: s, data: []byte("x"), done: make(chan error, 1)}
	s.buffered = 1
	a.queuedOut.Store(1)
	a.failItems([]*outItem{it}, ErrAssociationRestarted, true)
	require.ErrorIs(t, <-it.done, ErrAssociationRestarted)
	require.Zero(t, s.BufferedAmount())
	require.Zero(t, a.BufferedAmount())
}
