package udpencap

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pion/logging"
	"github.com/pion/transport/v3/vnet"
	"github.com/stretchr/testify/require"
)

// TestVNet runs two Conns on two hosts of a pion vnet virtual network
// (in-process: nothing reaches a real interface; the addresses are
// RFC 5737 documentation addresses) through the portable transport.UDPConn
// path.
func TestVNet(t *testing.T) {
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelDisabled
	router, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "192.0.2.0/24", LoggerFactory: lf})
	require.NoError(t, err)
	hostA, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{"192.0.2.1"}})
	require.NoError(t, err)
	hostB, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{"192.0.2.2"}})
	require.NoError(t, err)
	require.NoError(t, router.AddNet(hostA))
	require.NoError(t, router.AddNet(hostB))
	require.NoError(t, router.Start())
	defer func() { _ = router.Stop() }()

	ipA, ipB := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	a := listen(t, Config{Net: hostA, LocalAddrs: []netip.Addr{ipA}, ReadBuffer: 1 << 20})
	b := listen(t, Config{Net: hostB, LocalAddrs: []netip.Addr{ipB}, Port: DefaultPort})
	aAddr, bAddr := a.LocalAddrs()[0], b.LocalAddrs()[0]
	require.Equal(t, ipA, aAddr.Addr())
	require.Equal(t, netip.AddrPortFrom(ipB, DefaultPort), bAddr)

	const n = 20
	out := make([]OutMessage, n)
	for i := range out {
		out[i] = OutMessage{Data: payload(1, i, 100+i*50), To: bAddr}
	}
	sent, err := a.WriteBatch(out)
	require.NoError(t, err)
	require.Equal(t, n, sent)
	in := readN(t, b, n, 5*time.Second)
	for i, m := range in {
		require.Equal(t, out[i].Data, m.data)
		require.Equal(t, aAddr, m.from)
		require.Equal(t, bAddr, m.to)
	}

	// Hooks work on this path too, and the reply comes back.
	b.SetHook(func(dir Direction, _, to netip.AddrPort, _ []byte) Verdict {
		if dir == Out && to == aAddr {
			return Duplicate
		}
		return Pass
	})
	require.NoError(t, b.WriteTo([]byte("reply"), in[0].from, netip.Addr{}))
	for _, m := range readN(t, a, 2, 5*time.Second) {
		require.Equal(t, "reply", string(m.data))
		require.Equal(t, bAddr, m.from)
	}
	require.NoError(t, a.Close())
	require.NoError(t, b.Close())
}
