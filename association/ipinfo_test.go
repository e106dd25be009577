package association_test

import (
	"bytes"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// The tests of IPInfo: a message carries the IP header fields of the
// packet that brought its last DATA chunk (the E bit), whatever the order
// packets arrive in and however long the message waits in reassembly.
// They hand A's packets to Z by hand, each with its own IPInfo, as the
// endpoint does with what the UDP layer reported.

// noDelayPair returns an established pair whose A sends each message at
// once (no Nagle-style wait for a SACK: sctp_nodelay).
func noDelayPair(t *testing.T, seed uint64) *associationtest.Pair {
	t.Helper()
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgA.NoDelay = true
	p, _ := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	p.Exchange()
	return p
}

// ipOf returns a distinct IPInfo for packet i.
func ipOf(i int) association.IPInfo {
	return association.IPInfo{TOS: uint8(0x10 + i), TTL: uint8(30 + i), Has: association.IPTOS | association.IPTTL}
}

// takeA returns the packets A has to send now, parsed from private copies.
func takeA(t *testing.T, p *associationtest.Pair) []packet.Packet {
	t.Helper()
	var out []packet.Packet
	for range 64 {
		o, ok := p.A.AppendPacket(p.Now, nil)
		if !ok {
			return out
		}
		pkt, err := packet.Parse(bytes.Clone(o.Data), packet.Options{AcceptZeroChecksum: true})
		require.NoError(t, err)
		out = append(out, pkt)
	}
	t.Fatal("A never stops sending")
	return nil
}

// dataChunks returns the DATA chunks of pkt.
func dataChunks(t *testing.T, pkt *packet.Packet) []chunk.Data {
	t.Helper()
	var out []chunk.Data
	it := pkt.Chunks()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		if r.Type == chunk.TypeData {
			var d chunk.Data
			parseChunk(t, r, &d)
			d.UserData = bytes.Clone(d.UserData)
			out = append(out, d)
		}
	}
	return out
}

// fromA returns the datagram that brings pkt from A to Z now, with the IP
// header fields ip.
func fromA(p *associationtest.Pair, pkt *packet.Packet, ip association.IPInfo) *association.Datagram {
	return &association.Datagram{Now: p.Now, From: p.AddrA, Data: pkt.Bytes(), IP: ip}
}

// pollZ returns the messages Z has delivered.
func pollZ(p *associationtest.Pair) []association.Message {
	var out []association.Message
	for {
		d, ok := p.Z.Poll()
		if !ok {
			return out
		}
		if d.Event == nil {
			out = append(out, d.Message)
		}
	}
}

// Two ordered messages on one stream, each in its own packet, arrive out
// of order: the second waits in reassembly for the first (RFC 9260
// Section 6.6: ordered messages are delivered "in the order of their SSN"),
// and each is delivered with its own packet's fields, not with those of
// the packet that made it deliverable. A datagram without IP header
// fields, after those with, gives its messages none.
func TestIPInfoOrderedOutOfOrder(t *testing.T) {
	p := noDelayPair(t, 41)
	m1, m2 := bytes.Repeat([]byte{1}, 1000), bytes.Repeat([]byte{2}, 1000)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, m1))
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, m2))
	pkts := takeA(t, p)
	require.Equal(t, 2, len(pkts), "one message per packet")

	require.NoError(t, p.Z.HandlePacket(fromA(p, &pkts[1], ipOf(1)), &pkts[1]))
	require.Empty(t, pollZ(p), "the second message waits for the first")
	require.NoError(t, p.Z.HandlePacket(fromA(p, &pkts[0], ipOf(0)), &pkts[0]))
	got := pollZ(p)
	require.Len(t, got, 2)
	require.Equal(t, m1, got[0].Data)
	require.Equal(t, ipOf(0), got[0].IP)
	require.Equal(t, m2, got[1].Data)
	require.Equal(t, ipOf(1), got[1].IP, "the fields of its own packet")

	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("plain")))
	pkts = takeA(t, p)
	require.Equal(t, 1, len(pkts))
	require.NoError(t, p.Z.HandlePacket(fromA(p, &pkts[0], association.IPInfo{}), &pkts[0]))
	got = pollZ(p)
	require.Len(t, got, 1)
	require.Equal(t, association.IPInfo{}, got[0].IP, "a datagram without IP header fields")
}

// A message fragmented over three packets (RFC 9260 Section 6.9) carries
// the fields of the packet with its E fragment, even when that packet
// arrives first and the message completes with the B fragment.
func TestIPInfoFragments(t *testing.T) {
	p := noDelayPair(t, 42)
	msg := bytes.Repeat([]byte("fragment"), 400) // 3200 bytes: three DATA chunks
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, msg))
	pkts := takeA(t, p)
	require.Equal(t, 3, len(pkts), "one fragment per packet")
	last := -1
	for i := range pkts {
		ds := dataChunks(t, &pkts[i])
		require.Len(t, ds, 1)
		if ds[0].Flags.Has(chunk.FlagEnd) {
			last = i
		}
	}
	require.Equal(t, 2, last, "the E fragment is in the third packet")

	for _, i := range []int{2, 1} {
		require.NoError(t, p.Z.HandlePacket(fromA(p, &pkts[i], ipOf(i)), &pkts[i]))
		require.Empty(t, pollZ(p))
	}
	require.NoError(t, p.Z.HandlePacket(fromA(p, &pkts[0], ipOf(0)), &pkts[0]))
	got := pollZ(p)
	require.Len(t, got, 1)
	require.Equal(t, msg, got[0].Data)
	require.Equal(t, ipOf(2), got[0].IP, "the packet of the E fragment")
}

// DATA bundled with the COOKIE ECHO (RFC 9260 Section 5.1: "The COOKIE
// ECHO chunk MAY be bundled with any pending outbound DATA chunks") is
// processed by the Acceptor as it creates the association: its message
// carries the fields of the datagram HandleCookieEcho was given. A does not bundle DATA
// with its COOKIE ECHO, so the test adds a DATA chunk with A's initial TSN
// to A's COOKIE ECHO.
func TestIPInfoCookieEchoBundle(t *testing.T) {
	const seed = 43
	cfgA, cfgZ := scenarioConfigs(seed)
	p, _ := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Connect())
	pkts := takeA(t, p)
	require.Equal(t, 1, len(pkts))
	it := pkts[0].Chunks()
	first, ok := it.Next()
	require.True(t, ok)
	require.Equal(t, chunk.TypeInit, first.Type)
	var init chunk.Init
	parseChunk(t, first, &init)
	initAck := p.Acceptor.HandleInit(p.Now, pkts[0].Header, &init, nil)
	require.NotNil(t, initAck)
	require.NoError(t, p.A.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrZ, Data: initAck}))
	pkts = takeA(t, p)
	require.Equal(t, 1, len(pkts))
	it = pkts[0].Chunks()
	first, ok = it.Next()
	require.True(t, ok)
	require.Equal(t, chunk.TypeCookieEcho, first.Type)
	var ce chunk.CookieEcho
	parseChunk(t, first, &ce)

	var b packet.Builder
	b.Reset(nil, pkts[0].Header, 1<<16)
	require.True(t, b.Add(&chunk.CookieEcho{Cookie: bytes.Clone(ce.Cookie)}))
	require.True(t, b.Add(&chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: init.InitialTSN,
		UserData: []byte("early")}))
	bundle, err := packet.Parse(b.Finish(), packet.Options{})
	require.NoError(t, err)

	z, reply, err := p.Acceptor.HandleCookieEcho(fromA(p, &bundle, ipOf(7)), &bundle, nil)
	require.NoError(t, err)
	require.Nil(t, reply)
	require.NotNil(t, z)
	p.Z = z
	got := pollZ(p)
	require.Len(t, got, 1)
	require.Equal(t, []byte("early"), got[0].Data)
	require.Equal(t, ipOf(7), got[0].IP)
}
