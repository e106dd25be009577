package main

import (
	"flag"
	"io"
	"testing"

	"github.com/gensctp/gensctp/api"
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
		var k knobs
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		k.register(fs, false)
		require.NoError(t, fs.Parse(tc.args), "%v", tc.args)
		s, err := openSocket(append(k.options(), api.IP(knobLo), api.LocalUDPPort(0)), false, false)
		require.NoError(t, err, "%v", tc.args)
		got, err := api.GetOpt[int](s, api.OptionQuery{Name: "sctp_potentially_failed"})
		s.Close()
		require.NoError(t, err, "%v", tc.args)
		require.Equal(t, tc.pfmr, got, "%v", tc.args)
	}
}
