package endpoint_test

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/stretchr/testify/require"
)

// addrC2 is the address the client adds with ASCONF.
var addrC2 = netip.MustParseAddrPort("10.0.0.3:9899")

// asconfSetup is a setup with ASCONF on at both ends, each bound to its
// address; the client also receives on addrC2, which it can add.
func asconfSetup(t *testing.T, seed uint64) *setup {
	t.Helper()
	st := newSetup(t, seed, func(c, s *endpoint.Config) {
		c.Assoc.ASCONF, s.Assoc.ASCONF = true, true
		c.Assoc.LocalAddrs = []netip.Addr{addrC.Addr()}
		s.Assoc.LocalAddrs = []netip.Addr{addrS.Addr()}
	})
	st.w.Remove(addrC) // again, at both addresses
	st.w.AddMultihomed(st.c, addrC, addrC2)
	return st
}

// asconfDone runs until the client's address changes are acknowledged.
func (st *setup) asconfDone(t *testing.T, id endpoint.AssocID) {
	t.Helper()
	st.w.Touch()
	ok := st.w.RunUntil(time.Minute, func() bool {
		st.poll()
		a, ok := st.c.Assoc(id)
		return ok && a.ASCONFPending() == 0
	})
	require.True(t, ok, "ASCONF not acknowledged: drops %v", st.w.Drops)
}

// abortFrom hands the server an ABORT with the T bit (RFC 9260 Section
// 8.5.1 B: it carries the peer's tag, so the endpoint finds the
// association by the packet's source) from the client's address from,
// and returns the endpoint's verdict.
func (st *setup) abortFrom(from netip.AddrPort, sid endpoint.AssocID) error {
	a, _ := st.s.Assoc(sid)
	_, peer := a.Tags()
	data := build(5000, 7, peer, &chunk.Abort{Flags: chunk.FlagT})
	return st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: from, To: addrS.Addr(), Data: data})
}

// isOOTB reports whether err is the endpoint treating a packet as out of
// the blue.
func isOOTB(err error) bool {
	var de *endpoint.DropError
	return errors.As(err, &de) && de.Reason == endpoint.DropOutOfTheBlue
}

// The endpoint looks an association up by the peer addresses it has now:
// one the peer added with ASCONF finds it (RFC 9260 Section 5.2, RFC 5061
// Section 5.2 D1), one the peer deleted no longer does (RFC 5061 Section
// 5.3 F13: out of the blue), and closing the association releases the
// ones added.
func TestByPeerFollowsASCONF(t *testing.T) {
	st := asconfSetup(t, 51)
	id, sid := st.connect(t)
	ca, _ := st.c.Assoc(id)
	require.True(t, ca.ASCONF())

	require.NoError(t, ca.AddLocalAddr(st.w.Now, addrC2.Addr()))
	st.asconfDone(t, id)
	sa, _ := st.s.Assoc(sid)
	require.Len(t, sa.Paths(), 2, "the server added the client's new address")
	require.Equal(t, 2, st.s.Tables().ByPeer)

	require.NoError(t, ca.DeleteLocalAddr(st.w.Now, addrC.Addr()))
	st.asconfDone(t, id)
	require.Len(t, sa.Paths(), 1, "the server deleted the client's old address")
	require.Equal(t, 1, st.s.Tables().ByPeer)

	err := st.abortFrom(addrC, sid)
	require.True(t, isOOTB(err), "a packet from the deleted address is out of the blue: %v", err)
	require.Equal(t, association.StateEstablished, sa.State())

	err = st.abortFrom(addrC2, sid)
	require.False(t, isOOTB(err), "a packet from the added address finds the association: %v", err)
	require.Equal(t, association.StateClosed, sa.State(), "the ABORT reached the association")
	st.poll()
	require.Zero(t, st.s.Tables().ByPeer, "closing released the added address")
}

// A local address removed with SetLocalAddrs keeps taking packets while
// an association has it (RFC 5061 Section 5.3 F4: until the peer
// acknowledges its deletion), so that another endpoint of the port
// cannot take it; once the peer acknowledged, or the association closed,
// it is released, and the other endpoint can.
func TestRetiredAddrReleased(t *testing.T) {
	st := asconfSetup(t, 52)
	m := endpoint.NewMux()
	require.NoError(t, m.Add(st.c))
	ocfg := endpointtest.Config(53, 5000)
	ocfg.Assoc.LocalAddrs = []netip.Addr{netip.MustParseAddr("10.0.0.9")}
	other, err := endpoint.New(ocfg, st.w.Now)
	require.NoError(t, err)
	require.NoError(t, m.Add(other))
	st.w.Remove(addrC)
	st.w.AddMultihomed(m, addrC, addrC2)
	id, _ := st.connect(t)
	ca, _ := st.c.Assoc(id)

	require.NoError(t, st.c.SetLocalAddrs([]netip.Addr{addrC.Addr(), addrC2.Addr()}))
	require.NoError(t, ca.AddLocalAddr(st.w.Now, addrC2.Addr()))
	st.asconfDone(t, id)
	require.NoError(t, st.c.SetLocalAddrs([]netip.Addr{addrC2.Addr()}))
	take := []netip.Addr{ocfg.Assoc.LocalAddrs[0], addrC.Addr()}
	require.ErrorIs(t, other.SetLocalAddrs(take), endpoint.ErrPortInUse, "the association still has it")

	require.NoError(t, ca.DeleteLocalAddr(st.w.Now, addrC.Addr()))
	st.asconfDone(t, id)
	require.Equal(t, []netip.Addr{addrC2.Addr()}, ca.LocalAddrs())
	require.NoError(t, other.SetLocalAddrs(take), "released once the peer acknowledged its deletion")

	// Closing the association releases what it had.
	require.NoError(t, st.c.SetLocalAddrs([]netip.Addr{netip.MustParseAddr("10.0.0.7")}))
	take = append(take, addrC2.Addr())
	require.ErrorIs(t, other.SetLocalAddrs(take), endpoint.ErrPortInUse)
	ca.Abort(st.w.Now, nil)
	st.w.Run(100 * time.Millisecond)
	require.Equal(t, association.StateClosed, ca.State())
	require.NoError(t, other.SetLocalAddrs(take), "released when the association closed")
}

// A packet of the peer that arrives on a local address the association
// deleted (sent before the peer processed the ASCONF, or delayed), where
// no endpoint of the port binds it any more, is discarded silently: it
// is not out of the blue (RFC 9260 Section 8.4: the receiver identifies
// its association), and the ABORT with the T bit that rule 8 would send
// back would end the association at the peer. A packet whose tag is no
// association's, on that address, is still out of the blue.
func TestDeletedAddrLatePacket(t *testing.T) {
	st, m, ca, sid := deletedAddrSetup(t, 54)
	checkLatePacket(t, st, m, ca, sid)
}

// deletedAddrSetup connects the client, multihomed on addrC and addrC2
// through the Mux it returns, adds addrC2 and deletes addrC with ASCONF
// (RFC 5061), and returns the client's association and the server's ID.
func deletedAddrSetup(t *testing.T, seed uint64) (*setup, *endpoint.Mux, *association.Association, endpoint.AssocID) {
	t.Helper()
	st := asconfSetup(t, seed)
	m := endpoint.NewMux()
	require.NoError(t, m.Add(st.c))
	st.w.Remove(addrC)
	st.w.AddMultihomed(m, addrC, addrC2)
	id, sid := st.connect(t)
	ca, _ := st.c.Assoc(id)
	require.NoError(t, st.c.SetLocalAddrs([]netip.Addr{addrC.Addr(), addrC2.Addr()}))
	require.NoError(t, ca.AddLocalAddr(st.w.Now, addrC2.Addr()))
	st.asconfDone(t, id)
	require.NoError(t, st.c.SetLocalAddrs([]netip.Addr{addrC2.Addr()}))
	require.NoError(t, ca.DeleteLocalAddr(st.w.Now, addrC.Addr()))
	st.asconfDone(t, id)
	require.Equal(t, []netip.Addr{addrC2.Addr()}, ca.LocalAddrs())
	_ = outputs(st.w.Now, m)
	return st, m, ca, sid
}

// checkLatePacket hands m a packet of the association ca from the server
// to the deleted addrC, which is discarded without a reply, and one of
// a tag no association has, which is out of the blue.
func checkLatePacket(t *testing.T, st *setup, m *endpoint.Mux, ca *association.Association, sid endpoint.AssocID) {
	t.Helper()
	local, _ := ca.Tags()
	sa, _ := st.s.Assoc(sid)
	_, toClient := sa.Tags()
	require.Equal(t, local, toClient)
	late := build(7, 5000, local, &chunk.Heartbeat{Info: []byte("late")})
	err := m.HandleDatagram(&association.Datagram{Now: st.w.Now, From: addrS, To: addrC.Addr(), Data: late})
	var de *endpoint.DropError
	require.ErrorAs(t, err, &de)
	require.Equal(t, endpoint.DropUnboundAddress, de.Reason)
	for _, o := range outputs(st.w.Now, m) {
		require.NotEqual(t, addrS, o.To, "no reply to the late packet: %x", o.Data)
	}
	require.Equal(t, association.StateEstablished, ca.State())

	stray := build(7, 5000, local+1, &chunk.Heartbeat{Info: []byte("stray")})
	require.True(t, isOOTB(m.HandleDatagram(&association.Datagram{Now: st.w.Now, From: addrS, To: addrC.Addr(), Data: stray})))
}

// The same late packet to the deleted address, where another endpoint of
// the port now binds that address: it is not that endpoint's, which does
// not know its tag and would answer it as out of the blue (an ABORT with
// the T bit, ending the association at the peer); it is discarded
// silently too. A packet whose tag no endpoint of the port has is still
// the other endpoint's to answer.
func TestDeletedAddrLatePacketOtherEndpoint(t *testing.T) {
	st, m, ca, sid := deletedAddrSetup(t, 55)
	cfg := endpointtest.Config(56, 5000)
	cfg.Assoc.LocalAddrs = []netip.Addr{addrC.Addr()}
	other, err := endpoint.New(cfg, st.w.Now)
	require.NoError(t, err)
	require.NoError(t, m.Add(other))
	checkLatePacket(t, st, m, ca, sid)
}

// Only a tag the receiver chose names its association: the other
// endpoint's own peer, whose Initiate Tag happens to equal the local tag
// of the association that deleted the address (a 1 in 2^32 chance, or a
// peer's choice), sets up its association with that endpoint, and its
// ABORT with the T bit, which carries that tag, reaches it: it is not
// discarded as the other association's late packet. (A COOKIE ECHO is
// not looked up either: the tag it carries, chosen in the INIT ACK, is
// not in the endpoint's table yet, and may be another's.)
func TestDeletedAddrOtherEndpointPeerTag(t *testing.T) {
	st, m, ca, _ := deletedAddrSetup(t, 57)
	cfg := endpointtest.Config(58, 5000)
	cfg.Assoc.LocalAddrs = []netip.Addr{addrC.Addr()}
	other, err := endpoint.New(cfg, st.w.Now)
	require.NoError(t, err)
	other.Listen(true)
	require.NoError(t, m.Add(other))
	local, _ := ca.Tags()
	q := netip.AddrPortFrom(netip.MustParseAddr("10.9.0.1"), addrS.Port())
	hand := func(b []byte) []association.Outgoing {
		t.Helper()
		_ = m.HandleDatagram(&association.Datagram{Now: st.w.Now, From: q, To: addrC.Addr(), Data: b})
		var to []association.Outgoing
		for _, o := range outputs(st.w.Now, m) {
			if o.To == q {
				to = append(to, o)
			}
		}
		return to
	}
	init := &chunk.Init{InitiateTag: local, ARwnd: 1 << 20, OutboundStreams: 10, InboundStreams: 10, InitialTSN: 1}
	out := hand(build(7, 5000, 0, init))
	require.Len(t, out, 1)
	_, first := parsed(t, out[0].Data)
	require.Equal(t, chunk.TypeInitAck, first.Type)
	v := first.Value()
	itag := chunk.VerificationTag(binary.BigEndian.Uint32(v))
	out = hand(build(7, 5000, itag, &chunk.CookieEcho{Cookie: append([]byte(nil), stateCookie(v[16:])...)}))
	require.Len(t, out, 1, "the COOKIE ECHO reached the other endpoint")
	_, first = parsed(t, out[0].Data)
	require.Equal(t, chunk.TypeCookieAck, first.Type)
	var ids []endpoint.AssocID
	for _, d := range endpointtest.Drain(other) {
		if ch, ok := d.Event.(*association.AssocChange); ok && ch.State == association.CommUp {
			ids = append(ids, d.ID)
		}
	}
	require.Len(t, ids, 1)
	abort := &chunk.Abort{Flags: chunk.FlagT}
	_ = hand(build(7, 5000, local, abort))
	gone := false
	for _, d := range endpointtest.Drain(other) {
		if ch, ok := d.Event.(*association.AssocChange); ok && ch.State == association.CommLost {
			gone = true
		}
	}
	require.True(t, gone, "the ABORT with the T bit reached the other endpoint's association")
	require.Equal(t, association.StateEstablished, ca.State())
}
