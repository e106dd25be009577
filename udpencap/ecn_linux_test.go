package udpencap

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Datagrams sent on loopback carry the ECN field of their OutMessage in
// the TOS byte (IPv4) or traffic class (IPv6), with the socket's DSCP
// bits, and the receiver reads it back (IP_RECVTOS, IPV6_RECVTCLASS): one
// field per datagram, also within a run of equal-sized datagrams to one
// peer, which GSO would otherwise send as one.
func TestECNSetAndRead(t *testing.T) {
	for _, fam := range []struct {
		name string
		addr netip.Addr
		recv RecvIP
	}{{"IPv4", lo4, RecvTOS}, {"IPv6", lo6, RecvTClass}} {
		t.Run(fam.name, func(t *testing.T) {
			if fam.addr.Is6() {
				need6(t)
			}
			modes(t, func(t *testing.T, noBatch bool) {
				cfg := Config{LocalAddrs: []netip.Addr{fam.addr}, DisableBatch: noBatch}
				a, b := listen(t, cfg), listen(t, cfg)
				require.True(t, a.ECNCapable())
				require.NoError(t, a.SetTOS(0x20))
				require.NoError(t, a.SetTrafficClass(0x20))
				require.NoError(t, b.AddRecvIP(fam.recv))
				ecns := []uint8{2, 2, 0, 0, 2, 1, 2}
				msgs := make([]OutMessage, len(ecns))
				for i, e := range ecns {
					msgs[i] = OutMessage{Data: payload(7, i, 1000), To: b.LocalAddrs()[0], ECN: e}
				}
				n, err := a.WriteBatch(msgs)
				require.NoError(t, err)
				require.Equal(t, len(msgs), n)
				require.NoError(t, a.WriteTo(payload(7, len(ecns), 1000), b.LocalAddrs()[0], netip.Addr{}))
				ecns = append(ecns, 0)

				got := readTOS(t, b, len(ecns))
				for i, e := range ecns {
					require.Equal(t, 0x20|e, got[i], "datagram %d sent with ECN %d", i, e)
				}
			})
		})
	}
}

// readTOS reads n datagrams from c and returns the TOS byte or traffic
// class of each, by the index of its payload.
func readTOS(t *testing.T, c *Conn, n int) map[int]uint8 {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	defer func() { _ = c.SetReadDeadline(time.Time{}) }()
	out := map[int]uint8{}
	msgs := make([]Message, 16)
	for len(out) < n {
		k, err := c.ReadBatch(msgs)
		require.NoError(t, err)
		for _, m := range msgs[:k] {
			require.NotZero(t, m.IP.Has, "no TOS or traffic class reported")
			out[int(binary.BigEndian.Uint32(m.Data))] = m.IP.TOS | m.IP.TClass
		}
		c.ReleaseBatch(msgs[:k])
	}
	return out
}
