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

// requireNewPortAbort checks that outs is one ABORT to to refusing an
// INIT with Initiate Tag tag that came from another UDP port than cur.
func requireNewPortAbort(t *testing.T, outs []association.Outgoing, to netip.AddrPort, tag chunk.VerificationTag, cur uint16) {
	t.Helper()
	require.Len(t, outs, 1)
	require.Equal(t, to, outs[0].To, "to the INIT's UDP source port")
	p, first := parsed(t, outs[0].Data)
	require.Equal(t, chunk.TypeAbort, first.Type)
	require.Equal(t, tag, p.VerificationTag, "the Initiate Tag of the INIT")
	c, _, err := chunk.Parse(first.Bytes)
	require.NoError(t, err)
	ab := c.(*chunk.Abort)
	require.False(t, ab.Flags.Reflected(), "T bit clear: the tag is the INIT sender's own")
	require.Equal(t, []chunk.Cause{&chunk.RestartWithNewEncapsulationPortCause{Current: cur, New: to.Port()}}, ab.Causes)
}

// An INIT carries no verification tag (RFC 9260 Section 8.5.1 A), so its
// UDP source port proves nothing: another host behind the peer's IP
// address (a NAT, a shared machine) can send one for the peer's SCTP port.
// draft-tuexen-tsvwg-sctp-udp-encaps-cons Section 4: "The remote UDP
// encapsulation port for the source address of the received SCTP packet
// MUST NOT be updated ... If ... the UDP source port of the received SCTP
// packet is not equal to the remote UDP encapsulation port for the source
// address of the received SCTP packet, an SCTP packet containing an ABORT
// chunk MUST be sent. ... The UDP source port and UDP destination port
// used for sending the packet containing the ABORT chunk are the UDP
// destination port and UDP source port of the received packet containing
// the INIT chunk." So that host gets an ABORT to its own port, no INIT ACK
// with the Tie-Tags (with which it could restart the association, RFC 9260
// Section 5.2.4 action A, and take its traffic), and the association, its
// tags and its port do not change. It holds in every state: ESTABLISHED
// (Section 5.2.2), COOKIE-WAIT and COOKIE-ECHOED (Section 5.2.1).
func TestInitFromSharedIPOtherPort(t *testing.T) {
	for _, state := range []association.State{association.StateEstablished, association.StateCookieWait,
		association.StateCookieEchoed} {
		t.Run(state.String(), func(t *testing.T) {
			st := newSetup(t, 3, nil)
			// The endpoint that gets the INIT, its address, its
			// association's peer and the SCTP ports of the INIT.
			ep, local, peer, src, dst := st.s, addrS, addrC, uint16(5000), uint16(7)
			var a *association.Association
			if state == association.StateEstablished {
				_, sid := st.connect(t)
				a, _ = st.s.Assoc(sid)
			} else {
				// The client waits for an INIT ACK (COOKIE-WAIT) or for a
				// COOKIE ACK (COOKIE-ECHOED) that the network loses.
				ep, local, peer, src, dst = st.c, addrC, addrS, 7, 5000
				id, err := st.c.Connect(st.w.Now, []netip.AddrPort{addrS}, 7, nil)
				require.NoError(t, err)
				a, _ = st.c.Assoc(id)
				outs := outputs(st.w.Now, st.c)
				require.Len(t, outs, 1)
				if state == association.StateCookieEchoed {
					require.NoError(t, st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: addrC, To: addrS.Addr(), Data: outs[0].Data}))
					outs = outputs(st.w.Now, st.s)
					require.Len(t, outs, 1)
					_ = st.c.HandleDatagram(&association.Datagram{Now: st.w.Now, From: addrS, To: addrC.Addr(), Data: outs[0].Data})
					_ = outputs(st.w.Now, st.c) // the COOKIE ECHO, lost
				}
			}
			require.Equal(t, state, a.State())
			lt0, pt0 := a.Tags()
			other := netip.AddrPortFrom(peer.Addr(), 40000)
			_ = ep.HandleDatagram(&association.Datagram{Now: st.w.Now, From: other, To: local.Addr(), Data: build(src, dst, 0, initChunk(0x51515151))})
			requireNewPortAbort(t, outputs(st.w.Now, ep), other, 0x51515151, peer.Port())
			lt, pt := a.Tags()
			require.Equal(t, lt0, lt)
			require.Equal(t, pt0, pt)
			require.Equal(t, state, a.State())
			require.Equal(t, peer, a.Paths()[0].Addr, "the remote UDP port does not change")
		})
	}
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
	_ = st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: attacker, To: addrS.Addr(), Data: build(5000, 7, 0, init)})
	outs := outputs(st.w.Now, st.s)
	require.Len(t, outs, 1)
	require.Equal(t, attacker, outs[0].To)
	ack := initAckOf(t, outs[0].Data)
	d := &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: 1, UserData: []byte("GET /big")}
	_ = st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: victim, To: addrS.Addr(), Data: build(5000, 7, ack.InitiateTag, &chunk.CookieEcho{Cookie: ack.StateCookie().Cookie}, d)})

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
