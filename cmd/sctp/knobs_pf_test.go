package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// -pf N switches on RFC 7829's potentially-failed state with
// PotentiallyFailed.Max.Retrans N (0 included, RFC 7829's recommended
// value); without it, or with -pf -1, it is off (api reads -1).
func TestKnobPotentiallyFailed(t *testing.T) {
	for _, tc := range []struct {
		args []string
		pfmr int
	}{
		{nil, -1},
		{[]string{"-pf", "-1"}, -1},
		{[]string{"-pf", "0"}, 0},
		{[]string{"-pf", "2"}, 2},
	} {
		got := knobOpt(t, false, tc.args, "sctp_potentially_failed")
		require.Equal(t, tc.pfmr, got, "%v", tc.args)
	}
}
