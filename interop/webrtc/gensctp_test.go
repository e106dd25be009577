package webrtc

import (
	"io"
	"testing"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/association"
	"github.com/stretchr/testify/require"
)

// gensctpPair returns two gensctp sockets over the ends of a DTLS
// connection on loopback, each with opts, connected (client, server).
func gensctpPair(t *testing.T, opts ...api.Option) (cli, srv *api.Socket, cid, sid api.AssocID) {
	t.Helper()
	c, s := dtlsPair(t)
	srv = gensctp(t, s, opts...)
	require.NoError(t, srv.Listen(true))
	cli = gensctp(t, c, opts...)
	cid = connect(t, cli)
	sid = assocState(t, srv, api.CommUp).AssocID
	return cli, srv, cid, sid
}

// exchange sends every size of sizes both ways on stream 1 and checks
// each message exactly, in order.
func exchange(t *testing.T, a *api.Socket, aid api.AssocID, b *api.Socket, bid api.AssocID) {
	t.Helper()
	for _, dir := range []struct {
		from, to *api.Socket
		id       api.AssocID
	}{{a, b, aid}, {b, a, bid}} {
		for i, n := range sizes {
			require.NoError(t, dir.from.SendInfo(api.SndRcvInfo{AssocID: dir.id, Stream: 1, PPID: 53}, message(i, n)))
		}
		for i, n := range sizes {
			d := recvMsg(t, dir.to)
			require.Equal(t, message(i, n), d.Data, "message %d of %d bytes", i, n)
			require.Equal(t, uint16(1), d.Info.Stream)
			require.Equal(t, uint32(53), d.Info.PPID)
		}
	}
}

// gensctp to gensctp over DTLS on loopback UDP (RFC 8261): both on SCTP
// port 5000 with a PMTU of api.DTLSMTU; messages of many sizes both ways,
// checked exactly; a stream reset (RFC 6525) seen by the peer; a graceful
// shutdown that completes on both ends.
func TestGensctpOverDTLS(t *testing.T) {
	cli, srv, cid, sid := gensctpPair(t)
	require.Equal(t, uint16(5000), cli.Port())
	require.Equal(t, uint16(5000), srv.Port())
	st, err := cli.AssocStats(cid)
	require.NoError(t, err)
	require.Equal(t, api.DTLSMTU, st.Paths[0].MTU)
	require.False(t, st.ZeroChecksum, "not asked for")
	exchange(t, cli, cid, srv, sid)

	require.NoError(t, cli.ResetStreams(cid, 1))
	ev := streamReset(t, srv)
	require.Equal(t, association.StreamResetIncoming, ev.Flags)
	require.Equal(t, []uint16{1}, ev.Streams)
	require.Equal(t, association.StreamResetOutgoing, streamReset(t, cli).Flags)
	require.NoError(t, cli.SendInfo(api.SndRcvInfo{AssocID: cid, Stream: 1}, []byte("after the reset")))
	d := recvMsg(t, srv)
	require.Equal(t, "after the reset", string(d.Data))
	require.Zero(t, d.Info.SSN, "the stream starts again at SSN 0")

	require.NoError(t, cli.Eof(cid))
	require.Equal(t, api.ShutdownComp, assocState(t, cli, api.ShutdownComp, api.CommLost).State)
	require.Equal(t, api.ShutdownComp, assocState(t, srv, api.ShutdownComp, api.CommLost).State)
}

// The zero checksum of RFC 9653 between two gensctp sockets over DTLS:
// negotiated, and counted on both ends (every packet after the handshake
// goes without a CRC32c).
func TestGensctpZeroChecksum(t *testing.T) {
	on := api.SCTPAcceptZeroChecksum(api.EDMIDLowerLayerDTLS)
	cli, srv, cid, sid := gensctpPair(t, on)
	exchange(t, cli, cid, srv, sid)
	cs, err := cli.AssocStats(cid)
	require.NoError(t, err)
	ss, err := srv.AssocStats(sid)
	require.NoError(t, err)
	require.True(t, cs.ZeroChecksum)
	require.True(t, ss.ZeroChecksum)
	require.NotZero(t, cs.ZeroChecksumsSent)
	require.NotZero(t, ss.ZeroChecksumsSent)
	require.NotZero(t, cs.ZeroChecksumsReceived)
	require.NotZero(t, ss.ZeroChecksumsReceived)
	require.Zero(t, cs.ZeroChecksumsDropped+ss.ZeroChecksumsDropped)
}

// When the DTLS connection closes under an association (the peer closed
// it: its close_notify makes our DTLS reads end with io.EOF), the
// association ends with api.ErrTransportClosed (comm_lost); on the side
// that closed its DTLS connection too (net.ErrClosed).
func TestGensctpDTLSClosed(t *testing.T) {
	c, s := dtlsPair(t)
	srv := gensctp(t, s)
	require.NoError(t, srv.Listen(true))
	cli := gensctp(t, c)
	connect(t, cli)
	assocState(t, srv, api.CommUp)

	require.NoError(t, c.Close())
	lost := assocState(t, srv, api.CommLost)
	require.ErrorIs(t, lost.Err, api.ErrTransportClosed)
	require.ErrorIs(t, lost.Err, io.EOF, "close_notify")
	lost = assocState(t, cli, api.CommLost)
	require.ErrorIs(t, lost.Err, api.ErrTransportClosed)
}
