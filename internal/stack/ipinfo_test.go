package stack

import (
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/stretchr/testify/require"
)

// Every field udpencap reports maps to the same field of the core, and
// only the fields reported are marked valid.
func TestIPInfo(t *testing.T) {
	require.Equal(t, association.IPInfo{}, ipInfo(udpencap.IPInfo{}))
	require.Equal(t,
		association.IPInfo{TOS: 1, TClass: 2, TTL: 3, HopLimit: 4,
			Has: association.IPTOS | association.IPTClass | association.IPTTL | association.IPHopLimit},
		ipInfo(udpencap.IPInfo{TOS: 1, TClass: 2, TTL: 3, HopLimit: 4,
			Has: udpencap.RecvTOS | udpencap.RecvTClass | udpencap.RecvTTL | udpencap.RecvHopLimit}))
	require.Equal(t, association.IPInfo{TTL: 9, Has: association.IPTTL},
		ipInfo(udpencap.IPInfo{TTL: 9, Has: udpencap.RecvTTL}))
	require.Equal(t, association.IPInfo{TClass: 5, Has: association.IPTClass},
		ipInfo(udpencap.IPInfo{TClass: 5, Has: udpencap.RecvTClass}))
}
