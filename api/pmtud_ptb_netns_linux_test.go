package api

import (
	"bytes"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/stretchr/testify/require"
)

// inNs runs the command line cmd (ip, sysctl) in the network namespace
// at path.
func inNs(t *testing.T, path, cmd string) {
	t.Helper()
	out, err := exec.Command("nsenter", append([]string{"--net=" + path}, strings.Fields(cmd)...)...).CombinedOutput()
	require.NoError(t, err, "%s: %s", cmd, out)
}

// routedNetns makes three namespaces, a client's, a router's and a
// server's, linked by veth pairs: 10.77.1.1 (MTU 1500) to the router,
// and the router to 10.77.2.2 over a link of MTU linkMTU. It returns the
// client's and the server's.
func routedNetns(t *testing.T, linkMTU int) (cli, srv string) {
	t.Helper()
	for _, tool := range []string{"nsenter", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s: %v", tool, err)
		}
	}
	cli, rtr, srv := newNetns(t), newNetns(t), newNetns(t)
	inNs(t, cli, "ip link add a0 type veth peer name r0 netns "+rtr)
	inNs(t, rtr, "ip link add r1 type veth peer name b0 netns "+srv)
	inNs(t, cli, "ip addr add 10.77.1.1/24 dev a0")
	inNs(t, cli, "ip link set a0 up")
	inNs(t, cli, "ip route add 10.77.2.0/24 via 10.77.1.2")
	inNs(t, rtr, "ip addr add 10.77.1.2/24 dev r0")
	inNs(t, rtr, "ip addr add 10.77.2.1/24 dev r1")
	inNs(t, rtr, "ip link set r0 up")
	inNs(t, rtr, "ip link set r1 mtu "+itoa(linkMTU)+" up")
	inNs(t, rtr, "sysctl -qw net.ipv4.ip_forward=1")
	inNs(t, srv, "ip addr add 10.77.2.2/24 dev b0")
	inNs(t, srv, "ip link set b0 mtu "+itoa(linkMTU)+" up")
	inNs(t, srv, "ip route add 10.77.1.0/24 via 10.77.2.1")
	return cli, srv
}

// Path MTU discovery with a real Packet Too Big: the client's interface
// carries 1500 bytes, a router on the way 1280; the router answers the
// probe of 1472 bytes (the interface's size less the headers) with an
// ICMP Fragmentation Needed, which the client's UDP socket reads from
// its error queue (IP_RECVERR), the association validates (the quoted
// ports, tag and probe nonce) and probes the size it reports next: the
// PLPMTU is 1252 at once, not after MAX_PROBES PROBE_TIMERs of 15 s. No
// message is lost. Skipped without root locally; fails in CI.
func TestPmtudNetnsPTB(t *testing.T) {
	if os.Geteuid() != 0 && os.Getenv("CI") == "true" {
		t.Fatal("a routed network namespace needs root")
	}
	cliNs, srvNs := routedNetns(t, 1280)
	srvAddr, cliAddr := netip.MustParseAddr("10.77.2.2"), netip.MustParseAddr("10.77.1.1")
	on := SCTPPeerAddrParams(PaddrParams{Flags: PMTUDEnable})
	srv, err := Open(Netns(srvNs), IP(srvAddr), LocalUDPPort(0))
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	require.NoError(t, srv.Listen(true))
	cli, err := Open(Netns(cliNs), IP(cliAddr), LocalUDPPort(0), RemoteUDPPort(srv.UDPPort()), on)
	require.NoError(t, err)
	t.Cleanup(func() { cli.Close() })
	start := time.Now()
	ac, err := cli.Connect(testCtx(t), srvAddr, srv.Port())
	require.NoError(t, err)
	id := ac.AssocID
	for i := range 10 {
		msg := bytes.Repeat([]byte{byte(i)}, 300*i+1)
		require.NoError(t, cli.Send(id, 0, msg))
		require.Equal(t, msg, recvData(t, srv).Data, "message %d", i)
	}
	var pi PaddrInfo
	for deadline := start.Add(40 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		st, err := cli.Status(id)
		require.NoError(t, err)
		if pi = st.Primary; pi.Pmtud == association.PLPMTUDSearchComplete || time.Now().After(deadline) {
			break
		}
	}
	took := time.Since(start)
	require.Equal(t, uint32(1280-28), pi.Mtu, "the router's link less the IPv4 and UDP headers")
	st, err := cli.AssocStats(id)
	require.NoError(t, err)
	require.Positive(t, st.PTBsReceived, "a Packet Too Big from the router")
	// Without the PTB the size of 1472 alone takes MAX_PROBES
	// PROBE_TIMERs of 15 s. The first PTB is sometimes missed (a report
	// the reader does not see before the probe's timer, under load): the
	// next probe's works, within one more PROBE_TIMER.
	require.Less(t, took, 40*time.Second, "not MAX_PROBES PROBE_TIMERs of 15 s")
	t.Logf("PLPMTU %d %v after connecting; %d probes, %d acknowledged, %d PTB", pi.Mtu, took.Round(time.Millisecond),
		st.PMTUProbesSent, st.PMTUProbesAcked, st.PTBsReceived)
}
