package main

import (
	"flag"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}} {
		code, out, _ := runCmd(t, time.Second, nil, args...)
		require.Equal(t, 0, code)
		for _, sc := range subcommands {
			require.Contains(t, out, "\n  "+sc.name+" ")
		}
	}
	for _, sc := range subcommands {
		for _, args := range [][]string{{sc.name, "-h"}, {"help", sc.name}, {sc.name, "-help"}} {
			code, out, errOut := runCmd(t, time.Second, nil, args...)
			require.Equal(t, 0, code, "%v", args)
			require.Empty(t, errOut)
			require.Contains(t, out, "Usage: sctp "+sc.name)
			if sc.name != versionCommand.name {
				require.Contains(t, out, "-rto-initial")
			}
		}
	}
	code, out, _ := runCmd(t, time.Second, nil, "perf", "-h")
	require.Equal(t, 0, code)
	for _, f := range []string{"-E", "-U", "-p", "-l", "-n", "-T", "-u", "-D", "-L", "-R", "-S", "-f", "-a", "-d", "-v", "-c"} {
		require.Regexp(t, "(?m)^  "+f+"[ \t]", out, "perf usage lacks %s", f)
	}
}

// Bad command lines exit with status 2 and say what is wrong.
func TestBadCommandLines(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{nil, "Usage: sctp <command>"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"help", "frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"echo", "-nope"}, "flag provided but not defined: -nope"},
		{[]string{"echo", "-rto-min", "soon"}, `invalid value "soon" for flag -rto-min: not a duration`},
		{[]string{"echo", "-rto-min", "-1s"}, `invalid value "-1s" for flag -rto-min: must be from 1ms`},
		{[]string{"echo", "-rto-min", "2s", "-rto-initial", "1s"}, "need -rto-min <= -rto-initial <= -rto-max"},
		{[]string{"echo", "-sack-delay", "600ms"}, "for flag -sack-delay: must be from 0s to 500ms"},
		{[]string{"echo", "-p", "70000"}, `invalid value "70000" for flag -p: must be an integer from 1 to 65535`},
		{[]string{"echo", "-p", "0"}, "must be an integer from 1 to 65535"},
		{[]string{"discard", "-udp-port", "-1"}, "for flag -udp-port: must be an integer from 0 to 65535"},
		{[]string{"discard", "-rcvbuf", "100"}, "for flag -rcvbuf: must be an integer from 1500"},
		{[]string{"discard", "-os", "0"}, "for flag -os"},
		{[]string{"discard", "-L", "127.0.0.1,"}, `invalid value "127.0.0.1," for flag -L: empty address`},
		{[]string{"discard", "extra"}, `unexpected argument "extra"`},
		{[]string{"perf", "-n", "-5"}, `invalid value "-5" for flag -n: must be an integer of at least 0`},
		{[]string{"perf", "-l", "0"}, "for flag -l: must be an integer from 1"},
		{[]string{"perf", "-T", "soon"}, "for flag -T: not a number of seconds"},
		{[]string{"perf", "-U", "65536", "127.0.0.1"}, "for flag -U: must be an integer from 1 to 65535"},
		{[]string{"perf", "-P", "4"}, `invalid value "4" for flag -P: must be an integer from 0 to 3`},
		{[]string{"perf", "-t", "-1"}, "for flag -t: must be an integer from 0 to 4294967295"},
		{[]string{"cat", "-l", "127.0.0.1"}, "-l listens: it takes no address"},
		{[]string{"cat", "-stream", "20", "127.0.0.1"}, "-stream 20 needs -os > 20"},
		{[]string{"cat", "-q", "x"}, "for flag -q"},
		{[]string{"demo", "-streams", "0"}, "for flag -streams"},
		{[]string{"demo", "-cookie-life", "10ms"}, "for flag -cookie-life: must be from 1s"},
		{[]string{"demo", "-hb-interval", "1fortnight"}, "for flag -hb-interval: not a duration"},
		{[]string{"demo", "-max-assocs", "-3"}, "for flag -max-assocs"},
		{[]string{"echo", "-pf", "-2"}, `invalid value "-2" for flag -pf: must be an integer from -1 to 65535`},
		{[]string{"echo", "-rto-min", "1500us"}, `invalid value "1500us" for flag -rto-min: must be a whole number of milliseconds`},
		{[]string{"perf", "-f", "10", "127.0.0.1"}, "-f must be 0 or at least 64"},
		{[]string{"perf", "-L", "127.0.0.1", "-L", "127.0.0.1"}, "address given twice"},
	} {
		code, out, errOut := runCmd(t, time.Second, nil, tc.args...)
		require.Equal(t, 2, code, "%v: stdout %q stderr %q", tc.args, out, errOut)
		require.Contains(t, errOut, tc.msg, "%v", tc.args)
		require.Empty(t, out, "%v", tc.args)
	}
}

// Flags may follow positional arguments, and tsctp-style glued one-letter
// options are split as getopt does.
func TestParseArguments(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	n := fs.Int("n", 0, "")
	l := fs.Int("l", 0, "")
	u := fs.Bool("u", false, "")
	d := fs.Bool("D", false, "")
	long := fs.Int("path-max-retrans", 0, "")
	args := expandGetopt(fs, []string{"-n1000", "-uD", "127.0.0.1", "-l", "12", "-path-max-retrans", "3", "--", "-x"})
	require.Equal(t, []string{"-n", "1000", "-u", "-D", "127.0.0.1", "-l", "12", "-path-max-retrans", "3", "--", "-x"}, args)
	pos, err := parse(fs, args)
	require.NoError(t, err)
	require.Equal(t, []string{"127.0.0.1", "-x"}, pos)
	require.Equal(t, 1000, *n)
	require.Equal(t, 12, *l)
	require.True(t, *u && *d)
	require.Equal(t, 3, *long)
	require.Equal(t, []string{"-zz"}, expandGetopt(fs, []string{"-zz"}))
}

func TestSecondsFlag(t *testing.T) {
	var d time.Duration
	v := &durValue{p: &d, max: time.Hour, seconds: true}
	for in, want := range map[string]time.Duration{"3": 3 * time.Second, "0.5": 500 * time.Millisecond, "250ms": 250 * time.Millisecond} {
		require.NoError(t, v.Set(in))
		require.Equal(t, want, d)
	}
	require.Error(t, v.Set("-1"))
	require.Error(t, v.Set("2h"))
	require.NoError(t, v.Set("2"))
	require.Equal(t, "2s", v.String())
}
