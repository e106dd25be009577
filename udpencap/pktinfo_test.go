package udpencap

import (
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// needPktinfo skips the test where wildcard sockets do not learn the
// destination address of datagrams (see pktinfo_other.go).
func needPktinfo(t *testing.T) {
	t.Helper()
	if !pktinfoSupported {
		t.Skipf("no IP_PKTINFO on %s", runtime.GOOS)
	}
}

// TestWildcardDestinationAndSource checks that a wildcard socket reports
// the address each datagram was sent to (127.0.0.1, 127.0.0.2, ::1) as
// Message.To, and that a reply from that address leaves with it as its
// source, though no socket is bound to it: on the batch path (recvmmsg,
// sendmmsg, the control message per header) and on the portable one, and
// through WriteBatch and WriteTo alike.
func TestWildcardDestinationAndSource(t *testing.T) {
	needPktinfo(t)
	need127x(t)
	need6(t)
	modes(t, func(t *testing.T, noBatch bool) {
		w := listen(t, Config{IPv6: true, DisableBatch: noBatch})
		for _, tc := range []struct{ to, peer netip.Addr }{{lo4, lo4}, {lo4b, lo4}, {lo6, lo6}} {
			p := listen(t, Config{LocalAddrs: []netip.Addr{tc.peer}, DisableBatch: noBatch})
			dst := netip.AddrPortFrom(tc.to, uint16(w.Port()))
			require.NoError(t, p.WriteTo([]byte("hi"), dst, netip.Addr{}))
			m := readN(t, w, 1, 5*time.Second)[0]
			require.Equal(t, dst, m.to, "the destination the peer used")
			// A run of two replies (one sendmmsg header, a GSO group
			// where the kernel has it) and a single one.
			_, err := w.WriteBatch([]OutMessage{{Data: []byte("ho"), To: m.from, From: m.to.Addr()},
				{Data: []byte("ho"), To: m.from, From: m.to.Addr()}})
			require.NoError(t, err)
			require.NoError(t, w.WriteTo([]byte("ho"), m.from, m.to.Addr()))
			for _, r := range readN(t, p, 3, 5*time.Second) {
				require.Equal(t, "ho", string(r.data))
				require.Equal(t, dst, r.from, "the reply's source is the address the peer sent to")
			}
		}
	})
}

// TestWildcardSourceAllocs pins the batch path with a source address on a
// wildcard socket (a control message per sendmmsg header): no allocation
// per datagram on Linux.
func TestWildcardSourceAllocs(t *testing.T) {
	needPktinfo(t)
	need127x(t)
	w := listen(t, Config{ReadBuffer: 1 << 20})
	p := listen(t, Config{LocalAddrs: []netip.Addr{lo4}, ReadBuffer: 1 << 20})
	require.NoError(t, w.WriteTo([]byte("x"), p.LocalAddrs()[0], lo4b))
	require.Equal(t, lo4b, readN(t, p, 1, 5*time.Second)[0].from.Addr())
	const n = 32
	f := roundTripFrom(t, w, p, n, lo4b)
	for range 20 {
		f()
	}
	require.Zero(t, testing.AllocsPerRun(100, f)/n)
}
