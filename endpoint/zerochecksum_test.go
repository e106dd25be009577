package endpoint_test

import (
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// zeroed returns b with its checksum field zero, which must not be its
// CRC32c.
func zeroed(t *testing.T, b []byte) []byte {
	t.Helper()
	b[8], b[9], b[10], b[11] = 0, 0, 0, 0
	require.NotZero(t, packet.Checksum(b))
	return b
}

// A zero checksum field that is not the CRC32c is accepted only by an
// association that announced Zero Checksum Acceptable (RFC 9653 Section
// 5.3). The endpoint drops, as malformed and without a reply, the INIT
// and the COOKIE ECHO that carry one (they always carry a CRC32c, Section
// 5.2 restrictions 1a and 2) and the out-of-the-blue packets; the
// association of this endpoint, which did not announce it, discards the
// packet of its peer and counts it. The same packets with their CRC32c
// are processed.
func TestZeroChecksumAtEndpoint(t *testing.T) {
	ms := newMuxSetup(t, 0)
	m, c := ms.m, ms.c
	local := netip.MustParseAddr("10.0.0.1")
	a, ok := c.Assoc(ms.id)
	require.True(t, ok)
	tag, _ := a.Tags()
	peerPort := a.Config().PeerPort
	before := c.Counters()
	for _, tc := range []struct {
		from netip.AddrPort
		b    []byte
	}{
		{stranger, build(7, 5000, 0, initChunk(strangerTag))},
		{stranger, build(7, 5000, strangerTag, &chunk.CookieEcho{Cookie: []byte("cookie")})},
		{stranger, build(7, 5000, strangerTag, dataChunk())},
		{addrS, build(peerPort, 5000, tag, &chunk.Heartbeat{Info: []byte("hb")})},
	} {
		err := m.HandleDatagram(&association.Datagram{Now: ms.w.Now, From: tc.from, To: local,
			Data: zeroed(t, tc.b)})
		require.ErrorIs(t, err, packet.ErrChecksum)
	}
	require.Empty(t, outputs(ms.w.Now, m), "no reply")
	after := c.Counters()
	require.Equal(t, before.Drops[endpoint.DropMalformed]+3, after.Drops[endpoint.DropMalformed])
	require.Equal(t, before.ChecksumErrors+3, after.ChecksumErrors)
	require.Equal(t, before.Discarded+1, after.Discarded)
	require.Equal(t, uint64(1), a.Stats().ZeroChecksumsDropped)

	hb := build(peerPort, 5000, tag, &chunk.Heartbeat{Info: []byte("hb")})
	require.NoError(t, m.HandleDatagram(&association.Datagram{Now: ms.w.Now, From: addrS, To: local, Data: hb}))
	require.Equal(t, uint64(1), a.Stats().ChunksReceived.Of(chunk.TypeHeartbeat))
}
