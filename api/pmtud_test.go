package api

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/stretchr/testify/require"
)

// waitPmtud polls the primary path of assoc id on s until its MTU
// discovery completed, within the test's bounds, and returns it.
func waitPmtud(t *testing.T, s *Socket, id AssocID) PaddrInfo {
	t.Helper()
	ctx := testCtx(t)
	for {
		st, err := s.Status(id)
		require.NoError(t, err)
		if st.Primary.Pmtud == association.PLPMTUDSearchComplete {
			return st.Primary
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no path MTU within the test's bounds: %+v", st.Primary)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// sctp_peer_addr_params pmtud_enable on the socket (the template) starts
// path MTU discovery on every association: over loopback it finds the
// loopback interface's MTU less the IPv4 and UDP headers (at most what an
// IPv4 packet holds), sets the DF bit on the UDP sockets, and
// sctp_peer_addr_params reports pmtud_enable and the MTU found.
func TestPmtudEnableTemplate(t *testing.T) {
	on := SCTPPeerAddrParams(PaddrParams{Flags: PMTUDEnable})
	srv := server(t, on)
	cli := clientOf(t, srv, on)
	id := connect(t, cli, srv).AssocID
	pi := waitPmtud(t, cli, id)
	want := min(interfaceMTU(lo)-udpencap.IPv4HeaderLen-udpencap.UDPHeaderLen, 65535-28) &^ 3
	require.Equal(t, uint32(want), pi.Mtu)
	require.Equal(t, "search_complete", pi.Pmtud.String())
	pp := get[PaddrParams](t, cli, OptionQuery{Name: "sctp_peer_addr_params", AssocID: id, Addr: pi.Address})
	require.Equal(t, PMTUDEnable, pp.Flags&(PMTUDEnable|PMTUDDisable))
	require.Equal(t, pi.Mtu, pp.PathMtu)
	require.True(t, cli.stk.Transport().(ipOptioner).IPOptions().DontFragment)

	// A message as large as the path MTU found goes in one packet.
	msg := make([]byte, want-28)
	require.NoError(t, cli.Send(id, 0, msg))
	d := recvData(t, srv)
	require.Len(t, d.Data, len(msg))
}

// pmtud_enable with pathmtu on one live path caps the search there;
// pmtud_disable keeps a fixed MTU.
func TestPmtudEnableLivePath(t *testing.T) {
	srv := server(t)
	cli := clientOf(t, srv)
	id := connect(t, cli, srv).AssocID
	st, err := cli.Status(id)
	require.NoError(t, err)
	peer := st.Primary.Address
	require.Equal(t, "disabled", st.Primary.Pmtud.String())
	require.NoError(t, cli.SetOpts(SCTPPeerAddrParams(PaddrParams{AssocID: id, Address: peer,
		PathMtu: 3000, Flags: PMTUDEnable})))
	require.Equal(t, uint32(3000), waitPmtud(t, cli, id).Mtu)
	require.NoError(t, cli.SetOpts(SCTPPeerAddrParams(PaddrParams{AssocID: id, Address: peer,
		PathMtu: 2000, Flags: PMTUDDisable})))
	st, err = cli.Status(id)
	require.NoError(t, err)
	require.Equal(t, uint32(2000), st.Primary.Mtu)
	require.Equal(t, "disabled", st.Primary.Pmtud.String())
}
