package webrtc

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/association"
	"github.com/pion/sctp"
	"github.com/stretchr/testify/require"
)

// recConn is the gensctp side's DTLS connection, counting the SCTP
// packets it carries (in plain text, above DTLS) whose checksum field
// is zero, and the others, each way.
type recConn struct {
	net.Conn
	mu              sync.Mutex
	zeroOut, crcOut int
	zeroIn, crcIn   int
	// crcOther counts the packets with a CRC32c, either way, that do
	// not begin with a chunk of the handshake.
	crcOther int
}

// handshake reports whether the packet b begins with an INIT, INIT ACK,
// COOKIE ECHO or COOKIE ACK chunk (types 1, 2, 10, 11).
func handshake(b []byte) bool {
	switch b[12] {
	case 1, 2, 10, 11:
		return true
	}
	return false
}

func (r *recConn) Write(b []byte) (int, error) {
	r.mu.Lock()
	if len(b) > 12 && binary.BigEndian.Uint32(b[8:]) == 0 {
		r.zeroOut++
	} else if len(b) > 12 {
		r.crcOut++
		if !handshake(b) {
			r.crcOther++
		}
	}
	r.mu.Unlock()
	return r.Conn.Write(b)
}

func (r *recConn) Read(b []byte) (int, error) {
	n, err := r.Conn.Read(b)
	if n > 12 {
		r.mu.Lock()
		if binary.BigEndian.Uint32(b[8:]) == 0 {
			r.zeroIn++
		} else {
			r.crcIn++
			if !handshake(b) {
				r.crcOther++
			}
		}
		r.mu.Unlock()
	}
	return n, err
}

// counts returns the packets counted so far: zero checksums sent and
// received, CRC32c sent and received.
func (r *recConn) counts() (zeroOut, zeroIn, crcOut, crcIn int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.zeroOut, r.zeroIn, r.crcOut, r.crcIn
}

// pionEnd is one association between gensctp and pion/sctp over DTLS.
type pionEnd struct {
	s    *api.Socket // gensctp's
	id   api.AssocID
	p    *sctp.Association
	conn *recConn // gensctp's DTLS connection
	// pionConn is pion's DTLS connection.
	pionConn net.Conn
}

// pionPair sets up an association between gensctp and pion/sctp over a
// DTLS connection on loopback: pion is the SCTP (and DTLS) client when
// pionClient, else the server. zeroUs and zeroPion turn on the zero
// checksum of RFC 9653 on either end.
func pionPair(t *testing.T, pionClient, zeroUs, zeroPion bool) *pionEnd {
	t.Helper()
	c, s := dtlsPair(t)
	ours, theirs := net.Conn(s), net.Conn(c)
	if !pionClient {
		ours, theirs = c, s
	}
	e := &pionEnd{conn: &recConn{Conn: ours}, pionConn: theirs}
	var opts []api.Option
	if zeroUs {
		opts = append(opts, api.SCTPAcceptZeroChecksum(api.EDMIDLowerLayerDTLS))
	}
	e.s = gensctp(t, e.conn, opts...)
	popts := []sctp.AssociationOption{sctp.WithNetConn(theirs), sctp.WithEnableZeroChecksum(zeroPion),
		sctp.WithName("pion")}
	ctx := testCtx(t)
	var err error
	if pionClient {
		require.NoError(t, e.s.Listen(true))
		e.p, err = sctp.ClientContext(ctx, toClientOpts(popts)...)
		require.NoError(t, err)
		e.id = assocState(t, e.s, api.CommUp).AssocID
	} else {
		done := make(chan error, 1)
		go func() {
			var err error
			e.p, err = sctp.ServerWithOptions(toServerOpts(popts)...)
			done <- err
		}()
		e.id = connect(t, e.s)
		select {
		case err = <-done:
			require.NoError(t, err)
		case <-ctx.Done():
			t.Fatal("pion server: no association")
		}
	}
	t.Cleanup(func() { _ = e.p.Close() })
	return e
}

func toClientOpts(opts []sctp.AssociationOption) []sctp.ClientOption {
	out := make([]sctp.ClientOption, len(opts))
	for i, o := range opts {
		out[i] = o
	}
	return out
}

func toServerOpts(opts []sctp.AssociationOption) []sctp.ServerOption {
	out := make([]sctp.ServerOption, len(opts))
	for i, o := range opts {
		out[i] = o
	}
	return out
}

// readPion reads one message from pion's stream st, failing the test
// after 10 seconds.
func readPion(t *testing.T, st *sctp.Stream) ([]byte, sctp.PayloadProtocolIdentifier, error) {
	t.Helper()
	require.NoError(t, st.SetReadDeadline(time.Now().Add(10*time.Second)))
	buf := make([]byte, 1<<17)
	n, ppi, err := st.ReadSCTP(buf)
	return buf[:n], ppi, err
}

// acceptPion returns the next stream pion accepts, failing the test
// after 10 seconds.
func acceptPion(t *testing.T, a *sctp.Association) *sctp.Stream {
	t.Helper()
	type result struct {
		st  *sctp.Stream
		err error
	}
	ch := make(chan result, 1)
	go func() {
		st, err := a.AcceptStream()
		ch <- result{st, err}
	}()
	select {
	case r := <-ch:
		require.NoError(t, r.err)
		return r.st
	case <-time.After(10 * time.Second):
		t.Fatal("pion accepted no stream")
		return nil
	}
}

// exchangePion sends every size of sizes from pion to gensctp on stream
// 1 (WebRTC Binary) and from gensctp to pion on stream 2 (WebRTC String),
// checking each message exactly; it returns pion's two streams.
func exchangePion(t *testing.T, e *pionEnd) (s1, s2 *sctp.Stream) {
	t.Helper()
	s1, err := e.p.OpenStream(1, sctp.PayloadTypeWebRTCBinary)
	require.NoError(t, err)
	for i, n := range sizes {
		_, err := s1.WriteSCTP(message(i, n), sctp.PayloadTypeWebRTCBinary)
		require.NoError(t, err)
	}
	for i, n := range sizes {
		d := recvMsg(t, e.s)
		require.Equal(t, message(i, n), d.Data, "message %d of %d bytes to gensctp", i, n)
		require.Equal(t, uint16(1), d.Info.Stream)
		require.Equal(t, uint32(sctp.PayloadTypeWebRTCBinary), d.Info.PPID)
	}
	for i, n := range sizes {
		require.NoError(t, e.s.SendInfo(api.SndRcvInfo{AssocID: e.id, Stream: 2,
			PPID: uint32(sctp.PayloadTypeWebRTCString)}, message(i, n)))
	}
	s2 = acceptPion(t, e.p)
	require.Equal(t, uint16(2), s2.StreamIdentifier())
	for i, n := range sizes {
		b, ppi, err := readPion(t, s2)
		require.NoError(t, err)
		require.Equal(t, message(i, n), b, "message %d of %d bytes to pion", i, n)
		require.Equal(t, sctp.PayloadTypeWebRTCString, ppi)
	}
	return s1, s2
}

// roles runs f with pion as the SCTP client and as the server.
func roles(t *testing.T, f func(t *testing.T, pionClient bool)) {
	t.Run("pion client", func(t *testing.T) { f(t, true) })
	t.Run("pion server", func(t *testing.T) { f(t, false) })
}

// gensctp and pion/sctp over one DTLS connection, pion as client and as
// server: messages of many sizes both ways, checked exactly; then stream
// resets (RFC 6525, as WebRTC closes a data channel, RFC 8831 Section
// 6.7) both ways: pion's Stream.Close reaches us as an incoming reset
// event, our ResetStreams makes pion's stream read io.EOF.
func TestPionOverDTLS(t *testing.T) {
	roles(t, func(t *testing.T, pionClient bool) {
		e := pionPair(t, pionClient, false, false)
		s1, s2 := exchangePion(t, e)

		require.NoError(t, s1.Close()) // pion resets its outgoing stream 1
		ev := streamReset(t, e.s)
		require.Equal(t, association.StreamResetIncoming, ev.Flags)
		require.Equal(t, []uint16{1}, ev.Streams)
		require.NoError(t, e.s.ResetStreams(e.id, 2)) // we reset ours, stream 2
		_, _, err := readPion(t, s2)
		require.ErrorIs(t, err, io.EOF)
		require.Equal(t, association.StreamResetOutgoing, streamReset(t, e.s).Flags)
		zeroOut, zeroIn, _, _ := e.conn.counts()
		require.Zero(t, zeroOut+zeroIn, "no zero checksum unless asked for")
	})
}

// The association's end as each side sees it, over DTLS: pion's graceful
// Shutdown and ours complete on both ends; pion's Abort and ours reach the
// other end (comm_lost with User-Initiated Abort; pion's stream read
// fails); pion's Close, which closes its DTLS connection, ends ours with
// api.ErrTransportClosed wrapping the io.EOF of DTLS close_notify; our
// socket's Close (a graceful shutdown, then its DTLS connection closes)
// and our DTLS connection closed under the socket (api.ErrTransportClosed
// wrapping net.ErrClosed here) end pion's.
func TestPionCloseOverDTLS(t *testing.T) {
	ctx := func(t *testing.T) context.Context { return testCtx(t) }
	cases := []struct {
		name string
		end  func(t *testing.T, e *pionEnd, st *sctp.Stream)
	}{
		{"pion shutdown", func(t *testing.T, e *pionEnd, _ *sctp.Stream) {
			require.NoError(t, e.p.Shutdown(ctx(t)))
			require.Equal(t, api.ShutdownComp, assocState(t, e.s, api.ShutdownComp, api.CommLost).State)
		}},
		{"our shutdown", func(t *testing.T, e *pionEnd, st *sctp.Stream) {
			require.NoError(t, e.s.Eof(e.id))
			require.Equal(t, api.ShutdownComp, assocState(t, e.s, api.ShutdownComp, api.CommLost).State)
			_, _, err := readPion(t, st)
			require.Error(t, err)
			require.False(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
		}},
		{"pion abort", func(t *testing.T, e *pionEnd, _ *sctp.Stream) {
			e.p.Abort("bye")
			lost := assocState(t, e.s, api.CommLost, api.ShutdownComp)
			require.Equal(t, api.CommLost, lost.State)
			require.Equal(t, api.CauseCode(12), lost.Error, "User-Initiated Abort")
		}},
		{"our abort", func(t *testing.T, e *pionEnd, st *sctp.Stream) {
			require.NoError(t, e.s.Abort(e.id))
			_, _, err := readPion(t, st)
			require.Error(t, err)
			require.False(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
		}},
		{"pion closes DTLS", func(t *testing.T, e *pionEnd, _ *sctp.Stream) {
			require.NoError(t, e.p.Close())
			lost := assocState(t, e.s, api.CommLost, api.ShutdownComp)
			require.Equal(t, api.CommLost, lost.State)
			require.ErrorIs(t, lost.Err, api.ErrTransportClosed)
			require.ErrorIs(t, lost.Err, io.EOF)
		}},
		{"our socket closes", func(t *testing.T, e *pionEnd, st *sctp.Stream) {
			require.NoError(t, e.s.Close()) // SHUTDOWN, then its DTLS connection closes
			_, _, err := readPion(t, st)
			require.Error(t, err)
			require.False(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
		}},
		{"we close DTLS", func(t *testing.T, e *pionEnd, st *sctp.Stream) {
			require.NoError(t, e.conn.Close()) // under the socket
			lost := assocState(t, e.s, api.CommLost, api.ShutdownComp)
			require.Equal(t, api.CommLost, lost.State)
			require.ErrorIs(t, lost.Err, api.ErrTransportClosed)
			require.ErrorIs(t, lost.Err, net.ErrClosed)
			_, _, err := readPion(t, st)
			require.Error(t, err)
			require.False(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			roles(t, func(t *testing.T, pionClient bool) {
				e := pionPair(t, pionClient, false, false)
				require.NoError(t, e.s.SendInfo(api.SndRcvInfo{AssocID: e.id, Stream: 3}, []byte("hello")))
				st := acceptPion(t, e.p)
				b, _, err := readPion(t, st)
				require.NoError(t, err)
				require.Equal(t, "hello", string(b))
				tc.end(t, e, st)
			})
		})
	}
}

// The zero checksum of RFC 9653 against pion/sctp's EnableZeroChecksum
// over DTLS, pion as client and as server: with both on, the packets
// after the handshake go without a CRC32c both ways, as the plain text
// under our DTLS connection shows (the INIT and COOKIE ECHO of either
// keep theirs), and our counters agree; with ours off, every packet
// carries the CRC32c; with pion's off, ours do, while pion still sends
// zero checksums to us, which we accept.
func TestPionZeroChecksum(t *testing.T) {
	roles(t, func(t *testing.T, pionClient bool) {
		for _, tc := range []struct {
			name         string
			us, pion, on bool
		}{{"both", true, true, true}, {"pion only", false, true, false}, {"us only", true, false, false}} {
			t.Run(tc.name, func(t *testing.T) {
				e := pionPair(t, pionClient, tc.us, tc.pion)
				exchangePion(t, e)
				// Our counters agree with the wire once the last packets
				// (delayed SACKs) have gone and come.
				var st api.AssocStats
				var zeroOut, zeroIn, crcOut, crcIn int
				require.Eventually(t, func() bool {
					var err error
					if st, err = e.s.AssocStats(e.id); err != nil {
						return false
					}
					zeroOut, zeroIn, crcOut, crcIn = e.conn.counts()
					return uint64(zeroOut) == st.ZeroChecksumsSent && uint64(zeroIn) == st.ZeroChecksumsReceived
				}, 10*time.Second, 50*time.Millisecond)
				t.Logf("zero checksums out %d in %d, CRC32c out %d in %d", zeroOut, zeroIn, crcOut, crcIn)
				require.Equal(t, tc.on, st.ZeroChecksum)
				require.Zero(t, st.ZeroChecksumsDropped)
				switch {
				case !tc.us:
					require.Zero(t, zeroOut+zeroIn, "we did not announce it")
					return
				case !tc.on:
					// pion sends zero checksums to a peer that announced
					// the method even with its EnableZeroChecksum off (RFC
					// 9653 Section 5.2 allows it); we accept them (Section
					// 5.3) but send the CRC32c.
					require.Zero(t, zeroOut)
					return
				}
				require.Greater(t, zeroOut, len(sizes))
				require.Greater(t, zeroIn, len(sizes))
				e.conn.mu.Lock()
				other := e.conn.crcOther
				e.conn.mu.Unlock()
				require.Zero(t, other, "a CRC32c only on handshake packets (INIT, INIT ACK, COOKIE ECHO, COOKIE ACK)")
			})
		}
	})
}
