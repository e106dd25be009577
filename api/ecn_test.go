package api

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// ECN is on by default where the UDP sockets can set and read the ECN
// field (Linux): over loopback the messages arrive in datagrams marked
// ECT(0), which the receiver reads back with the TOS byte (recvtos). With
// the sender's sctp_ecn_supported off, nothing is negotiated and the
// datagrams are Not-ECT.
func TestECNOverLoopback(t *testing.T) {
	noLeak(t)
	for _, tc := range []struct {
		name string
		on   bool
		want uint8
	}{{"on", true, 2}, {"off", false, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := server(t, RecvTOS(true))
			cli := clientOf(t, srv, SCTPEcnSupported(tc.on))
			on, err := GetOpt[bool](cli, OptionQuery{Name: "sctp_ecn_supported"})
			require.NoError(t, err)
			require.Equal(t, tc.on, on)
			ac := connect(t, cli, srv)
			d := sendRecv(t, cli, srv, ac.AssocID, []byte("ecn"))
			if runtime.GOOS != "linux" {
				require.False(t, d.HasTOS)
				return
			}
			require.True(t, d.HasTOS)
			require.Equal(t, tc.want, d.TOS&3, "the ECN field of the datagram")
		})
	}
}
