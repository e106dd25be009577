package sctp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gensctp/gensctp/packetio/packetiotest"
	pion "github.com/pion/sctp"
	"github.com/stretchr/testify/require"
)

// Abort ends the association at both ends at once: the peer's reads and
// AcceptStream fail (AcceptStream with io.EOF), ours too, and writes fail.
func TestAbort(t *testing.T) {
	forEachPair(t, func(t *testing.T, p pair) {
		a, b := connectPipe(t, p)
		w, err := b.Open(1)
		require.NoError(t, err)
		_, err = w.WriteMsg([]byte("x"), uint32(PayloadTypeWebRTCBinary))
		require.NoError(t, err)
		r, err := a.Accept()
		require.NoError(t, err)
		buf := make([]byte, 10)
		_, _, err = readWithin(t, r, buf, 10*time.Second)
		require.NoError(t, err)

		a.Abort("enough")
		_, _, err = readWithin(t, w, buf, 10*time.Second)
		require.Error(t, err)
		require.NotErrorIs(t, err, ErrReadDeadlineExceeded, "the peer learns of the abort")
		_, err = acceptWithin(t, b, 10*time.Second)
		require.ErrorIs(t, err, io.EOF)
		_, _, err = r.ReadMsg(buf)
		require.Error(t, err)
		_, err = r.WriteMsg([]byte("y"), uint32(PayloadTypeWebRTCBinary))
		require.Error(t, err)
	})
}

// acceptWithin is AcceptStream bounded by d.
func acceptWithin(t *testing.T, a testAssoc, d time.Duration) (testStream, error) {
	t.Helper()
	type res struct {
		s   testStream
		err error
	}
	ch := make(chan res, 1)
	go func() {
		s, err := a.Accept()
		ch <- res{s, err}
	}()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-time.After(d):
		t.Fatal("AcceptStream did not return")
		return nil, nil
	}
}

// Close ends the association and closes NetConn: our reads and
// AcceptStream return, OpenStream and writes fail, and the peer's reads
// fail.
func TestClose(t *testing.T) {
	forEachPair(t, func(t *testing.T, p pair) {
		if p.a != ourClient {
			t.Skip("Close of this package's end")
		}
		a, b := connectPipe(t, p)
		s, err := a.Open(1)
		require.NoError(t, err)
		_, err = s.WriteMsg([]byte("x"), uint32(PayloadTypeWebRTCBinary))
		require.NoError(t, err)
		r, err := b.Accept()
		require.NoError(t, err)
		buf := make([]byte, 10)
		_, _, err = readWithin(t, r, buf, 10*time.Second)
		require.NoError(t, err)

		reading := make(chan error, 1)
		go func() {
			_, _, err := s.ReadMsg(buf)
			reading <- err
		}()
		require.NoError(t, a.Close())
		require.ErrorIs(t, <-reading, ErrAssociationClosed)
		_, err = a.Accept()
		require.ErrorIs(t, err, io.EOF)
		_, err = a.Open(2)
		require.ErrorIs(t, err, ErrAssociationClosed)
		_, err = s.WriteMsg([]byte("y"), uint32(PayloadTypeWebRTCBinary))
		require.ErrorIs(t, err, ErrPayloadDataStateNotExist)
		require.ErrorIs(t, s.Close(), ErrResetPacketInStateNotExist)
		_, _, err = readWithin(t, r, buf, 10*time.Second)
		require.Error(t, err)
		require.NotErrorIs(t, err, ErrReadDeadlineExceeded, "the peer learns of the close")
		require.NoError(t, a.Close(), "a second Close")
	})
}

// Shutdown delivers what was written, then ends the association
// gracefully at both ends.
func TestShutdown(t *testing.T) {
	a, b := connectPipe(t, pairs[0])
	s, err := a.Open(1)
	require.NoError(t, err)
	for i := range 20 {
		_, err = s.WriteMsg(message(i, 10000), uint32(PayloadTypeWebRTCBinary))
		require.NoError(t, err)
	}
	require.NoError(t, a.(ours).Shutdown(ctx(t, 10*time.Second)))
	r, err := b.Accept()
	require.NoError(t, err)
	buf := make([]byte, 10000)
	for i := range 20 {
		n, _, err := readWithin(t, r, buf, 10*time.Second)
		require.NoError(t, err)
		require.Equal(t, message(i, 10000), buf[:n])
	}
	_, _, err = readWithin(t, r, buf, 10*time.Second)
	require.ErrorIs(t, err, io.EOF)
	require.ErrorIs(t, a.(ours).Shutdown(context.Background()), ErrShutdownNonEstablished)
}

// Unreliable streams over a link losing DATA packets: with no
// retransmission (unordered) and with a lifetime (ordered), the messages
// that arrive are exact and in order where ordered, those lost without
// retransmission are abandoned,
// and a reliable stream beside them delivers everything.
func TestUnreliableUnderLoss(t *testing.T) {
	for _, p := range []pair{pairs[0], pairs[2], pairs[3]} {
		for _, rel := range []struct {
			name      string
			unordered bool
			typ       byte
			val       uint32
		}{{"rexmit0-unordered", true, ReliabilityTypeRexmit, 0}, {"timed-ordered", false, ReliabilityTypeTimed, 1}} {
			t.Run(p.name+"/"+rel.name, func(t *testing.T) {
				ca, cb := packetiotest.Pipe()
				lossyA := &lossy{Conn: ca, n: 4}
				a, b := connect(t, p, lossyA, cb)
				u, err := a.Open(1)
				require.NoError(t, err)
				u.SetReliabilityParams(rel.unordered, rel.typ, rel.val)
				const n = 200
				for i := range n {
					_, err := u.WriteMsg(message(i, 1000), uint32(PayloadTypeWebRTCBinary))
					require.NoError(t, err)
				}
				rel2, err := a.Open(2)
				require.NoError(t, err)
				_, err = rel2.WriteMsg([]byte("reliable"), uint32(PayloadTypeWebRTCString))
				require.NoError(t, err)
				// A retransmission may beat a 1 ms lifetime on loopback:
				// only rexmit 0 must abandon.
				checkLossy(t, b, n, rel.unordered, rel.typ == ReliabilityTypeRexmit)
				require.NotZero(t, lossyA.dropped.Load())
			})
		}
	}
}

// checkLossy reads the unreliable stream 1 and the reliable stream 2 of
// b: the former's messages exact, in order unless unordered, fewer than
// n if abandons; the latter's one message.
func checkLossy(t *testing.T, b testAssoc, n int, unordered, abandons bool) {
	t.Helper()
	streams := map[uint16]testStream{}
	for len(streams) < 2 {
		s, err := acceptWithin(t, b, 10*time.Second)
		require.NoError(t, err)
		streams[s.StreamIdentifier()] = s
	}
	buf := make([]byte, 2000)
	k, _, err := readWithin(t, streams[2], buf, 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, "reliable", string(buf[:k]))
	got, last := 0, -1
	for {
		k, _, err := readWithin(t, streams[1], buf, 500*time.Millisecond)
		if errors.Is(err, ErrReadDeadlineExceeded) || errors.Is(err, errPionDeadline) {
			break
		}
		require.NoError(t, err)
		i := int(buf[0])<<24 | int(buf[1])<<16 | int(buf[2])<<8 | int(buf[3])
		require.Less(t, i, n)
		require.Equal(t, message(i, 1000), buf[:k])
		if !unordered {
			require.Greater(t, i, last, "out of order")
		}
		last = i
		got++
	}
	require.NotZero(t, got)
	if abandons {
		require.Less(t, got, n, "every message arrived: nothing was abandoned")
	}
}

// The buffered amount grows with writes and falls as the socket takes
// them; OnBufferedAmountLow fires when it crosses the threshold, so a
// writer that waits for it keeps the memory bounded while a slow reader
// gets every message.
func TestBufferedAmountLow(t *testing.T) {
	for _, p := range []pair{pairs[0], pairs[2]} {
		t.Run(p.name, func(t *testing.T) {
			a, b := connectPipe(t, p)
			s, err := a.(ours).OpenStream(1, PayloadTypeWebRTCBinary)
			require.NoError(t, err)
			const size, count, low, high = 16 << 10, 400, 64 << 10, 256 << 10
			s.SetBufferedAmountLowThreshold(low)
			require.Equal(t, uint64(low), s.BufferedAmountLowThreshold())
			lowCh := make(chan struct{}, 1)
			var fired atomic.Int64
			s.OnBufferedAmountLow(func() {
				fired.Add(1)
				select {
				case lowCh <- struct{}{}:
				default:
				}
			})
			done := make(chan error, 1)
			go func() { done <- readAll(b, count, size) }()
			var most uint64
			for i := range count {
				for s.BufferedAmount() > high {
					select {
					case <-lowCh:
					case <-time.After(10 * time.Second):
						t.Fatal("OnBufferedAmountLow did not fire")
					}
				}
				_, err := s.Write(message(i, size))
				require.NoError(t, err)
				most = max(most, s.BufferedAmount())
			}
			require.NoError(t, <-done)
			require.NotZero(t, fired.Load())
			require.LessOrEqual(t, most, uint64(high+size))
			require.Zero(t, s.BufferedAmount())
			require.Zero(t, a.(ours).BufferedAmount())
			require.Equal(t, uint64(count*size), a.(ours).BytesSent())
		})
	}
}

// readAll reads count messages of size from the first stream of b,
// slowly, checking each.
func readAll(b testAssoc, count, size int) error {
	r, err := b.Accept()
	if err != nil {
		return err
	}
	buf := make([]byte, size)
	for i := range count {
		if err := r.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
			return err
		}
		n, _, err := r.ReadMsg(buf)
		if err != nil {
			return err
		}
		if string(buf[:n]) != string(message(i, size)) {
			return errors.New("message differs")
		}
		if i%50 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	return nil
}

// The counters: bytes both ways, the round-trip time measured, the
// windows and the MTU.
func TestAssociationCounters(t *testing.T) {
	a, b := connectPipe(t, pairs[0])
	s, err := a.Open(1)
	require.NoError(t, err)
	_, err = s.WriteMsg(make([]byte, 5000), uint32(PayloadTypeWebRTCBinary))
	require.NoError(t, err)
	r, err := b.Accept()
	require.NoError(t, err)
	buf := make([]byte, 5000)
	_, _, err = readWithin(t, r, buf, 10*time.Second)
	require.NoError(t, err)
	oa, ob := a.(ours), b.(ours)
	require.Equal(t, uint64(5000), oa.BytesSent())
	require.Equal(t, uint64(5000), ob.BytesReceived())
	require.NotZero(t, oa.CWND())
	require.NotZero(t, oa.RWND())
	require.NotZero(t, oa.MTU())
	require.GreaterOrEqual(t, oa.SRTT(), 0.0)
	md, ok := oa.Metadata()
	require.True(t, ok)
	require.Equal(t, PartialReliabilityModeForwardTSN, md.PartialReliabilityMode)
	require.NoError(t, oa.Close())
	_, ok = oa.Metadata()
	require.False(t, ok)
	require.Zero(t, oa.CWND())
}

// signalConn signals its first write.
type signalConn struct {
	net.Conn
	wrote chan struct{}
	once  sync.Once
}

func (c *signalConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.once.Do(func() { close(c.wrote) })
	return n, err
}

// The peer's INIT, sent before this end's Client starts, is answered (as
// a collision) rather than aborted as out of the blue: the association
// comes up.
func TestClientPeerINITFirst(t *testing.T) {
	ca, cb := packetiotest.Pipe()
	sb := &signalConn{Conn: cb, wrote: make(chan struct{})}
	ch := make(chan error, 1)
	var peer *pion.Association
	go func() {
		var err error
		peer, err = pion.ClientWithOptions(pion.WithNetConn(sb))
		ch <- err
	}()
	<-sb.wrote
	a, err := ClientContext(ctx(t, 10*time.Second), WithNetConn(ca))
	require.NoError(t, err)
	defer a.Close()
	require.NoError(t, <-ch)
	defer peer.Close()
	s, err := peer.OpenStream(4, pion.PayloadTypeWebRTCString)
	require.NoError(t, err)
	_, err = s.Write([]byte("hi"))
	require.NoError(t, err)
	r, err := a.AcceptStream()
	require.NoError(t, err)
	buf := make([]byte, 10)
	require.NoError(t, r.SetReadDeadline(time.Now().Add(10*time.Second)))
	n, ppi, err := r.ReadSCTP(buf)
	require.NoError(t, err)
	require.Equal(t, "hi", string(buf[:n]))
	require.Equal(t, PayloadTypeWebRTCString, ppi)
}

// checksums counts the packets written with a zero checksum and the
// others (RFC 9260 Section 3.1: bytes 8 to 11).
type checksums struct {
	net.Conn
	zero, other atomic.Int64
}

func (c *checksums) Write(b []byte) (int, error) {
	if len(b) >= 12 && b[8]|b[9]|b[10]|b[11] == 0 {
		c.zero.Add(1)
	} else {
		c.other.Add(1)
	}
	return c.Conn.Write(b)
}

// EnableZeroChecksum at both ends, with this package or pion/sctp at the
// other: the data goes without a CRC32c both ways (RFC 9653), and
// Metadata says so. Without it at the peer, every packet of ours has one.
func TestZeroChecksum(t *testing.T) {
	for _, both := range []bool{true, false} {
		for _, peerPion := range []bool{false, true} {
			name := fmt.Sprintf("both=%v/pion=%v", both, peerPion)
			t.Run(name, func(t *testing.T) {
				pa, pb := packetiotest.Pipe()
				ca, cb := &checksums{Conn: pa}, &checksums{Conn: pb}
				peerCh := make(chan testAssoc, 1)
				go func() {
					defer close(peerCh)
					if peerPion {
						b, err := pion.ServerWithOptions(pion.WithNetConn(cb), pion.WithEnableZeroChecksum(both))
						if err == nil {
							peerCh <- theirs{b}
						}
						return
					}
					b, err := ServerWithOptions(WithNetConn(cb), WithEnableZeroChecksum(both))
					if err == nil {
						peerCh <- ours{b}
					}
				}()
				a, err := ClientContext(ctx(t, 10*time.Second), WithNetConn(ca), WithEnableZeroChecksum(true))
				require.NoError(t, err)
				defer a.Close()
				b := <-peerCh
				require.NotNil(t, b)
				defer b.Close()
				oa := ours{a}
				roundTrip(t, oa, b, 1)
				roundTrip(t, b, oa, 2)
				md, ok := a.Metadata()
				require.True(t, ok)
				require.Equal(t, both, md.ZeroChecksumSendingEnabled)
				require.True(t, md.ZeroChecksumReceivingEnabled, "we offered it: we accept packets without")
				if both {
					require.NotZero(t, ca.zero.Load())
					require.NotZero(t, cb.zero.Load())
				} else {
					// The peer did not accept it: none of ours goes
					// without (pion/sctp sends its own so to us, which
					// accept it: RFC 9653 Section 5.2 allows that).
					require.Zero(t, ca.zero.Load())
				}
			})
		}
	}
}

// The streams the peer opens wait for AcceptStream 16 at most, as in
// pion/sctp; the messages of more wait too (not dropped): every stream
// is accepted with its message.
func TestAcceptQueueBounded(t *testing.T) {
	const count = acceptQueueSize + 8
	a, b := connectPipe(t, pairs[0])
	for i := range count {
		s, err := a.Open(uint16(i))
		require.NoError(t, err)
		_, err = s.WriteMsg(message(i, 100), uint32(PayloadTypeWebRTCBinary))
		require.NoError(t, err)
	}
	ob := b.(ours)
	queued := func() int {
		ob.mu.Lock()
		defer ob.mu.Unlock()
		return len(ob.accepted)
	}
	require.Eventually(t, func() bool { return queued() == acceptQueueSize }, 10*time.Second, time.Millisecond)
	// The rest has arrived by now (the pipe is fast), and waits.
	time.Sleep(100 * time.Millisecond)
	require.Equal(t, acceptQueueSize, queued())
	buf := make([]byte, 100)
	seen := map[uint16]bool{}
	for range count {
		r, err := acceptWithin(t, b, 10*time.Second)
		require.NoError(t, err)
		require.LessOrEqual(t, queued(), acceptQueueSize)
		n, _, err := readWithin(t, r, buf, 10*time.Second)
		require.NoError(t, err)
		require.Equal(t, message(int(r.StreamIdentifier()), 100), buf[:n])
		seen[r.StreamIdentifier()] = true
	}
	require.Len(t, seen, count)
}

// flakyConn makes Read fail with err, n times, before each packet once
// armed, as pion/dtls does for records it drops.
type flakyConn struct {
	net.Conn
	err   error
	armed atomic.Int64
}

func (c *flakyConn) Read(b []byte) (int, error) {
	if c.armed.Add(-1) >= 0 {
		return 0, c.err
	}
	return c.Conn.Read(b)
}

// tempError is a pion/dtls TemporaryError: the conn stays usable.
type tempError struct{}

func (tempError) Error() string   { return "dtls temporary: ApplicationData with epoch of 0" }
func (tempError) Timeout() bool   { return false }
func (tempError) Temporary() bool { return true }

// warningAlert is a pion/dtls non-fatal alert.
type warningAlert struct{}

func (warningAlert) Error() string              { return "alert: Warning: UserCanceled" }
func (warningAlert) IsFatalOrCloseNotify() bool { return false }

// A read error of NetConn after which it stays usable (a record pion/dtls
// dropped, a non-fatal alert) does not end the association; another one
// does.
func TestTransientReadErrors(t *testing.T) {
	for _, transient := range []error{tempError{}, warningAlert{}} {
		t.Run(transient.Error(), func(t *testing.T) {
			pa, pb := packetiotest.Pipe()
			fa := &flakyConn{Conn: pa, err: transient}
			a, b := connect(t, pairs[0], fa, pb)
			fa.armed.Store(5)
			roundTrip(t, a, b, 1)
			roundTrip(t, b, a, 2)
			require.Less(t, fa.armed.Load(), int64(0), "the errors were read")
		})
	}
	pa, pb := packetiotest.Pipe()
	fa := &flakyConn{Conn: pa, err: errors.New("dtls fatal")}
	a, b := connect(t, pairs[0], fa, pb)
	fa.armed.Store(1)
	s, err := b.Open(1)
	require.NoError(t, err)
	_, err = s.WriteMsg([]byte("x"), uint32(PayloadTypeWebRTCBinary))
	require.NoError(t, err)
	// The read under way when armed returns the message; the next fails.
	for range 2 {
		if _, err = acceptWithin(t, a, 10*time.Second); err != nil {
			break
		}
	}
	require.ErrorIs(t, err, io.EOF, "the association ended")
}

// Closing the association from an OnBufferedAmountLow callback returns
// (the callback does not run on a goroutine Close waits for).
func TestCloseInBufferedAmountLow(t *testing.T) {
	a, _ := connectPipe(t, pairs[0])
	oa := a.(ours)
	s, err := oa.OpenStream(1, PayloadTypeWebRTCBinary)
	require.NoError(t, err)
	closed := make(chan error, 1)
	s.OnBufferedAmountLow(func() { closed <- oa.Close() })
	_, err = s.Write(make([]byte, 1000))
	require.NoError(t, err)
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Close in OnBufferedAmountLow did not return")
	}
	_, err = s.Write([]byte{1})
	require.ErrorIs(t, err, ErrPayloadDataStateNotExist)
}
