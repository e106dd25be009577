package association_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// Hostile peers and the control queue: what a peer asks for (HEARTBEAT
// ACKs, ERROR reports, INIT ACKs) is bounded in bytes, every reply fits
// the PMTU (RFC 9260 Section 6.10: "The total size of the resultant SCTP
// packet MUST be less that or equal to the current PMTU"), and nothing
// that can never be sent waits in the queue.

// heartbeatOf returns a HEARTBEAT whose Heartbeat Info holds n bytes.
func heartbeatOf(n int) *chunk.Heartbeat {
	return &chunk.Heartbeat{Info: bytes.Repeat([]byte{0xab}, n)}
}

// requireCtrlQueue checks that the control queue of a holds at most limit
// bytes, and that the association's own count of them is right (a count
// that drifts up would silence every later reply).
func requireCtrlQueue(t *testing.T, a *association.Association, limit int) {
	t.Helper()
	n := association.CtrlQueueBytes(a)
	require.LessOrEqual(t, n, limit, "control queue bytes")
	require.Equal(t, n, association.CtrlQueueAccounted(a), "control queue accounting")
}

// RFC 9260 Section 8.3: "The receiver of the HEARTBEAT chunk SHOULD
// immediately respond with a HEARTBEAT ACK chunk that contains the
// Heartbeat Information TLV"; a HEARTBEAT ACK that cannot fit the PMTU
// cannot be sent, so the HEARTBEAT goes unanswered, as a lost one would.
// 10,000 HEARTBEATs with 2,000 bytes of info (the PMTU is 1,452) leave
// nothing in the control queue (before: one unsendable HEARTBEAT ACK
// each, 20 MB), and a HEARTBEAT that fits and data still get through.
func TestHostileCtrlOversizedHeartbeats(t *testing.T) {
	p, c := establishedPair(t, 301)
	zTag, _ := p.Z.Tags()
	big := packetOf(headerAZ(zTag), heartbeatOf(2000))
	start := p.Now
	for range 10000 {
		p.Net.Send(p.Now, p.AddrA, p.AddrZ, big)
	}
	p.Run(time.Second)
	requireCtrlQueue(t, p.Z, 0)
	require.Zero(t, c.since(start).count(p.AddrZ, chunk.TypeHeartbeatAck))

	forge(p, p.AddrA, p.AddrZ, headerAZ(zTag), heartbeatOf(64))
	p.Run(time.Second)
	require.Equal(t, 1, c.since(start).count(p.AddrZ, chunk.TypeHeartbeatAck))
	sendAndDeliver(t, p, []byte("after the flood"))
	require.Equal(t, association.StateEstablished, p.Z.State())
	requireCtrlQueue(t, p.Z, 0)
}

// The control queue is bounded in bytes whatever the peer sends and
// however late the caller drains it: 10,000 HEARTBEATs handed to the
// association with nothing sent in between queue at most 64 KiB of
// HEARTBEAT ACKs (before: 2.2 MB, one ACK each). The peer retransmits
// what needs an answer; a HEARTBEAT left unanswered is a lost one.
func TestHostileCtrlQueueBoundedInBytes(t *testing.T) {
	p, c := establishedPair(t, 302)
	zTag, _ := p.Z.Tags()
	hb := packetOf(headerAZ(zTag), heartbeatOf(200))
	for range 10000 {
		_ = p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, Data: hb}) // a dropped reply is a discard
	}
	requireCtrlQueue(t, p.Z, 64<<10)
	require.Positive(t, association.CtrlQueueBytes(p.Z))
	start := p.Now
	p.Run(time.Second)
	requireCtrlQueue(t, p.Z, 0)
	acks := c.since(start).count(p.AddrZ, chunk.TypeHeartbeatAck)
	require.Positive(t, acks)
	require.LessOrEqual(t, acks, (64<<10)/(12+208))
	sendAndDeliver(t, p, []byte("after the flood"))
}

// The reply to a packet of HEARTBEATs is never larger than the request:
// each HEARTBEAT ACK is counted as if it went in a packet of its own, and
// those beyond the packet's size go unanswered. Before, a 61,988-byte
// packet of HEARTBEATs too large to share a reply packet got 62,708 bytes
// back, and one of 1,500 small HEARTBEATs 60,504 bytes for 60,012.
func TestHostileCtrlHeartbeatReplyNoLarger(t *testing.T) {
	cases := []struct {
		name    string
		info, n int
	}{
		{"one per reply packet", 1008, 61},
		{"bundled", 32, 1500},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, c := establishedPair(t, 303+uint64(i))
			zTag, _ := p.Z.Tags()
			var cs []chunk.Chunk
			for range tc.n {
				cs = append(cs, heartbeatOf(tc.info))
			}
			req := packetOf(headerAZ(zTag), cs...)
			start := p.Now
			p.Net.Send(p.Now, p.AddrA, p.AddrZ, req)
			p.Run(time.Second)
			replied, acks, ctrlPackets := 0, 0, 0
			for _, sp := range c.since(start).pkts {
				if sp.from != p.AddrZ {
					continue
				}
				if sp.has(chunk.TypeHeartbeatAck) {
					ctrlPackets++
				}
				replied += len(sp.pkt.Bytes())
				require.LessOrEqual(t, len(sp.pkt.Bytes()), p.Z.Config().MTU)
				for _, ty := range sp.types() {
					if ty == chunk.TypeHeartbeatAck {
						acks++
					}
				}
			}
			require.Positive(t, acks)
			require.LessOrEqual(t, replied, len(req), "%d HEARTBEAT ACKs", acks)
			// RFC 9260 Section 12.4: "the sender of the response chunk(s)
			// MUST NOT send more than one packet containing chunks other
			// than DATA chunks."
			require.Equal(t, 1, ctrlPackets, "packets of HEARTBEAT ACKs answering one packet")
			requireCtrlQueue(t, p.Z, 0)
		})
	}
}

// RFC 9260 Section 12.4: the reports of the unrecognized chunks of one
// packet go in one packet at most ("MUST NOT send more than one packet
// containing chunks other than DATA chunks"): 16 chunks of 1,400 bytes, each
// asking for a report, draw one packet of ERROR chunks within the PMTU.
func TestHostileCtrlUnrecognizedChunksOnePacket(t *testing.T) {
	p, c := establishedPair(t, 306)
	zTag, _ := p.Z.Tags()
	var cs []chunk.Chunk
	for i := range 16 {
		cs = append(cs, &chunk.Unknown{ChunkType: 0xff, Value: bytes.Repeat([]byte{byte(i)}, 1400)})
	}
	start := p.Now
	forge(p, p.AddrA, p.AddrZ, headerAZ(zTag), cs...)
	p.Run(time.Second)
	errs := c.since(start).with(p.AddrZ, chunk.TypeError)
	require.Len(t, errs, 1, "packets of ERROR chunks answering one packet")
	require.LessOrEqual(t, len(errs[0].pkt.Bytes()), p.Z.Config().MTU)
	requireCtrlQueue(t, p.Z, 0)
}

// RFC 9260 Section 3.2: an unrecognized chunk whose action bits ask for
// it is reported "in an ERROR chunk using the 'Unrecognized Chunk Type'
// error cause". One too large for the report to fit the PMTU is reported
// truncated, so that the report can be sent. Before, such reports stayed
// queued for ever and, after 16 of them, silenced every later report.
func TestHostileCtrlUnrecognizedChunkOversized(t *testing.T) {
	p, c := establishedPair(t, 305)
	zTag, _ := p.Z.Tags()
	start := p.Now
	for i := range 20 {
		forge(p, p.AddrA, p.AddrZ, headerAZ(zTag),
			&chunk.Unknown{ChunkType: 0xff, Value: bytes.Repeat([]byte{byte(i)}, 3000)})
		p.Run(100 * time.Millisecond)
	}
	small := &chunk.Unknown{ChunkType: 0xff, Value: []byte{1, 2, 3, 4}}
	forge(p, p.AddrA, p.AddrZ, headerAZ(zTag), small)
	p.Run(time.Second)

	errs := c.since(start).with(p.AddrZ, chunk.TypeError)
	require.Len(t, errs, 21)
	for i, sp := range errs {
		require.LessOrEqual(t, len(sp.pkt.Bytes()), p.Z.Config().MTU)
		uc := soleCause[*chunk.UnrecognizedChunkTypeCause](t, sp, chunk.TypeError)
		if i == 20 {
			require.Equal(t, small.Append(nil)[:8], uc.Chunk, "the whole small chunk")
			continue
		}
		// The start of the chunk, its header (and Chunk Length) intact.
		require.Equal(t, []byte{0xff, 0, 3004 >> 8, 3004 & 0xff, byte(i)}, uc.Chunk[:5])
		require.Less(t, len(uc.Chunk), 3004)
	}
	require.Len(t, eventsOf[*association.RemoteError](p.DeliveredA), 21)
	requireCtrlQueue(t, p.Z, 0)
}

// initToAnswer starts A's handshake with an INIT that goes nowhere, for
// the test to answer it (forge), and returns A's tag.
func initToAnswer(t *testing.T, seed uint64) (*associationtest.Pair, *capture, chunk.VerificationTag) {
	t.Helper()
	cfgA, cfgZ := scenarioConfigs(seed)
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	p.Net.SetDown(p.AddrA, p.AddrZ, true)
	require.NoError(t, p.Connect())
	p.Exchange()
	aTag, _ := p.A.Tags()
	return p, c, aTag
}

// A State Cookie too large for a COOKIE ECHO within the PMTU cannot be
// echoed (RFC 9260 Section 6.10): the connect fails at once with
// ErrCookieTooLarge, rather than waiting in COOKIE-ECHOED for a COOKIE
// ECHO that is never sent until T1-cookie gives up.
func TestHostileCtrlCookieTooLarge(t *testing.T) {
	p, c, aTag := initToAnswer(t, 306)
	forge(p, p.AddrZ, p.AddrA, headerZA(aTag), &chunk.InitAck{
		InitiateTag: 0x12345678, ARwnd: 1 << 16, OutboundStreams: 10, InboundStreams: 10, InitialTSN: 1,
		Params: []chunk.Param{&chunk.StateCookie{Cookie: make([]byte, 2000)}}})
	p.Run(100 * time.Millisecond)

	require.Equal(t, association.StateClosed, p.A.State())
	ac := eventsOf[*association.AssocChange](p.DeliveredA)
	require.Len(t, ac, 1)
	require.Equal(t, association.CantAssoc, ac[0].State)
	require.ErrorIs(t, ac[0].Err, association.ErrCookieTooLarge)
	require.Zero(t, c.count(p.AddrA, chunk.TypeCookieEcho))
	requireCtrlQueue(t, p.A, 0)
}

// RFC 9260 Section 3.2.1: unrecognized parameters of an INIT with the
// report bit are reported in the INIT ACK ("it MUST put the
// "Unrecognized Parameter" parameter(s) in the INIT ACK chunk"); the INIT
// ACK still fits the PMTU (Section 6.10): the reports beyond it are left
// out, and a cookie with many peer addresses keeps fewer of them. Before,
// an INIT with 300 such parameters got a 3,736-byte INIT ACK, from the
// acceptor and from an established association alike, and one listing 32
// IPv6 addresses a 680-byte INIT ACK where the PMTU was 576.
func TestHostileCtrlInitAckWithinPMTU(t *testing.T) {
	unknown := func(n int) []chunk.Param {
		var ps []chunk.Param
		for i := range n {
			ps = append(ps, &chunk.UnknownParam{Type: 0xc123, Value: binary.BigEndian.AppendUint32(nil, uint32(i))})
		}
		return ps
	}
	initWith := func(ps []chunk.Param) *chunk.Init {
		return &chunk.Init{InitiateTag: 0xabcdef01, ARwnd: 1 << 16, OutboundStreams: 10,
			InboundStreams: 10, InitialTSN: 7, Params: ps}
	}
	// initAckOf parses an INIT ACK packet.
	initAckOf := func(t *testing.T, pkt []byte) *chunk.InitAck {
		t.Helper()
		pp, err := packet.Parse(pkt, packet.Options{})
		require.NoError(t, err)
		it := pp.Chunks()
		r, _ := it.Next()
		var ack chunk.InitAck
		parseChunk(t, r, &ack)
		require.NotNil(t, ack.StateCookie())
		return &ack
	}
	// reports returns the Unrecognized Parameter parameters of an INIT ACK
	// packet.
	reports := func(t *testing.T, pkt []byte) int {
		t.Helper()
		n := 0
		for _, p := range initAckOf(t, pkt).Params {
			if _, ok := p.(*chunk.UnrecognizedParameter); ok {
				n++
			}
		}
		return n
	}
	h := packet.Header{SrcPort: 5000, DstPort: 5001}
	from := netip.MustParseAddrPort("10.0.0.1:9899")

	t.Run("acceptor", func(t *testing.T) {
		cfg := associationtest.Config(307, 5001, 0)
		acc, err := association.NewAcceptor(cfg)
		require.NoError(t, err)
		reply := acc.HandleInitFrom(0, from, h, initWith(unknown(300)), nil)
		require.LessOrEqual(t, len(reply), association.DefaultMTU)
		require.Positive(t, reports(t, reply))
	})
	t.Run("acceptor, smallest MTU, many addresses", func(t *testing.T) {
		cfg := associationtest.Config(308, 5001, 0)
		cfg.MTU = association.MinMTU
		acc, err := association.NewAcceptor(cfg)
		require.NoError(t, err)
		var ps []chunk.Param
		for i := range 32 {
			ps = append(ps, &chunk.IPv6Address{Addr: netip.MustParseAddr("2001:db8::").As16()})
			ps[len(ps)-1].(*chunk.IPv6Address).Addr[15] = byte(i + 1)
		}
		reply := acc.HandleInitFrom(0, from, h, initWith(ps), nil)
		require.LessOrEqual(t, len(reply), association.MinMTU)
		_, err = association.InspectCookie(acc.Cookies(), initAckOf(t, reply).StateCookie().Cookie)
		require.NoError(t, err, "the cookie with fewer addresses verifies")
	})
	t.Run("established association", func(t *testing.T) {
		p, c := establishedPair(t, 309)
		start := p.Now
		forge(p, p.AddrA, p.AddrZ, packet.Header{SrcPort: 5000, DstPort: 5001}, initWith(unknown(300)))
		p.Run(100 * time.Millisecond)
		acks := c.since(start).with(p.AddrZ, chunk.TypeInitAck)
		require.Len(t, acks, 1)
		require.LessOrEqual(t, len(acks[0].pkt.Bytes()), p.Z.Config().MTU)
		require.Positive(t, reports(t, acks[0].pkt.Bytes()))
		requireCtrlQueue(t, p.Z, 0)
	})
}

// An INIT that does not fit the PMTU (here: the smallest MTU and 40 IPv6
// local addresses to list) cannot be sent: Connect says so rather than
// letting T1-init retransmit nothing.
func TestHostileCtrlInitTooLarge(t *testing.T) {
	cfg := associationtest.Config(310, 5000, 5001)
	cfg.MTU = association.MinMTU
	for i := range 40 {
		a := netip.MustParseAddr("2001:db8::").As16()
		a[15] = byte(i + 1)
		cfg.LocalAddrs = append(cfg.LocalAddrs, netip.AddrFrom16(a))
	}
	a, err := association.New(cfg, 0, netip.MustParseAddrPort("[2001:db8::100]:9899"))
	require.NoError(t, err)
	err = a.Connect(0)
	require.True(t, errors.Is(err, association.ErrInitTooLarge), "%v", err)
	require.Equal(t, association.StateClosed, a.State())
}

// A reply queued while it fitted the PMTU, which was then lowered, can no
// longer be sent: it is dropped when its turn comes rather than wedging
// the queue. A HEARTBEAT ACK for 1,300 bytes of info waits while the path
// MTU goes down to 576; the HEARTBEAT ACK queued behind it still goes
// out, and the queue empties.
func TestHostileCtrlPMTULoweredWhileQueued(t *testing.T) {
	p, c := establishedPair(t, 316)
	zTag, _ := p.Z.Tags()
	require.NoError(t, p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, Data: packetOf(headerAZ(zTag), heartbeatOf(1300))}))
	require.NoError(t, p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, Data: packetOf(headerAZ(zTag), heartbeatOf(64))}))
	require.NoError(t, p.Z.SetPathParams(p.Now, netip.Addr{}, association.PathParams{PathMTU: association.MinMTU}))
	start := p.Now
	p.Run(time.Second)
	acks := c.since(start).with(p.AddrZ, chunk.TypeHeartbeatAck)
	require.Len(t, acks, 1)
	r, _ := acks[0].chunk(chunk.TypeHeartbeatAck)
	require.Equal(t, 8+64, int(r.Length))
	requireCtrlQueue(t, p.Z, 0)
}

// RFC 9260 Section 6.10: "The total size of the resultant SCTP packet MUST
// be less that or equal to the current PMTU", for a PMTU that is not a
// multiple of 4 too: chunks and parameters are padded to 4 bytes, so the
// INIT ACK's room is counted in whole words. INITs with many unrecognized
// parameters of every length and a few addresses, at odd PMTUs.
func TestHostileCtrlInitAckOddPMTU(t *testing.T) {
	for _, mtu := range []int{577, 578, 579, 1001, 1453} {
		cfg := associationtest.Config(307, 5001, 0)
		cfg.MTU = mtu
		acc, err := association.NewAcceptor(cfg)
		require.NoError(t, err)
		h := packet.Header{SrcPort: 5000, DstPort: 5001}
		from := netip.MustParseAddrPort("10.0.0.1:9899")
		for vlen := 1; vlen <= 8; vlen++ {
			for n := 1; n <= 200; n += 7 {
				for addrs := range 3 {
					var ps []chunk.Param
					for j := range addrs {
						ps = append(ps, chunk.AddressParam(netip.AddrFrom4([4]byte{10, 9, 9, byte(j + 1)})))
					}
					for range n {
						ps = append(ps, &chunk.UnknownParam{Type: 0xc123, Value: make([]byte, vlen)})
					}
					init := &chunk.Init{InitiateTag: 0xabcdef01, ARwnd: 1 << 16, OutboundStreams: 10,
						InboundStreams: 10, InitialTSN: 7, Params: ps}
					reply := acc.HandleInitFrom(0, from, h, init, nil)
					require.NotEmpty(t, reply)
					require.LessOrEqual(t, len(reply), mtu, "MTU %d, %d parameters of %d bytes, %d addresses",
						mtu, n, vlen, addrs)
				}
			}
		}
	}
}

// RFC 9260 Section 6.10: the INIT ACK fits the PMTU however many local
// addresses this end has: 40 IPv6 addresses at MinMTU (a 948-byte INIT ACK
// before) are listed in part, as many as fit with the cookie, in a valid
// INIT ACK (the peer also uses the packet's source, Section 5.1.2).
func TestHostileCtrlInitAckManyLocalAddrs(t *testing.T) {
	cfg := associationtest.Config(311, 5001, 0)
	cfg.MTU = association.MinMTU
	for i := range 40 {
		a := netip.MustParseAddr("2001:db8::").As16()
		a[15] = byte(i + 1)
		cfg.LocalAddrs = append(cfg.LocalAddrs, netip.AddrFrom16(a))
	}
	acc, err := association.NewAcceptor(cfg)
	require.NoError(t, err)
	init := &chunk.Init{InitiateTag: 0xabcdef01, ARwnd: 1 << 16, OutboundStreams: 10,
		InboundStreams: 10, InitialTSN: 7}
	reply := acc.HandleInitFrom(0, netip.MustParseAddrPort("[2001:db8::100]:9899"),
		packet.Header{SrcPort: 5000, DstPort: 5001}, init, nil)
	require.NotEmpty(t, reply)
	require.LessOrEqual(t, len(reply), association.MinMTU)
	p, err := packet.Parse(reply, packet.Options{})
	require.NoError(t, err)
	it := p.Chunks()
	r, _ := it.Next()
	var ack chunk.InitAck
	_, err = ack.Parse(r.Bytes)
	require.NoError(t, err)
	require.NoError(t, ack.Validate())
	addrs := 0
	for _, p := range ack.Params {
		if _, ok := p.(*chunk.IPv6Address); ok {
			addrs++
		}
	}
	require.Positive(t, addrs)
	require.Less(t, addrs, 40)
}

// An INIT answered with an ABORT (RFC 9260 Section 8.4: what an endpoint
// does for an INIT to an SCTP port where nothing listens) ends the
// attempt with a CantAssoc whose Err is ErrRefused, so that the user
// learns that the peer refused rather than that something failed.
func TestHostileCtrlInitAborted(t *testing.T) {
	p, _, aTag := initToAnswer(t, 307)
	forge(p, p.AddrZ, p.AddrA, headerZA(aTag), &chunk.Abort{})
	p.Run(100 * time.Millisecond)

	require.Equal(t, association.StateClosed, p.A.State())
	ac := eventsOf[*association.AssocChange](p.DeliveredA)
	require.Len(t, ac, 1)
	require.Equal(t, association.CantAssoc, ac[0].State)
	require.ErrorIs(t, ac[0].Err, association.ErrRefused)
}
