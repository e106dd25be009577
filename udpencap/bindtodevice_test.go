package udpencap

import (
	"errors"
	"net/netip"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// SetBindToDevice is SO_BINDTODEVICE on every socket (Linux): the
// kernel's value follows, a missing interface is ENODEV and changes
// nothing, "" unbinds. Elsewhere it is errors.ErrUnsupported.
func TestBindToDevice(t *testing.T) {
	c := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	require.Empty(t, c.IPOptions().BindToDevice)
	require.Error(t, c.SetBindToDevice(strings.Repeat("x", 16)))
	if runtime.GOOS != "linux" {
		require.ErrorIs(t, c.SetBindToDevice("lo"), errors.ErrUnsupported)
		return
	}
	require.NoError(t, c.SetBindToDevice("lo"))
	require.Equal(t, "lo", c.IPOptions().BindToDevice)
	require.Equal(t, "lo", boundDevice(c.sockets()[0].std, ""), "the kernel's value")
	require.ErrorIs(t, c.SetBindToDevice("nosuchdev0"), syscall.ENODEV)
	require.Equal(t, "lo", c.IPOptions().BindToDevice, "unchanged")
	require.Equal(t, "lo", boundDevice(c.sockets()[0].std, ""))
	require.NoError(t, c.SetBindToDevice(""))
	require.Empty(t, boundDevice(c.sockets()[0].std, "?"))
	require.NoError(t, c.Close())
}
