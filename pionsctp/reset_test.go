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

// reconfigGate drops the packets written that carry a RE-CONFIG chunk
// (RFC 6525 Section 3.1) while closed.
type reconfigGate struct {
	net.Conn
	closed atomic.Bool
}

func (g *reconfigGate) Write(b []byte) (int, error) {
	if g.closed.Load() && hasChunk(b, 130) {
		return len(b), nil
	}
	return g.Conn.Write(b)
}

// hasChunk reports whether SCTP packet b carries a chunk of type typ.
func hasChunk(b []byte, typ byte) bool {
	for off := 12; off+4 <= len(b); {
		if b[off] == typ {
			return true
		}
		n := int(b[off+2])<<8 | int(b[off+3])
		if n < 4 {
			return false
		}
		off += (n + 3) &^ 3
	}
	return false
}

// A stream id opened again while the reset of the earlier stream waits
// behind another reset request: the new stream's data goes after its
// reset, so that the peer reads io.EOF on the old stream and the data on
// a new one (not the data on the old one).
func TestReopenWhileResetPending(t *testing.T) {
	for _, p := range []pair{pairs[0], pairs[2]} {
		t.Run(p.name, func(t *testing.T) {
			pa, pb := packetiotest.Pipe()
			gate := &reconfigGate{Conn: pa}
			a, b := connect(t, p, gate, pb)
			buf := make([]byte, 100)
			var peer [3]testStream
			for id := uint16(1); id <= 2; id++ {
				s, err := a.Open(id)
				require.NoError(t, err)
				_, err = s.WriteMsg([]byte("old"), uint32(PayloadTypeWebRTCBinary))
				require.NoError(t, err)
				peer[id], err = acceptWithin(t, b, 10*time.Second)
				require.NoError(t, err)
				_, _, err = readWithin(t, peer[id], buf, 10*time.Second)
				require.NoError(t, err)
			}
			old1, err := a.Open(1)
			require.NoError(t, err)
			old2, err := a.Open(2)
			require.NoError(t, err)
			// The peer closes stream 2: ours reads io.EOF and the id
			// leaves the association.
			require.NoError(t, peer[2].Close())
			_, _, err = readWithin(t, old2, buf, 10*time.Second)
			require.ErrorIs(t, err, io.EOF)
			// Stream 1's reset is in flight (lost on the way), stream 2's
			// waits for it.
			gate.closed.Store(true)
			require.NoError(t, old1.Close())
			require.NoError(t, old2.Close())
			require.Eventually(t, func() bool {
				held, pending := a.(ours).resetCounts()
				return held == 2 && pending == 1
			}, 10*time.Second, time.Millisecond)
			s, err := a.Open(2)
			require.NoError(t, err)
			_, err = s.WriteMsg([]byte("new"), uint32(PayloadTypeWebRTCBinary))
			require.NoError(t, err)
			gate.closed.Store(false)
			_, _, err = readWithin(t, peer[2], buf, 10*time.Second)
			require.ErrorIs(t, err, io.EOF, "the old stream gets no new data")
			r, err := acceptWithin(t, b, 10*time.Second)
			require.NoError(t, err)
			require.Equal(t, uint16(2), r.StreamIdentifier())
			n, _, err := readWithin(t, r, buf, 10*time.Second)
			require.NoError(t, err)
			require.Equal(t, "new", string(buf[:n]))
		})
	}
}

// resetCounts returns the number of stream ids held by resets and of
// those pending.
func (a *Association) resetCounts() (held, pending int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.resets.held), len(a.resets.pending)
}

// Closing more streams at once than one RE-CONFIG chunk can list: the
// resets go in several requests, and every stream is reset (the peer
// reads io.EOF on each).
func TestCloseManyStreams(t *testing.T) {
	const count = 700
	for _, p := range []pair{pairs[0], pairs[2]} {
		t.Run(p.name, func(t *testing.T) {
			pa, pb := packetiotest.Pipe()
			gate := &reconfigGate{Conn: pa}
			a, b := connect(t, p, gate, pb)
			streams := make([]testStream, count)
			var wg sync.WaitGroup
			errs := make(chan error, count)
			for i := range streams {
				// One at a time: pion/sctp drops the data of the streams
				// past 16 not accepted yet.
				s, err := a.Open(uint16(i + 1))
				require.NoError(t, err)
				_, err = s.WriteMsg([]byte{byte(i)}, uint32(PayloadTypeWebRTCBinary))
				require.NoError(t, err)
				streams[i] = s
				r, err := acceptWithin(t, b, 10*time.Second)
				require.NoError(t, err)
				wg.Add(1)
				go func() {
					defer wg.Done()
					buf := make([]byte, 10)
					if err := r.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
						errs <- err
						return
					}
					for {
						if _, _, err := r.ReadMsg(buf); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			// The first reset is held back, so that the others all wait
			// for it: count-1 to reset at once.
			gate.closed.Store(true)
			for _, s := range streams {
				require.NoError(t, s.Close())
			}
			require.Eventually(t, func() bool {
				_, pending := a.(ours).resetCounts()
				return pending == count-1
			}, 10*time.Second, time.Millisecond)
			gate.closed.Store(false)
			wg.Wait()
			close(errs)
			for err := range errs {
				require.ErrorIs(t, err, io.EOF)
			}
		})
	}
}
