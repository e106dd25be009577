package api

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Closing a socket takes its endpoint off the shared stack: its SCTP port
// can be opened again on the same UDP port while another socket keeps the
// stack alive.
func TestCloseFreesPort(t *testing.T) {
	noLeak(t)
	keep := open(t, Port(40021))
	a, err := Open(IP(lo), LocalUDPPort(keep.UDPPort()), Port(40022))
	require.NoError(t, err)
	require.NoError(t, a.Close())
	b, err := Open(IP(lo), LocalUDPPort(keep.UDPPort()), Port(40022))
	require.NoError(t, err, "the port is free again")
	require.Same(t, keep.stk, b.stk)
	require.NoError(t, b.Close())
}
