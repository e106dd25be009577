package endpoint_test

import (
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/stretchr/testify/require"
)

// RFC 9260 Section 5.2.2: "Before responding, the endpoint MUST check to
// see if the unexpected INIT chunk adds new addresses to the association.
// If new addresses are added to the association, the endpoint MUST respond
// with an ABORT chunk, copying the 'Initiate Tag' of the unexpected INIT
// chunk into the 'Verification Tag' of the outbound packet carrying the
// ABORT chunk. In the ABORT chunk, the error cause MAY be set to "Restart
// of an Association with New Addresses"." A peer restarting from a new
// source address, listing its old address too, reaches the existing
// association (the endpoint looks the association up by the addresses the
// INIT lists, not only by its source), which refuses the restart and stays
// up; an INIT that lists no known address is a new association's.
func TestInitFromNewAddressListingAKnownOne(t *testing.T) {
	st := newSetup(t, 61, nil)
	_, sid := st.connect(t)
	a, ok := st.s.Assoc(sid)
	require.True(t, ok)
	localTag, _ := a.Tags()
	newAddr := netip.MustParseAddrPort("10.0.0.9:9899")
	init := initChunk(0x5eed)
	init.Params = []chunk.Param{
		&chunk.IPv4Address{Addr: addrC.Addr().As4()},
		&chunk.IPv4Address{Addr: newAddr.Addr().As4()},
	}
	_ = outputs(st.w.Now, st.s)
	_ = st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: newAddr, To: addrS.Addr(), Data: build(5000, 7, 0, init)})
	outs := outputs(st.w.Now, st.s)
	require.Len(t, outs, 1)
	require.Equal(t, newAddr, outs[0].To, "the ABORT goes to the INIT's source")
	p, first := parsed(t, outs[0].Data)
	require.Equal(t, chunk.TypeAbort, first.Type)
	require.Equal(t, chunk.VerificationTag(0x5eed), p.VerificationTag, "the Initiate Tag of the INIT")
	c, _, err := chunk.Parse(first.Bytes)
	require.NoError(t, err)
	causes := c.(*chunk.Abort).Causes
	require.Len(t, causes, 1)
	require.Equal(t, chunk.CauseRestartWithNewAddresses, causes[0].CauseCode())
	require.Equal(t, association.StateEstablished, a.State(), "the existing association stays up")
	tag, _ := a.Tags()
	require.Equal(t, localTag, tag)

	// The same INIT without the known address is someone else's: the
	// listening endpoint answers with an INIT ACK.
	init.Params = []chunk.Param{&chunk.IPv4Address{Addr: newAddr.Addr().As4()}}
	_ = st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: newAddr, To: addrS.Addr(), Data: build(5000, 7, 0, init)})
	outs = outputs(st.w.Now, st.s)
	require.Len(t, outs, 1)
	_, first = parsed(t, outs[0].Data)
	require.Equal(t, chunk.TypeInitAck, first.Type)
}

// The lookup by listed addresses must not let anyone who knows (or
// guesses) a peer address and port take an association over. RFC 9260
// Section 5.2.1 rule 1: in COOKIE-WAIT, "The packet containing the INIT
// ACK chunk MUST only be sent to an address passed by the upper layer in
// the request to initialize the association": an off-path INIT listing
// the server's address gets no INIT ACK (which would carry the client's
// Initiate Tag and a cookie to echo), and the client's handshake goes on.
func TestInitListingAPeerFromElsewhereInCookieWait(t *testing.T) {
	server := netip.MustParseAddrPort("10.0.0.2:9899")
	attacker := netip.MustParseAddrPort("10.66.0.1:9899")
	ep, err := endpoint.New(endpointtest.Config(1, 5000), 0)
	require.NoError(t, err)
	id, err := ep.Connect(0, []netip.AddrPort{server}, 7, nil)
	require.NoError(t, err)
	require.Len(t, outputs(0, ep), 1, "the INIT, lost")
	a, _ := ep.Assoc(id)
	tag, _ := a.Tags()

	init := initChunk(0xa77ac)
	init.Params = []chunk.Param{&chunk.IPv4Address{Addr: server.Addr().As4()}}
	_ = ep.HandleDatagram(&association.Datagram{From: attacker, Data: build(7, 5000, 0, init)})
	require.Empty(t, outputs(0, ep), "no INIT ACK to an address the user did not give")
	require.Equal(t, association.StateCookieWait, a.State())
	// A COOKIE ECHO with the client's tag (had it been learned) is refused
	// too: there is no cookie of ours to echo.
	_ = ep.HandleDatagram(&association.Datagram{From: attacker, Data: build(7, 5000, tag, &chunk.CookieEcho{Cookie: make([]byte, 64)})})
	require.Equal(t, association.StateCookieWait, a.State())
	lt, pt := a.Tags()
	require.Equal(t, tag, lt)
	require.Zero(t, pt)
}

// RFC 9260 Sections 5.1.2 and 5.2.2: the source of an INIT is one of the
// sender's addresses, so an INIT from an address the association does not
// know adds a new address, whatever its scope. An INIT from a link-local
// address (out of scope for an association bound to 10.0.0.2) listing the
// client's address is refused with the ABORT, not answered with an INIT
// ACK whose Tie-Tags a blind COOKIE ECHO, spoofed from the client's
// address, could use to restart the association.
func TestInitFromOutOfScopeAddressListingAPeer(t *testing.T) {
	st := newSetup(t, 77, func(c, s *endpoint.Config) {
		s.Assoc.LocalAddrs = []netip.Addr{addrS.Addr()}
	})
	_, sid := st.connect(t)
	a, _ := st.s.Assoc(sid)
	lt0, pt0 := a.Tags()
	for _, attacker := range []netip.AddrPort{
		netip.MustParseAddrPort("169.254.6.6:9899"),
		netip.MustParseAddrPort("[2001:db8::66]:9899"),
	} {
		init := initChunk(0xa77ac)
		init.Params = []chunk.Param{&chunk.IPv4Address{Addr: addrC.Addr().As4()}}
		_ = outputs(st.w.Now, st.s)
		_ = st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: attacker, To: addrS.Addr(), Data: build(5000, 7, 0, init)})
		out := outputs(st.w.Now, st.s)
		require.Len(t, out, 1, "%v", attacker)
		require.Equal(t, attacker, out[0].To)
		p, first := parsed(t, out[0].Data)
		require.Equal(t, chunk.TypeAbort, first.Type, "%v: no INIT ACK", attacker)
		require.Equal(t, chunk.VerificationTag(0xa77ac), p.VerificationTag)
		lt, pt := a.Tags()
		require.Equal(t, lt0, lt)
		require.Equal(t, pt0, pt)
		require.Equal(t, association.StateEstablished, a.State())
	}
}

// RFC 9260 Section 3.3.2: "If the value of the Initiate Tag in a received
// INIT chunk is found to be 0, the receiver MUST silently discard the
// packet." That holds for an INIT that reaches an existing association
// from a new UDP port (refused with an ABORT carrying the INIT's tag,
// draft-tuexen-tsvwg-sctp-udp-encaps-cons) or listing a new address (an
// ABORT listing it, Section 5.2.2): with tag 0 there is nobody to tell.
func TestInitZeroInitiateTagToExistingAssociation(t *testing.T) {
	for _, mode := range []string{"new-port", "new-address"} {
		t.Run(mode, func(t *testing.T) {
			st := newSetup(t, 3, nil)
			st.connect(t)
			_ = outputs(st.w.Now, st.s)
			init := initChunk(0)
			from := netip.AddrPortFrom(addrC.Addr(), 40000)
			if mode == "new-address" {
				from = addrC
				init.Params = append(init.Params, chunk.AddressParam(netip.MustParseAddr("10.0.0.99")))
			}
			require.Error(t, st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: from, To: addrS.Addr(), Data: build(5000, 7, 0, init)}))
			require.Empty(t, outputs(st.w.Now, st.s))
		})
	}
}
