package endpoint_test

import (
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
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
	_ = st.s.HandleDatagram(st.w.Now, newAddr, addrS.Addr(), build(5000, 7, 0, init))
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
	_ = st.s.HandleDatagram(st.w.Now, newAddr, addrS.Addr(), build(5000, 7, 0, init))
	outs = outputs(st.w.Now, st.s)
	require.Len(t, outs, 1)
	_, first = parsed(t, outs[0].Data)
	require.Equal(t, chunk.TypeInitAck, first.Type)
}
