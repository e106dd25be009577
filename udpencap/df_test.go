package udpencap

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

// SetDontFragment is remembered in IPOptions on every platform, and
// reaches the sockets where DontFragmentSupported (df_linux_test.go reads
// the option back).
func TestSetDontFragment(t *testing.T) {
	c := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	require.False(t, c.IPOptions().DontFragment, "the operating system's choice by default")
	require.NoError(t, c.SetDontFragment(true))
	require.True(t, c.IPOptions().DontFragment)
	require.NoError(t, c.SetDontFragment(false))
	require.False(t, c.IPOptions().DontFragment)
	require.NoError(t, c.Close())
	require.Error(t, c.SetDontFragment(true), "closed")
}
