package sctp

import (
	"context"
	"encoding/binary"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gensctp/gensctp/packetio/packetiotest"
	pion "github.com/pion/sctp"
	"github.com/stretchr/testify/require"
)

// testStream is a stream of either implementation, for tests that run
// against both.
type testStream interface {
	WriteMsg(p []byte, ppi uint32) (int, error)
	ReadMsg(p []byte) (int, uint32, error)
	SetReliabilityParams(unordered bool, relType byte, relVal uint32)
	SetReadDeadline(t time.Time) error
	StreamIdentifier() uint16
	BufferedAmount() uint64
	Close() error
}

// testAssoc is an association of either implementation.
type testAssoc interface {
	Open(id uint16) (testStream, error)
	Accept() (testStream, error)
	Close() error
	Abort(reason string)
}

// ours adapts an Association of this package.
type ours struct{ *Association }

type ourStream struct{ *Stream }

func (o ours) Open(id uint16) (testStream, error) {
	s, err := o.OpenStream(id, PayloadTypeWebRTCBinary)
	if err != nil {
		return nil, err
	}
	return ourStream{s}, nil
}

func (o ours) Accept() (testStream, error) {
	s, err := o.AcceptStream()
	if err != nil {
		return nil, err
	}
	return ourStream{s}, nil
}

func (s ourStream) WriteMsg(p []byte, ppi uint32) (int, error) {
	return s.WriteSCTP(p, PayloadProtocolIdentifier(ppi))
}

func (s ourStream) ReadMsg(p []byte) (int, uint32, error) {
	n, ppi, err := s.ReadSCTP(p)
	return n, uint32(ppi), err
}

// theirs adapts a pion/sctp Association.
type theirs struct{ *pion.Association }

type theirStream struct{ *pion.Stream }

func (o theirs) Open(id uint16) (testStream, error) {
	s, err := o.OpenStream(id, pion.PayloadTypeWebRTCBinary)
	if err != nil {
		return nil, err
	}
	return theirStream{s}, nil
}

func (o theirs) Accept() (testStream, error) {
	s, err := o.AcceptStream()
	if err != nil {
		return nil, err
	}
	return theirStream{s}, nil
}

func (s theirStream) WriteMsg(p []byte, ppi uint32) (int, error) {
	return s.WriteSCTP(p, pion.PayloadProtocolIdentifier(ppi))
}

func (s theirStream) ReadMsg(p []byte) (int, uint32, error) {
	n, ppi, err := s.ReadSCTP(p)
	return n, uint32(ppi), err
}

// maxMsg is the largest message of the tests, and their MaxMessageSize.
const maxMsg = 256 << 10

// kind says how an end sets up its association.
type kind int

const (
	ourClient kind = iota
	ourServer
	pionClient
	pionServer
)

// dial sets up an association of kind k on conn.
func dial(k kind, conn net.Conn) (testAssoc, error) {
	switch k {
	case ourClient, ourServer:
		opts := []ClientOption{WithNetConn(conn), WithMaxMessageSize(maxMsg)}
		if k == ourServer {
			a, err := ServerWithOptions(WithNetConn(conn), WithMaxMessageSize(maxMsg))
			if err != nil {
				return nil, err
			}
			return ours{a}, nil
		}
		a, err := ClientWithOptions(opts...)
		if err != nil {
			return nil, err
		}
		return ours{a}, nil
	}
	opts := []pion.AssociationOption{pion.WithNetConn(conn), pion.WithMaxMessageSize(maxMsg)}
	if k == pionServer {
		a, err := pion.ServerWithOptions(opts[0], opts[1])
		if err != nil {
			return nil, err
		}
		return theirs{a}, nil
	}
	a, err := pion.ClientWithOptions(opts[0], opts[1])
	if err != nil {
		return nil, err
	}
	return theirs{a}, nil
}

// pair is a pair of ends the tests run on.
type pair struct {
	name string
	a, b kind
}

// pairs are ours with ours and with pion/sctp, each side initiating, and
// both initiating at once as pion/webrtc does.
var pairs = []pair{
	{"ours-ours", ourClient, ourServer},
	{"ours-ours-simultaneous", ourClient, ourClient},
	{"ours-pion", ourClient, pionServer},
	{"pion-ours", pionClient, ourServer},
	{"ours-pion-simultaneous", ourClient, pionClient},
}

// connect sets up a pair over a and b's conns, closing both at the end of
// the test.
func connect(t testing.TB, p pair, ca, cb net.Conn) (testAssoc, testAssoc) {
	t.Helper()
	type res struct {
		a   testAssoc
		err error
	}
	ch := make(chan res, 1)
	go func() {
		b, err := dial(p.b, cb)
		ch <- res{b, err}
	}()
	a, err := dial(p.a, ca)
	require.NoError(t, err)
	var rb res
	select {
	case rb = <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("handshake did not complete")
	}
	require.NoError(t, rb.err)
	t.Cleanup(func() {
		_ = a.Close()
		_ = rb.a.Close()
	})
	return a, rb.a
}

// connectPipe sets up pair p over an in-memory pipe.
func connectPipe(t testing.TB, p pair) (testAssoc, testAssoc) {
	ca, cb := packetiotest.Pipe()
	return connect(t, p, ca, cb)
}

// forEachPair runs f on every pair.
func forEachPair(t *testing.T, f func(t *testing.T, p pair)) {
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) { f(t, p) })
	}
}

// message returns message i of n bytes: its index, then bytes that depend
// on both.
func message(i, n int) []byte {
	b := make([]byte, n)
	for j := range b {
		b[j] = byte(i*7 + j*13)
	}
	if n >= 4 {
		binary.BigEndian.PutUint32(b, uint32(i))
	}
	return b
}

// readWithin reads one message, failing the test after d.
func readWithin(t *testing.T, s testStream, buf []byte, d time.Duration) (int, uint32, error) {
	t.Helper()
	require.NoError(t, s.SetReadDeadline(time.Now().Add(d)))
	return s.ReadMsg(buf)
}

// lossy drops every nth packet written that carries a DATA chunk first.
type lossy struct {
	net.Conn
	n, count int
	dropped  atomic.Int64
}

func (l *lossy) Write(b []byte) (int, error) {
	if len(b) > 12 && b[12] == 0 { // DATA (RFC 9260 Section 3.3.1)
		l.count++
		if l.count%l.n == 0 {
			l.dropped.Add(1)
			return len(b), nil
		}
	}
	return l.Conn.Write(b)
}

// ctx returns a context ending with the test, at most after d.
func ctx(t *testing.T, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return c
}

// errPionDeadline is what pion/sctp's reads return after the deadline.
var errPionDeadline = pion.ErrReadDeadlineExceeded
