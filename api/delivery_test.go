package api

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Every DeliveryKind prints a name of its own, so that a log line or a
// test failure tells a message from an event; Message keeps the gen_sctp
// message names.
func TestDeliveryKindStrings(t *testing.T) {
	kinds := []DeliveryKind{KindData, KindEvent, KindError, KindPassive}
	seen := map[string]DeliveryKind{}
	for _, k := range kinds {
		s := k.String()
		require.NotContains(t, seen, s, "%d and %d print the same", seen[s], k)
		seen[s] = k
	}
	require.Equal(t, "data", KindData.String())
	require.Equal(t, "DeliveryKind(0)", DeliveryKind(0).String())
	require.NotContains(t, seen, DeliveryKind(0).String())
	require.Equal(t, "undefined", DeliveryKind(9).Message())
}
