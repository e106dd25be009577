package udpencap

import (
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/ipv6"
)

// readIP sends one datagram from a to b and returns the IP header fields
// b reported for it.
func readIP(t *testing.T, a, b *Conn) IPInfo {
	t.Helper()
	require.NoError(t, a.WriteTo([]byte("ip"), b.LocalAddrs()[0], netip.Addr{}))
	require.NoError(t, b.SetReadDeadline(time.Now().Add(5*time.Second)))
	defer func() { _ = b.SetReadDeadline(time.Time{}) }()
	msgs := make([]Message, 1)
	n, err := b.ReadBatch(msgs)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, "ip", string(msgs[0].Data))
	require.Equal(t, a.LocalAddrs()[0], msgs[0].From)
	info := msgs[0].IP
	b.ReleaseBatch(msgs[:n])
	return info
}

// onLinux returns want on Linux, where the sockets report IP header
// fields, and the zero IPInfo elsewhere.
func onLinux(want IPInfo) IPInfo {
	if runtime.GOOS == "linux" {
		return want
	}
	return IPInfo{}
}

// A received IPv4 datagram carries the TOS and TTL its sender set, for
// the fields requested and only while they are: requests are counted per
// field, so a field stays on until its last request is withdrawn.
func TestRecvIPv4(t *testing.T) {
	modes(t, func(t *testing.T, noBatch bool) {
		cfg := Config{LocalAddrs: []netip.Addr{lo4}, DisableBatch: noBatch}
		a, b := listen(t, cfg), listen(t, cfg)
		require.NoError(t, a.SetTOS(0x28))
		require.NoError(t, a.SetTTL(33))

		require.Equal(t, IPInfo{}, readIP(t, a, b), "nothing requested")

		require.NoError(t, b.AddRecvIP(RecvTOS|RecvTTL))
		require.Equal(t, RecvTOS|RecvTTL, b.RecvIP())
		require.Equal(t, onLinux(IPInfo{TOS: 0x28, TTL: 33, Has: RecvTOS | RecvTTL}), readIP(t, a, b))

		require.NoError(t, b.AddRecvIP(RecvTOS)) // a second user of the TOS
		require.NoError(t, b.RemoveRecvIP(RecvTOS|RecvTTL))
		require.Equal(t, RecvTOS, b.RecvIP())
		require.Equal(t, onLinux(IPInfo{TOS: 0x28, Has: RecvTOS}), readIP(t, a, b))

		require.NoError(t, b.RemoveRecvIP(RecvTOS))
		require.NoError(t, b.RemoveRecvIP(RecvTOS), "never below zero")
		require.Zero(t, b.RecvIP())
		require.Equal(t, IPInfo{}, readIP(t, a, b), "withdrawn")

		require.NoError(t, b.AddRecvIP(RecvTTL))
		require.Equal(t, RecvTTL, b.RecvIP(), "the extra withdrawal left no debt")
		require.Equal(t, onLinux(IPInfo{TTL: 33, Has: RecvTTL}), readIP(t, a, b))
	})
}

// A received IPv6 datagram carries its traffic class and hop limit; the
// IPv4 fields are never reported for it.
func TestRecvIPv6(t *testing.T) {
	need6(t)
	modes(t, func(t *testing.T, noBatch bool) {
		cfg := Config{LocalAddrs: []netip.Addr{lo6}, DisableBatch: noBatch}
		a, b := listen(t, cfg), listen(t, cfg)
		require.NoError(t, a.SetTrafficClass(0x48))
		require.NoError(t, ipv6.NewConn(a.sockets()[0].std).SetHopLimit(21))

		require.NoError(t, b.AddRecvIP(RecvTOS|RecvTClass|RecvTTL|RecvHopLimit))
		require.Equal(t, onLinux(IPInfo{TClass: 0x48, HopLimit: 21, Has: RecvTClass | RecvHopLimit}), readIP(t, a, b))
		require.NoError(t, b.RemoveRecvIP(RecvHopLimit))
		require.Equal(t, onLinux(IPInfo{TClass: 0x48, Has: RecvTClass}), readIP(t, a, b))
	})
}

// TestRecvIPAllocs is TestReceiveAllocs with every IP header field
// requested: reading and parsing the control data allocates nothing.
func TestRecvIPAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	modes(t, func(t *testing.T, noBatch bool) {
		cfg := Config{LocalAddrs: []netip.Addr{lo4}, ReadBuffer: 1 << 20, DisableBatch: noBatch}
		a, b := listen(t, cfg), listen(t, cfg)
		require.NoError(t, b.AddRecvIP(RecvTOS|RecvTTL))
		require.NoError(t, a.SetTTL(33))
		require.Equal(t, onLinux(IPInfo{TTL: 33, Has: RecvTOS | RecvTTL}), readIP(t, a, b))
		const n = 32
		f := roundTrip(t, a, b, n)
		for range 20 {
			f()
		}
		allocs := testing.AllocsPerRun(200, f) / n
		t.Logf("%.3f allocations per datagram (send and receive)", allocs)
		if runtime.GOOS == "linux" {
			require.Zero(t, allocs)
		}
	})
}
