package main

import (
	"flag"
	"io"
	"testing"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/association"
	"github.com/stretchr/testify/require"
)

// knobOpt opens a socket with the options of the knobs that args set
// (perf: with tsctp's flag names) and reads the int option name.
func knobOpt(t *testing.T, perf bool, args []string, name string) int {
	t.Helper()
	var k knobs
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	k.register(fs, perf)
	require.NoError(t, fs.Parse(args), "%v", args)
	s, err := openSocket(append(k.options(), api.IP(knobLo), api.LocalUDPPort(0)), false, false)
	require.NoError(t, err, "%v", args)
	got, err := api.GetOpt[int](s, api.OptionQuery{Name: name})
	s.Close()
	require.NoError(t, err, "%v", args)
	return got
}

// Without -rcvbuf and -sndbuf the commands leave buffer autotuning on
// (the api's defaults); a buffer given on the command line is fixed, as
// gen_sctp's recbuf and sndbuf make it.
func TestKnobsBufferAutotuning(t *testing.T) {
	require.Equal(t, association.DefaultReceiveBufferMax, knobOpt(t, true, nil, "recbuf_max"))
	require.Equal(t, association.DefaultSendBufferMax, knobOpt(t, true, nil, "sndbuf_max"))
	require.Equal(t, 30000, knobOpt(t, true, []string{"-R", "30000"}, "recbuf_max"))
	require.Equal(t, 20000, knobOpt(t, true, []string{"-S", "20000"}, "sndbuf_max"))
}
