package udpencap

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// On Linux the Don't Fragment bit is IP_MTU_DISCOVER = IP_PMTUDISC_PROBE
// (IPV6_MTU_DISCOVER for IPv6): read back from each socket, and given to
// a socket bound later; off restores IP_PMTUDISC_WANT.
func TestDontFragmentLinux(t *testing.T) {
	need6(t)
	c := listen(t, Config{LocalAddrs: []netip.Addr{lo4, lo6}})
	mode := func() (v4, v6 int) {
		for _, s := range c.sockets() {
			level, opt := unix.IPPROTO_IP, unix.IP_MTU_DISCOVER
			if !s.is4 {
				level, opt = unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER
			}
			var v int
			require.NoError(t, controlFD(s.std, func(fd int) (err error) {
				v, err = unix.GetsockoptInt(fd, level, opt)
				return err
			}))
			if s.is4 {
				v4 = v
			} else {
				v6 = v
			}
		}
		return v4, v6
	}
	require.NoError(t, c.SetDontFragment(true))
	v4, v6 := mode()
	require.Equal(t, unix.IP_PMTUDISC_PROBE, v4)
	require.Equal(t, unix.IPV6_PMTUDISC_PROBE, v6)
	require.NoError(t, c.SetDontFragment(false))
	v4, v6 = mode()
	require.Equal(t, unix.IP_PMTUDISC_WANT, v4)
	require.Equal(t, unix.IPV6_PMTUDISC_WANT, v6)
}
