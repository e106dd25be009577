package sctp

import (
	"io"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/packetio/packetiotest"
	"github.com/stretchr/testify/require"
)

// connectOurs sets up an association of ours as the client with opts and
// one of ours as the server with peerOpts, closed at the end of the test.
func connectOurs(t *testing.T, opts, peerOpts []AssociationOption) (*Association, *Association) {
	t.Helper()
	ca, cb := packetiotest.Pipe()
	peerCh := make(chan *Association, 1)
	go func() {
		defer close(peerCh)
		so := []ServerOption{WithNetConn(cb)}
		for _, o := range peerOpts {
			so = append(so, o)
		}
		b, err := ServerWithOptions(so...)
		if err == nil {
			peerCh <- b
		}
	}()
	co := []ClientOption{WithNetConn(ca)}
	for _, o := range opts {
		co = append(co, o)
	}
	a, err := ClientContext(ctx(t, 10*time.Second), co...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	b := <-peerCh
	require.NotNil(t, b)
	t.Cleanup(func() { _ = b.Close() })
	return a, b
}

// A message received larger than MaxReceiveBufferSize, which could never
// be held whole, aborts the association with an error wrapping
// api.ErrMessageTooLarge; one as large as the buffer is received.
func TestReceiveMessageTooLarge(t *testing.T) {
	const limit = 64 << 10
	a, b := connectOurs(t, []AssociationOption{WithMaxMessageSize(maxMsg)},
		[]AssociationOption{WithMaxReceiveBufferSize(limit)})
	s, err := a.OpenStream(1, PayloadTypeWebRTCBinary)
	require.NoError(t, err)
	_, err = s.Write(message(1, limit))
	require.NoError(t, err)
	r, err := acceptWithin(t, ours{b}, 10*time.Second)
	require.NoError(t, err)
	buf := make([]byte, 2*limit)
	n, _, err := readWithin(t, r, buf, 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, message(1, limit), buf[:n])
	_, err = s.Write(message(2, limit+1))
	require.NoError(t, err)
	_, _, err = readWithin(t, r, buf, 10*time.Second)
	require.ErrorIs(t, err, ErrAssociationClosed)
	require.ErrorIs(t, err, api.ErrMessageTooLarge)
	_, err = b.AcceptStream()
	require.ErrorIs(t, err, io.EOF)
}

// The messages left unread on a stream the peer reset no longer count
// against the receive buffer: the association goes on receiving on the
// other streams.
func TestResetStreamUnreadUncharged(t *testing.T) {
	const limit, size = 64 << 10, 40 << 10
	a, b := connectOurs(t, nil, []AssociationOption{WithMaxReceiveBufferSize(limit)})
	s1, err := a.OpenStream(1, PayloadTypeWebRTCBinary)
	require.NoError(t, err)
	_, err = s1.Write(message(0, size))
	require.NoError(t, err)
	require.NoError(t, s1.Close())
	r1, err := acceptWithin(t, ours{b}, 10*time.Second)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return r1.(ourStream).Stream.readErrIs(io.EOF) }, 10*time.Second, time.Millisecond)
	s2, err := a.OpenStream(2, PayloadTypeWebRTCBinary)
	require.NoError(t, err)
	go func() {
		for i := range 5 {
			if _, err := s2.Write(message(i, size)); err != nil {
				return
			}
		}
	}()
	r2, err := acceptWithin(t, ours{b}, 10*time.Second)
	require.NoError(t, err)
	buf := make([]byte, size)
	for i := range 5 {
		n, _, err := readWithin(t, r2, buf, 10*time.Second)
		require.NoError(t, err, "message %d", i)
		require.Equal(t, message(i, size), buf[:n])
	}
	// Stream 1's message is still there to read.
	n, _, err := readWithin(t, r1, buf, time.Second)
	require.NoError(t, err)
	require.Equal(t, message(0, size), buf[:n])
}

// readErrIs reports whether reads end with target once the messages are
// read.
func (s *Stream) readErrIs(target error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readErr == target
}

// A MaxReceiveBufferSize under the smallest window of RFC 9260 (1500
// bytes), which pion/sctp takes, sets the association up too: messages up
// to that size are received.
func TestSmallMaxReceiveBufferSize(t *testing.T) {
	const limit = 1000
	a, b := connectOurs(t, []AssociationOption{WithMaxReceiveBufferSize(limit)},
		[]AssociationOption{WithMaxReceiveBufferSize(limit)})
	s, err := a.OpenStream(1, PayloadTypeWebRTCBinary)
	require.NoError(t, err)
	for i := range 3 {
		_, err = s.Write(message(i, limit))
		require.NoError(t, err)
	}
	r, err := acceptWithin(t, ours{b}, 10*time.Second)
	require.NoError(t, err)
	buf := make([]byte, limit)
	for i := range 3 {
		n, _, err := readWithin(t, r, buf, 10*time.Second)
		require.NoError(t, err)
		require.Equal(t, message(i, limit), buf[:n])
	}
}
