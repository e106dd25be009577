package main

import (
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

// -pf N switches on RFC 7829's potentially-failed state with
// PotentiallyFailed.Max.Retrans N (0 included, RFC 7829's recommended
// value); without it, or with -pf -1, it is off.
func TestKnobPotentiallyFailed(t *testing.T) {
	for _, tc := range []struct {
		args []string
		on   bool
		pfmr int
	}{
		{nil, false, 0},
		{[]string{"-pf", "-1"}, false, 0},
		{[]string{"-pf", "0"}, true, 0},
		{[]string{"-pf", "2"}, true, 2},
	} {
		var k knobs
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		k.register(fs, false)
		require.NoError(t, fs.Parse(tc.args), "%v", tc.args)
		cfg, err := k.config()
		require.NoError(t, err, "%v", tc.args)
		require.Equal(t, tc.on, cfg.PotentiallyFailed, "%v", tc.args)
		require.Equal(t, tc.pfmr, cfg.PFMaxRetrans, "%v", tc.args)
	}
}
