package api

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// setLoopbackMTU sets the MTU of lo in the network namespace at path.
func setLoopbackMTU(path string, mtu int) error {
	_, err := inNetns(path, func() (struct{}, error) {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return struct{}{}, err
		}
		defer unix.Close(fd)
		ifr, err := unix.NewIfreq("lo")
		if err != nil {
			return struct{}{}, err
		}
		ifr.SetUint32(uint32(mtu))
		return struct{}{}, unix.IoctlIfreq(fd, unix.SIOCSIFMTU, ifr)
	})
	return err
}

// Path MTU discovery on real sockets: in a network namespace whose
// loopback MTU the test sets, pmtud_enable finds that MTU less the IPv4
// and UDP headers (MAX_PLPMTU from the namespace's interface, probes
// with the DF bit set), while messages of every size up to twice the MTU
// keep flowing: none is lost. Skipped without root locally; fails in CI.
func TestPmtudNetnsLoopback(t *testing.T) {
	if os.Geteuid() != 0 && os.Getenv("CI") == "true" {
		t.Fatal("path MTU discovery over a namespace's loopback needs root")
	}
	for _, mtu := range []int{1280, 4000, 9000} {
		t.Run(fmt.Sprint(mtu), func(t *testing.T) {
			path := newNetns(t)
			require.NoError(t, setLoopbackMTU(path, mtu))
			on := SCTPPeerAddrParams(PaddrParams{Flags: PMTUDEnable})
			srv, err := Open(Netns(path), IP(lo), LocalUDPPort(0), on)
			require.NoError(t, err)
			t.Cleanup(func() { srv.Close() })
			require.NoError(t, srv.Listen(true))
			cli, err := Open(Netns(path), IP(lo), LocalUDPPort(0), RemoteUDPPort(srv.UDPPort()), on)
			require.NoError(t, err)
			t.Cleanup(func() { cli.Close() })
			start := time.Now()
			id := connect(t, cli, srv).AssocID

			// Messages sent during the search arrive whole and in order.
			const n = 40
			sizes := make([]int, n)
			for i := range sizes {
				sizes[i] = 1 + i*2*mtu/n
				msg := bytes.Repeat([]byte{byte(i)}, sizes[i])
				require.NoError(t, cli.Send(id, 0, msg))
			}
			for i := range sizes {
				d := recvData(t, srv)
				require.Equal(t, bytes.Repeat([]byte{byte(i)}, sizes[i]), d.Data, "message %d", i)
			}
			pi := waitPmtud(t, cli, id)
			took := time.Since(start)
			require.Equal(t, uint32(mtu-28), pi.Mtu, "the loopback MTU less the IPv4 and UDP headers")
			st, err := cli.AssocStats(id)
			require.NoError(t, err)
			require.Equal(t, uint64(2), st.PMTUProbesSent, "BASE_PLPMTU, then MAX_PLPMTU from the namespace's lo")
			t.Logf("lo MTU %d: PLPMTU %d (%s) %v after connecting; %d probes, %d acknowledged",
				mtu, pi.Mtu, pi.Pmtud, took.Round(time.Millisecond), st.PMTUProbesSent, st.PMTUProbesAcked)
		})
	}
}
