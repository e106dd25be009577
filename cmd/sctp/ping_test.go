package main

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var pingRE = regexp.MustCompile(`(?m)^round trips (\d+), length 64, min ([\d.]+), median ([\d.]+), p99 ([\d.]+), max ([\d.]+) \(us\)$`)

// ping against sctp echo counts -n round trips after -w uncounted ones
// and prints their distribution, in order; the echo server sees the
// association shut down gracefully.
func TestPingEcho(t *testing.T) {
	srv := startCmd(t, 10*time.Second, nil, "echo", "-udp-port", "0", "-L", "127.0.0.1", "-c", "1")
	port := srv.udpPort(t)
	code, out, errOut := runCmd(t, 10*time.Second, nil,
		"ping", "-L", "127.0.0.1", "-remote-udp-port", port, "-n", "50", "-w", "5", "127.0.0.1")
	require.Equal(t, 0, code, errOut)
	m := pingRE.FindStringSubmatch(out)
	require.NotNil(t, m, out)
	require.Equal(t, "50", m[1])
	var prev float64
	for _, f := range m[2:] {
		v, err := strconv.ParseFloat(f, 64)
		require.NoError(t, err)
		require.Greater(t, v, 0.0)
		require.GreaterOrEqual(t, v, prev, out)
		prev = v
	}
	srv.wait(t, 5*time.Second)
	require.Equal(t, 0, srv.code)
	requireLines(t, srv.out.String(), `^assoc \d+: received 55 messages, 3520 bytes$`)
}

// ping -T counts the round trips of that many seconds; an address is
// required and -n 0 needs -T.
func TestPingFlags(t *testing.T) {
	srv := startCmd(t, 10*time.Second, nil, "echo", "-udp-port", "0", "-L", "127.0.0.1")
	port := srv.udpPort(t)
	code, out, errOut := runCmd(t, 10*time.Second, nil,
		"ping", "-L", "127.0.0.1", "-remote-udp-port", port, "-T", "0.2", "-w", "0", "127.0.0.1")
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, pingRE, out)
	code, _, errOut = runCmd(t, time.Second, nil, "ping", "-n", "0", "127.0.0.1")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "-n 0 needs -T")
	code, _, errOut = runCmd(t, time.Second, nil, "ping")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "an address is required")
}
