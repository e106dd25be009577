package endpoint_test

import (
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// initAckOf returns the INIT ACK chunk of a packet the endpoint sent.
func initAckOf(t *testing.T, b []byte) *chunk.InitAck {
	t.Helper()
	_, first := parsed(t, b)
	require.Equal(t, chunk.TypeInitAck, first.Type)
	var ack chunk.InitAck
	_, err := ack.Parse(first.Bytes)
	require.NoError(t, err)
	return &ack
}

// An INIT carries no verification tag (RFC 9260 Section 8.5.1 A), so its
// UDP source port proves nothing: another host behind the peer's IP
// address (a NAT, a shared machine) can send one for the peer's SCTP port.
// The INIT ACK for the existing association, with its Tie-Tags, goes to
// the UDP port learned from packets that passed the tag check (RFC 6951
// Section 5.4), not to the INIT's port, so that host cannot restart the
// association (Section 5.2.4 action A) and take its traffic.
func TestInitFromSharedIPOtherPort(t *testing.T) {
	st := newSetup(t, 3, nil)
	_, sid := st.connect(t)
	a, _ := st.s.Assoc(sid)
	lt0, pt0 := a.Tags()
	other := netip.AddrPortFrom(addrC.Addr(), 40000)
	init := initChunk(0x51515151)
	_ = outputs(st.w.Now, st.s)
	_ = st.s.HandleDatagram(st.w.Now, other, addrS.Addr(), build(5000, 7, 0, init))
	outs := outputs(st.w.Now, st.s)
	require.Len(t, outs, 1)
	require.Equal(t, addrC, outs[0].To, "to the verified port, not to %v", other)
	initAckOf(t, outs[0].Data)
	lt, pt := a.Tags()
	require.Equal(t, lt0, lt)
	require.Equal(t, pt0, pt)
	require.Equal(t, addrC, a.Paths()[0].Addr)
}

// RFC 9260 Section 5.4 rule 2: "A transport address is confirmed ... by
// the receipt of a COOKIE ECHO chunk ... the address to which the INIT ACK
// was sent". The State Cookie records it: a COOKIE ECHO forged from a
// victim's address (the cookie taken from an INIT ACK the attacker asked
// for) creates an association whose confirmed primary path is the
// attacker's own address. The victim's address is only unconfirmed, so it
// gets no COOKIE ACK and no DATA, only the heartbeats that would confirm
// it: the server is no reflector.
func TestCookieEchoFromAnotherAddress(t *testing.T) {
	st := newSetup(t, 1, nil)
	attacker := netip.MustParseAddrPort("192.0.2.66:9899")
	victim := netip.MustParseAddrPort("198.51.100.7:53")
	init := initChunk(0x11223344)
	_ = st.s.HandleDatagram(st.w.Now, attacker, addrS.Addr(), build(5000, 7, 0, init))
	outs := outputs(st.w.Now, st.s)
	require.Len(t, outs, 1)
	require.Equal(t, attacker, outs[0].To)
	ack := initAckOf(t, outs[0].Data)
	d := &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: 1, UserData: []byte("GET /big")}
	_ = st.s.HandleDatagram(st.w.Now, victim, addrS.Addr(),
		build(5000, 7, ack.InitiateTag, &chunk.CookieEcho{Cookie: ack.StateCookie().Cookie}, d))
	ids := st.s.Associations()
	require.Len(t, ids, 1)
	a, _ := st.s.Assoc(ids[0])
	require.Equal(t, association.StateEstablished, a.State())
	require.Equal(t, attacker, a.Status().Primary.Addr, "the confirmed path is where the INIT ACK went")
	var victimPath *association.PathInfo
	for _, p := range a.Paths() {
		if p.Addr == victim {
			p := p
			victimPath = &p
		}
	}
	require.NotNil(t, victimPath)
	require.Equal(t, association.PathUnconfirmed, victimPath.State)
	require.NoError(t, a.Send(st.w.Now, association.SendInfo{}, make([]byte, 20000)))
	for _, o := range outputs(st.w.Now, st.s) {
		if o.To != victim {
			continue
		}
		_, first := parsed(t, o.Data)
		require.Equal(t, chunk.TypeHeartbeat, first.Type, "only a confirmation heartbeat goes to the victim")
	}
}
