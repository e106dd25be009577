package udpencap

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestGSORuns sends runs that GSO groups (equal sizes, a shorter last
// one, more than one super-datagram's worth) mixed with ones it must not
// group (another destination, a longer datagram, an empty one), and checks
// that every datagram arrives intact, in order per destination, as its
// own datagram. It runs with GSO on and off; on Linux kernels with
// UDP_SEGMENT the GSO run must have used it.
//
// The receivers read with GRO (UDP_GRO) where the kernel has it, or
// without: with GSO on, the super-datagrams then reach them whole, and
// they must split them again.
func TestGSORuns(t *testing.T) {
	for _, tc := range []struct {
		name           string
		gsoOff, groOff bool
	}{{"gso", false, false}, {"nogso", true, false}, {"gso-nogro", false, true}} {
		gsoOff := tc.gsoOff
		t.Run(tc.name, func(t *testing.T) {
			a := listen(t, Config{LocalAddrs: []netip.Addr{lo4}, BatchSize: 256, DisableGSO: gsoOff})
			b := listen(t, Config{LocalAddrs: []netip.Addr{lo4}, ReadBuffer: 4 << 20, DisableGRO: tc.groOff})
			c := listen(t, Config{LocalAddrs: []netip.Addr{lo4}, ReadBuffer: 4 << 20, DisableGRO: tc.groOff})
			bAddr, cAddr := b.LocalAddrs()[0], c.LocalAddrs()[0]
			var out []OutMessage
			add := func(to netip.AddrPort, size int) {
				out = append(out, OutMessage{Data: payload(7, len(out), size), To: to})
			}
			for range 100 { // 100 x 1200 bytes: two super-datagrams at least
				add(bAddr, 1200)
			}
			add(bAddr, 700) // shorter: ends the run
			add(bAddr, 1200)
			add(cAddr, 1200) // another destination
			add(cAddr, 1200)
			add(cAddr, 1300) // longer: a new run
			add(cAddr, 1300)
			add(bAddr, 4)
			add(bAddr, 4)
			n, err := a.WriteBatch(out)
			require.NoError(t, err)
			require.Equal(t, len(out), n)
			var wantB, wantC []OutMessage
			for _, m := range out {
				if m.To == bAddr {
					wantB = append(wantB, m)
				} else {
					wantC = append(wantC, m)
				}
			}
			for _, rc := range []struct {
				conn *Conn
				want []OutMessage
			}{{b, wantB}, {c, wantC}} {
				in := readN(t, rc.conn, len(rc.want), 5*time.Second)
				for i, m := range in {
					require.Equal(t, rc.want[i].Data, m.data, "datagram %d (index %d)", i, binary.BigEndian.Uint32(m.data))
					require.Equal(t, a.LocalAddrs()[0], m.from)
				}
				expectQuiet(t, rc.conn, 20*time.Millisecond)
			}
			st := a.Stats()
			require.EqualValues(t, len(out), st.DatagramsOut)
			if gsoOff || !batchAvailable() {
				require.Zero(t, st.GSOSends)
			} else if gsoEnabled(a) {
				require.GreaterOrEqual(t, st.GSOSends, uint64(3))
			} else {
				t.Log("kernel without UDP_SEGMENT: GSO not exercised")
			}
			rb := b.Stats()
			switch {
			case tc.groOff || gsoOff || !gsoEnabled(a):
				require.Zero(t, rb.GROReceives)
			case groEnabled(b):
				require.GreaterOrEqual(t, rb.GROReceives, uint64(2), "the 1200-byte run arrived coalesced")
			default:
				t.Log("kernel without UDP_GRO: GRO not exercised")
			}
			require.EqualValues(t, len(wantB), rb.DatagramsIn, "each datagram counted once")
		})
	}
}
