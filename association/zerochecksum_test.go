package association_test

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// zeroChecksumPair returns an established pair whose ends announce the
// methods a and z (chunk.EDMIDReserved: none), with a capture, after a
// message each way.
func zeroChecksumPair(t *testing.T, a, z chunk.EDMID, edit sim.Filter) (*associationtest.Pair, *capture) {
	t.Helper()
	cfgA, cfgZ := scenarioConfigs(71)
	cfgA.ZeroChecksum, cfgZ.ZeroChecksum = a, z
	p, c := newScenarioPair(t, 71, cfgA, cfgZ)
	if edit != nil {
		p.Net.AddFilter(edit)
	}
	require.NoError(t, p.Handshake())
	require.Equal(t, "to Z", string(sendAndDeliver(t, p, []byte("to Z")).Data))
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("to A")))
	require.True(t, p.RunUntil(10*time.Second, func() bool { return len(messagesOf(p.DeliveredA)) == 1 }))
	p.Run(time.Second) // the last SACKs arrive
	return p, c
}

// zeroChecksumOffer returns the EDMID of the Zero Checksum Acceptable
// parameter of the INIT or INIT ACK (typ) of the capture, and whether
// there is one.
func zeroChecksumOffer(t *testing.T, c *capture, from sentAddr, typ chunk.Type) (chunk.EDMID, bool) {
	t.Helper()
	for _, p := range handshakeParams(t, c, from, typ) {
		if z, ok := p.(*chunk.ZeroChecksumAcceptable); ok {
			return z.EDMID, true
		}
	}
	return 0, false
}

// zeroSums counts the packets from from whose checksum field is zero.
func zeroSums(c *capture, from sentAddr) int {
	n := 0
	for _, s := range c.pkts {
		if s.from == from && s.pkt.Findings.Has(packet.FindingZeroChecksum) {
			n++
		}
	}
	return n
}

// Both ends announce SCTP over DTLS (RFC 9653 Section 5.1) in the INIT and
// the INIT ACK; the INIT and the COOKIE ECHO still carry a correct CRC32c
// (Section 5.2 restrictions 1a and 2), every other packet a zero checksum,
// accepted by the other end (Section 5.3) and counted.
func TestZeroChecksumNegotiated(t *testing.T) {
	p, c := zeroChecksumPair(t, chunk.EDMIDDTLS, chunk.EDMIDDTLS, nil)
	for _, typ := range []chunk.Type{chunk.TypeInit, chunk.TypeInitAck} {
		from := p.AddrA
		if typ == chunk.TypeInitAck {
			from = p.AddrZ
		}
		m, ok := zeroChecksumOffer(t, c, from, typ)
		require.True(t, ok, "%v", typ)
		require.Equal(t, chunk.EDMIDDTLS, m)
	}
	for _, typ := range []chunk.Type{chunk.TypeInit, chunk.TypeCookieEcho} {
		for _, s := range c.with(p.AddrA, typ) {
			require.False(t, s.pkt.Findings.Has(packet.FindingZeroChecksum), "%v", typ)
		}
	}
	require.True(t, p.A.ZeroChecksum())
	require.True(t, p.Z.ZeroChecksum())
	for _, s := range c.pkts {
		if !s.has(chunk.TypeInit) && !s.has(chunk.TypeCookieEcho) && !s.has(chunk.TypeInitAck) {
			require.True(t, s.pkt.Findings.Has(packet.FindingZeroChecksum), "%v", s.types())
		}
	}
	sa, sz := p.A.Stats(), p.Z.Stats()
	require.EqualValues(t, zeroSums(c, p.AddrA), sa.ZeroChecksumsSent)
	require.EqualValues(t, zeroSums(c, p.AddrZ), sz.ZeroChecksumsSent)
	require.NotZero(t, sa.ZeroChecksumsSent)
	require.NotZero(t, sz.ZeroChecksumsSent)
	require.Equal(t, sa.ZeroChecksumsSent, sz.ZeroChecksumsReceived)
	require.Equal(t, sz.ZeroChecksumsSent, sa.ZeroChecksumsReceived)
	require.Zero(t, sa.ZeroChecksumsDropped+sz.ZeroChecksumsDropped)
}

// With one end off, only the other announces the method: neither sends a
// zero checksum (RFC 9653 Section 5.2 restriction 1), and both work.
func TestZeroChecksumOneSideOff(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, z chunk.EDMID
	}{{"A off", 0, chunk.EDMIDDTLS}, {"Z off", chunk.EDMIDDTLS, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			p, c := zeroChecksumPair(t, tc.a, tc.z, nil)
			_, offerA := zeroChecksumOffer(t, c, p.AddrA, chunk.TypeInit)
			_, offerZ := zeroChecksumOffer(t, c, p.AddrZ, chunk.TypeInitAck)
			require.Equal(t, tc.a != 0, offerA)
			require.Equal(t, tc.z != 0, offerZ)
			require.False(t, p.A.ZeroChecksum())
			require.False(t, p.Z.ZeroChecksum())
			require.Zero(t, zeroSums(c, p.AddrA)+zeroSums(c, p.AddrZ))
		})
	}
}

// setEDMID is a filter that rewrites the method of every Zero Checksum
// Acceptable parameter in INIT and INIT ACK chunks to m (the parameter is
// the last one of the chunk: see zeroChecksumParams) and fixes the CRC32c.
func setEDMID(m chunk.EDMID) sim.Filter {
	return func(d *sim.Datagram) sim.Verdict {
		b := d.Data
		if len(b) < packet.HeaderLen+4 || (b[12] != byte(chunk.TypeInit) && b[12] != byte(chunk.TypeInitAck)) {
			return sim.Pass
		}
		for off := packet.HeaderLen + 20; off+8 <= len(b); {
			typ, n := binary.BigEndian.Uint16(b[off:]), int(binary.BigEndian.Uint16(b[off+2:]))
			if chunk.ParamType(typ) == chunk.ParamZeroChecksumAcceptable {
				binary.BigEndian.PutUint32(b[off+4:], uint32(m))
			}
			if n < 4 {
				break
			}
			off += (n + 3) &^ 3
		}
		packet.SetChecksum(b)
		return sim.Pass
	}
}

// A peer that announces another method than ours (here EDMID 7, in both
// directions) does not accept our zero checksums: both ends keep the
// CRC32c (RFC 9653 Section 5.2 restriction 1: "indicating an alternate
// error detection method it supports").
func TestZeroChecksumOtherMethod(t *testing.T) {
	p, c := zeroChecksumPair(t, chunk.EDMIDDTLS, chunk.EDMIDDTLS, setEDMID(7))
	require.False(t, p.A.ZeroChecksum())
	require.False(t, p.Z.ZeroChecksum())
	require.Zero(t, zeroSums(c, p.AddrA)+zeroSums(c, p.AddrZ))
}

// A packet with a zero checksum field that is not its CRC32c is dropped
// and counted by an association that did not announce Zero Checksum
// Acceptable (RFC 9653 Section 5.3: "Otherwise, the endpoint MUST drop all
// SCTP packets with an incorrect CRC32c checksum"), even when the peer
// announced it; the same packet with its CRC32c is processed.
func TestZeroChecksumNotAnnouncedDropped(t *testing.T) {
	p, _ := zeroChecksumPair(t, chunk.EDMIDDTLS, 0, nil)
	hb := &chunk.Heartbeat{Info: []byte("probe")}
	zTag, _ := p.Z.Tags()
	pkt := packetOf(headerAZ(zTag), hb)
	zero := append([]byte(nil), pkt...)
	zero[8], zero[9], zero[10], zero[11] = 0, 0, 0, 0
	require.NotZero(t, packet.Checksum(zero), "a CRC32c of zero would be correct")

	before := p.Z.Stats()
	p.Net.Send(p.Now, p.AddrA, p.AddrZ, zero)
	p.Run(100 * time.Millisecond)
	after := p.Z.Stats()
	require.Equal(t, before.ZeroChecksumsDropped+1, after.ZeroChecksumsDropped)
	require.Equal(t, before.ChunksReceived, after.ChunksReceived, "not processed")
	require.Equal(t, 1, p.Discards["zero checksum not announced"])

	p.Net.Send(p.Now, p.AddrA, p.AddrZ, pkt)
	p.Run(100 * time.Millisecond)
	require.Equal(t, after.ChunksReceived.Of(chunk.TypeHeartbeat)+1, p.Z.Stats().ChunksReceived.Of(chunk.TypeHeartbeat))
}
