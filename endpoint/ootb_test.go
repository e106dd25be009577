package endpoint_test

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// stranger is a peer no association knows.
var stranger = netip.MustParseAddrPort("10.0.0.9:9899")

const strangerTag chunk.VerificationTag = 0x11223344

func dataChunk() *chunk.Data {
	return &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: 1, UserData: []byte("x")}
}

func initChunk(tag chunk.VerificationTag) *chunk.Init {
	return &chunk.Init{InitiateTag: tag, ARwnd: 65536, OutboundStreams: 10, InboundStreams: 10, InitialTSN: 1}
}

// want describes the expected answer to an out-of-the-blue packet.
type want struct {
	rule  int // the rule of RFC 9260 Section 8.4 applied; 0: another drop
	reply chunk.Type
	tBit  bool
	tag   chunk.VerificationTag
	none  bool // no reply
}

type ootbCase struct {
	name string // the rule, quoted
	from netip.AddrPort
	to   netip.Addr
	pkt  []byte
	want want
}

func ootbCases() []ootbCase {
	local := netip.MustParseAddr("10.0.0.2")
	staleErr := &chunk.OperationError{Causes: []chunk.Cause{&chunk.StaleCookieCause{Staleness: 1000}}}
	otherErr := &chunk.OperationError{Causes: []chunk.Cause{&chunk.OutOfResourceCause{}}}
	corrupt := build(5000, 7, strangerTag, dataChunk())
	corrupt[len(corrupt)-1] ^= 1
	return []ootbCase{
		{`1: "If the OOTB packet is to or from a non-unicast address, a receiver SHOULD silently discard the packet" (from)`,
			netip.MustParseAddrPort("224.0.0.1:9899"), local, build(5000, 7, strangerTag, dataChunk()), want{rule: 1, none: true}},
		{`1: ... (to)`, stranger, netip.MustParseAddr("255.255.255.255"), build(5000, 7, strangerTag, dataChunk()), want{rule: 1, none: true}},
		{`2: "If the OOTB packet contains an ABORT chunk, the receiver MUST silently discard the OOTB packet"`,
			stranger, local, build(5000, 7, strangerTag, &chunk.Abort{}), want{rule: 2, none: true}},
		{`2: ... (T bit)`, stranger, local, build(5000, 7, strangerTag, &chunk.Abort{Flags: chunk.FlagT}), want{rule: 2, none: true}},
		{`2: ... (ABORT not first)`, stranger, local,
			build(5000, 7, strangerTag, &chunk.Heartbeat{Info: []byte{1, 2, 3, 4}}, &chunk.Abort{}), want{rule: 2, none: true}},
		{`4: "If the packet contains a COOKIE ECHO chunk as the first chunk, it MUST be processed as described in Section 5.1" (a bad cookie is discarded silently, Section 5.1.5)`,
			stranger, local, build(5000, 7, strangerTag, &chunk.CookieEcho{Cookie: make([]byte, 100)}), want{none: true}},
		{`5: "the receiver SHOULD respond to the sender of the OOTB packet with a SHUTDOWN COMPLETE chunk ... the Verification Tag received in the SHUTDOWN ACK chunk and set the T bit"`,
			stranger, local, build(5000, 7, strangerTag, &chunk.ShutdownAck{}),
			want{rule: 5, reply: chunk.TypeShutdownComplete, tBit: true, tag: strangerTag}},
		{`6: "If the packet contains a SHUTDOWN COMPLETE chunk, the receiver SHOULD silently discard the packet"`,
			stranger, local, build(5000, 7, strangerTag, &chunk.ShutdownComplete{}), want{rule: 6, none: true}},
		{`6: ... (T bit)`, stranger, local, build(5000, 7, strangerTag, &chunk.ShutdownComplete{Flags: chunk.FlagT}), want{rule: 6, none: true}},
		{`7: "If the packet contains an ERROR chunk with the "Stale Cookie" error cause ... the SCTP packet SHOULD be silently discarded"`,
			stranger, local, build(5000, 7, strangerTag, staleErr), want{rule: 7, none: true}},
		{`7: "... or a COOKIE ACK chunk"`, stranger, local, build(5000, 7, strangerTag, &chunk.CookieAck{}), want{rule: 7, none: true}},
		{`8: "The receiver SHOULD respond to the sender of the OOTB packet with an ABORT chunk ... with the value found in the Verification Tag field of the OOTB packet and set the T bit" (DATA)`,
			stranger, local, build(5000, 7, strangerTag, dataChunk()),
			want{rule: 8, reply: chunk.TypeAbort, tBit: true, tag: strangerTag}},
		{`8: ... (HEARTBEAT)`, stranger, local, build(5000, 7, strangerTag, &chunk.Heartbeat{Info: []byte{1, 2, 3, 4}}),
			want{rule: 8, reply: chunk.TypeAbort, tBit: true, tag: strangerTag}},
		{`8: ... (SACK)`, stranger, local, build(5000, 7, strangerTag, &chunk.SACK{CumTSNAck: 5, ARwnd: 1500}),
			want{rule: 8, reply: chunk.TypeAbort, tBit: true, tag: strangerTag}},
		{`8: ... (an ERROR without Stale Cookie)`, stranger, local, build(5000, 7, strangerTag, otherErr),
			want{rule: 8, reply: chunk.TypeAbort, tBit: true, tag: strangerTag}},
		{`8.5.1 A: "When an endpoint receives an SCTP packet with the Verification Tag set to 0, it SHOULD verify that the packet contains only an INIT chunk. Otherwise, the receiver MUST silently discard the packet."`,
			stranger, local, build(5000, 7, 0, dataChunk()), want{none: true}},
		{`3.1: "A packet containing an INIT chunk MUST have a zero Verification Tag."`,
			stranger, local, build(5000, 7, strangerTag, initChunk(7)), want{none: true}},
		{`3.3.2: "If the value of the Initiate Tag in a received INIT chunk is found to be 0, the receiver MUST silently discard the packet."`,
			stranger, local, build(5000, 7, 0, initChunk(0)), want{none: true}},
		{`3.1: "The Source Port Number 0 MUST NOT be used."`,
			stranger, local, build(0, 7, strangerTag, dataChunk()), want{none: true}},
		{`6.8: a packet with a wrong CRC32c is invalid`, stranger, local, corrupt, want{none: true}},
	}
}

// checkReply checks the endpoint's (or Mux's) reply to a packet.
func checkReply(t *testing.T, n endpointtest.Node, c ootbCase, err error) {
	t.Helper()
	if c.want.rule != 0 {
		var de *endpoint.DropError
		require.True(t, errors.As(err, &de), "error %v", err)
		require.Equal(t, c.want.rule, de.Rule)
	}
	out := outputs(0, n)
	if c.want.none {
		require.Empty(t, out)
		return
	}
	require.Len(t, out, 1)
	require.Equal(t, c.from, out[0].To)
	require.Equal(t, c.to, out[0].From)
	p, first := parsed(t, out[0].Data)
	require.Equal(t, c.want.reply, first.Type)
	require.Equal(t, c.want.tBit, chunk.TFlags(first.Flags).Reflected())
	require.Equal(t, c.want.tag, p.VerificationTag)
	require.Equal(t, uint16(7), p.SrcPort)
	require.Equal(t, uint16(5000), p.DstPort)
	require.Equal(t, 1, p.NumChunks)
}

// RFC 9260 Section 8.4, rules 1, 2 and 4 to 8, and the checks that come
// before it, on a listening endpoint without associations.
func TestOutOfTheBlue(t *testing.T) {
	for _, c := range ootbCases() {
		t.Run(c.name, func(t *testing.T) {
			ep, err := endpoint.New(endpointtest.Config(1, 7), 0)
			require.NoError(t, err)
			ep.Listen(true)
			err = ep.HandleDatagram(&association.Datagram{From: c.from, To: c.to, Data: c.pkt})
			require.Error(t, err)
			checkReply(t, ep, c, err)
			require.Equal(t, 0, ep.Len())
		})
	}
}

// RFC 9260 Section 8.4 rule 3: "If the packet contains an INIT chunk with
// a Verification Tag set to 0, it SHOULD be processed as described in
// Section 5.1. If, for whatever reason, the INIT chunk cannot be processed
// normally and an ABORT chunk has to be sent in response, the Verification
// Tag of the packet containing the ABORT chunk MUST be the Initiate Tag of
// the received INIT chunk, and the T bit of the ABORT chunk has to be set
// to 0, indicating that the Verification Tag is not reflected."
func TestInitNotListening(t *testing.T) {
	ep, err := endpoint.New(endpointtest.Config(1, 7), 0)
	require.NoError(t, err)
	local := netip.MustParseAddr("10.0.0.2")
	c := ootbCase{from: stranger, to: local, pkt: build(5000, 7, 0, initChunk(0xabcd)),
		want: want{rule: 3, reply: chunk.TypeAbort, tag: 0xabcd}}
	err = ep.HandleDatagram(&association.Datagram{From: c.from, To: c.to, Data: c.pkt})
	var de *endpoint.DropError
	require.True(t, errors.As(err, &de))
	require.Equal(t, endpoint.DropNotListening, de.Reason)
	checkReply(t, ep, c, err)

	// Listening, the same INIT gets an INIT ACK for its Initiate Tag and
	// no association exists yet (Section 5.1 B: "Z" MUST NOT allocate any
	// resources").
	ep.Listen(true)
	require.NoError(t, ep.HandleDatagram(&association.Datagram{From: c.from, To: c.to, Data: c.pkt}))
	out := outputs(0, ep)
	require.Len(t, out, 1)
	p, first := parsed(t, out[0].Data)
	require.Equal(t, chunk.TypeInitAck, first.Type)
	require.Equal(t, chunk.VerificationTag(0xabcd), p.VerificationTag)
	require.Equal(t, 0, ep.Len())
}

// A Mux answers packets for a port without an endpoint by the same rules;
// an INIT gets an ABORT (rule 3) and a COOKIE ECHO nothing (rule 4).
func TestMuxOutOfTheBlue(t *testing.T) {
	local := netip.MustParseAddr("10.0.0.2")
	cases := append(ootbCases(), ootbCase{name: "3: INIT for a port without an endpoint",
		from: stranger, to: local, pkt: build(5000, 7, 0, initChunk(0xabcd)),
		want: want{rule: 3, reply: chunk.TypeAbort, tag: 0xabcd}})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := endpoint.NewMux()
			other, err := endpoint.New(endpointtest.Config(1, 8), 0)
			require.NoError(t, err)
			other.Listen(true)
			require.NoError(t, m.Add(other))
			err = m.HandleDatagram(&association.Datagram{From: c.from, To: c.to, Data: c.pkt})
			require.Error(t, err)
			checkReply(t, m, c, err)
			require.Equal(t, 0, other.Len())
		})
	}
}

// RFC 9260 Section 8.5: "If the received Verification Tag value does not
// match the receiver's own tag value, the receiver MUST silently discard
// the packet and MUST NOT process it any further". Section 8.5.1 B: an
// ABORT is accepted "if the Verification Tag field of the packet matches
// its own tag and the T bit is not set OR if it is set to its Peer's Tag
// and the T bit is set in the Chunk Flags. Otherwise, the receiver MUST
// silently discard the packet".
func TestWrongTagFromKnownPeer(t *testing.T) {
	st := newSetup(t, 2, nil)
	_, sid := st.connect(t)
	a, _ := st.s.Assoc(sid)
	local, peer := a.Tags()
	before := a.Stats().PacketsReceived
	for _, pkt := range [][]byte{
		build(5000, 7, local+1, dataChunk()),
		build(5000, 7, local+1, &chunk.Abort{}),
		build(5000, 7, local, &chunk.Abort{Flags: chunk.FlagT}), // T bit: must be the peer's tag
		build(5000, 7, peer+1, &chunk.Abort{Flags: chunk.FlagT}),
		build(5000, 7, peer+1, &chunk.ShutdownComplete{Flags: chunk.FlagT}),
	} {
		_ = st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: addrC, To: addrS.Addr(), Data: pkt})
		require.Empty(t, outputs(st.w.Now, st.s))
		require.Equal(t, association.StateEstablished, a.State())
	}
	// The first two never reached the association.
	// The first two never reached the association; the three with the T
	// bit went to it by peer address and it discarded them.
	require.Equal(t, before+3, a.Stats().PacketsReceived)

	// The peer's ABORT with the T bit and the peer's tag is accepted.
	require.NoError(t, st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: addrC, To: addrS.Addr(), Data: build(5000, 7, peer, &chunk.Abort{Flags: chunk.FlagT})}))
	require.Equal(t, association.StateClosed, a.State())
	ds := endpointtest.Drain(st.s)
	require.True(t, endpointtest.HasEvent(ds, sid, association.CommLost))
}

// RFC 9260 Section 8.5.1 E: "If the receiver is in COOKIE-ECHOED or
// COOKIE-WAIT state, the procedures in Section 8.4 SHOULD be followed; in
// other words, it is treated as an OOTB packet." (a SHUTDOWN ACK).
func TestShutdownAckInCookieWait(t *testing.T) {
	ep, err := endpoint.New(endpointtest.Config(1, 5000), 0)
	require.NoError(t, err)
	id, err := ep.Connect(0, []netip.AddrPort{stranger}, 7, nil)
	require.NoError(t, err)
	out := outputs(0, ep) // the INIT, lost
	require.Len(t, out, 1)
	a, _ := ep.Assoc(id)
	require.Equal(t, association.StateCookieWait, a.State())
	err = ep.HandleDatagram(&association.Datagram{From: stranger, Data: build(7, 5000, strangerTag, &chunk.ShutdownAck{})})
	var de *endpoint.DropError
	require.True(t, errors.As(err, &de))
	require.Equal(t, 5, de.Rule)
	out = outputs(0, ep)
	require.Len(t, out, 1)
	p, first := parsed(t, out[0].Data)
	require.Equal(t, chunk.TypeShutdownComplete, first.Type)
	require.True(t, chunk.TFlags(first.Flags).Reflected())
	require.Equal(t, strangerTag, p.VerificationTag)
	require.Equal(t, association.StateCookieWait, a.State())
}

// A closed association leaves the routing tables at once: a retransmitted
// SHUTDOWN ACK for it is out of the blue and gets a SHUTDOWN COMPLETE with
// the T bit (rule 5), so that a peer whose SHUTDOWN COMPLETE was lost can
// finish.
func TestShutdownAckAfterClose(t *testing.T) {
	st := newSetup(t, 3, nil)
	cid, sid := st.connect(t)
	a, _ := st.s.Assoc(sid)
	// Lose the client's SHUTDOWN COMPLETE.
	st.w.OnSend = func(from netip.AddrPort, out association.Outgoing) bool {
		p, err := packet.Parse(out.Data, packet.Options{})
		if err != nil {
			return true
		}
		it := p.Chunks()
		r, _ := it.Next()
		return r.Type != chunk.TypeShutdownComplete
	}
	ca, _ := st.c.Assoc(cid)
	require.NoError(t, ca.Shutdown(st.w.Now))
	require.True(t, st.w.RunUntil(time.Second, func() bool { return ca.State() == association.StateClosed }))
	st.w.OnSend = nil
	// The server retransmits its SHUTDOWN ACK on T2 and gets an answer.
	require.True(t, st.w.RunUntil(10*time.Second, func() bool { return a.State() == association.StateClosed }),
		"server state %v drops %v", a.State(), st.w.Drops)
	require.Equal(t, 1, st.w.Drops["out of the blue (rule 5)"])
}

// A Mux refuses a second endpoint for a port; once an endpoint is
// removed, packets for its port are out of the blue.
func TestMuxAddRemove(t *testing.T) {
	m := endpoint.NewMux()
	a, err := endpoint.New(endpointtest.Config(1, 7), 0)
	require.NoError(t, err)
	a.Listen(true)
	b, err := endpoint.New(endpointtest.Config(2, 7), 0)
	require.NoError(t, err)
	require.NoError(t, m.Add(a))
	require.ErrorIs(t, m.Add(b), endpoint.ErrPortInUse)
	ep, ok := m.Endpoint(7)
	require.True(t, ok)
	require.Same(t, a, ep)

	initPkt := build(5000, 7, 0, initChunk(0xabcd))
	require.NoError(t, m.HandleDatagram(&association.Datagram{From: stranger, Data: initPkt}))
	out := outputs(0, m)
	require.Len(t, out, 1)
	_, first := parsed(t, out[0].Data)
	require.Equal(t, chunk.TypeInitAck, first.Type)

	require.True(t, m.Remove(7))
	require.False(t, m.Remove(7))
	err = m.HandleDatagram(&association.Datagram{From: stranger, Data: initPkt})
	var de *endpoint.DropError
	require.True(t, errors.As(err, &de))
	require.Equal(t, 3, de.Rule)
	out = outputs(0, m)
	require.Len(t, out, 1)
	_, first = parsed(t, out[0].Data)
	require.Equal(t, chunk.TypeAbort, first.Type)
	require.Equal(t, timer.Never, m.NextDeadline())
}

// RFC 9260 Section 8.5.1 A: a packet with tag 0 "SHOULD" contain "only an
// INIT chunk. Otherwise, the receiver MUST silently discard the packet";
// Section 6.10: an INIT MUST NOT be bundled. An INIT followed by a
// malformed chunk, a partial chunk or stray bytes was bundled all the
// same: a listening endpoint and a Mux without an endpoint for the port
// answer nothing.
func TestInitWithMalformedTail(t *testing.T) {
	local := netip.MustParseAddr("10.0.0.2")
	good := build(5000, 7, 0, initChunk(0xabcd))
	for name, tail := range map[string][]byte{
		"zero-length chunk": {4, 0, 0, 0},
		"partial chunk":     {4, 0, 0, 40, 1, 2, 3, 4},
		"stray bytes":       {0, 0},
	} {
		t.Run(name, func(t *testing.T) {
			b := append(append([]byte(nil), good...), tail...)
			packet.SetChecksum(b)
			ep, err := endpoint.New(endpointtest.Config(1, 7), 0)
			require.NoError(t, err)
			ep.Listen(true)
			err = ep.HandleDatagram(&association.Datagram{From: stranger, To: local, Data: b})
			var de *endpoint.DropError
			require.True(t, errors.As(err, &de), "%v", err)
			require.Equal(t, endpoint.DropBadInit, de.Reason)
			require.Empty(t, outputs(0, ep))
			require.Equal(t, 0, ep.Len())

			m := endpoint.NewMux()
			require.Error(t, m.HandleDatagram(&association.Datagram{From: stranger, To: local, Data: b}))
			require.Empty(t, outputs(0, m))
		})
	}
}
