package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gensctp/gensctp/pcap"
	"github.com/stretchr/testify/require"
)

// simLossy is a lossy scenario with every impairment on.
var simLossy = []string{"sim", "-seed", "7", "-rtt", "60ms", "-jitter", "2ms", "-bw", "20M", "-loss", "1%",
	"-burst", "0.2%", "-dup", "0.5%", "-reorder", "1%", "-corrupt", "0.1%", "-T", "3", "-d", "1", "-l", "1200",
	"-streams", "4"}

// The same command twice prints the same bytes and writes the same
// capture, which holds every packet sent; the report has its parts.
func TestSimTwiceSameBytes(t *testing.T) {
	dir := t.TempDir()
	var outs, caps []string
	for i := range 2 {
		file := filepath.Join(dir, "run"+strconv.Itoa(i)+".pcap")
		code, out, errOut := runCmd(t, time.Minute, nil, append(simLossy, "-pcap", file)...)
		require.Equal(t, 0, code, errOut)
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		outs, caps = append(outs, out), append(caps, string(b))
	}
	require.Equal(t, outs[0], outs[1])
	require.Equal(t, caps[0], caps[1])
	out := outs[0]
	for _, want := range []string{"goodput: ", "retransmissions", "trace hash: ", "cwnd", "rto", "10.1.0.2:9899"} {
		require.Contains(t, out, want)
	}
	require.Equal(t, 3, strings.Count(out, "10.1.0.2:9899    active"), "a trace line a second:\n%s", out)
	sent := regexp.MustCompile(`network: (\d+) sent`).FindStringSubmatch(out)
	require.NotNil(t, sent, out)
	pkts, err := pcap.Parse([]byte(caps[0]))
	require.NoError(t, err)
	require.Equal(t, sent[1], strconv.Itoa(len(pkts)))
	require.Equal(t, uint16(9899), pkts[0].DstPort)
	require.Regexp(t, `dropped: [1-9]\d* loss`, out)
	require.NotContains(t, out, "goodput: 0.000")
}

// Another seed is another run.
func TestSimSeed(t *testing.T) {
	hash := func(seed string) string {
		args := append(append([]string(nil), simLossy...), "-seed", seed)
		code, out, errOut := runCmd(t, time.Minute, nil, args...)
		require.Equal(t, 0, code, errOut)
		return regexp.MustCompile(`trace hash: ([0-9a-f]{64})`).FindString(out)
	}
	require.NotEqual(t, hash("1"), hash("2"))
}

// With two paths and the first network cut, the client's trace shows both
// paths and the partition drops packets; the transfer goes on.
func TestSimMultihomedFail(t *testing.T) {
	code, out, errOut := runCmd(t, time.Minute, nil, "sim", "-paths", "2", "-fail", "1s", "-pf", "0",
		"-T", "4", "-d", "2")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "10.2.0.2:9899")
	require.Regexp(t, `[1-9]\d* partition`, out)
	last := regexp.MustCompile(`(?m)^\s+4s 10\.2\.0\.2:9899 .*$`).FindString(out)
	require.NotEmpty(t, last, out)
	require.NotContains(t, out, "goodput: 0.000")
}

// Bad impairments are usage errors (status 2) naming the flag.
func TestSimBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"sim", "-loss", "2"},
		{"sim", "-loss", "150%"},
		{"sim", "-bw", "fast"},
		{"sim", "-paths", "9"},
		{"sim", "-burst-len", "-1"},
		{"sim", "-T", "1", "extra"},
		{"sim", "1%", "-T", "1"}, // the flags after it would be ignored
	} {
		code, _, errOut := runCmd(t, time.Minute, nil, args...)
		require.Equal(t, 2, code, "%v: %s", args, errOut)
		require.Contains(t, errOut, "sctp sim", "%v", args)
	}
	code, out, _ := runCmd(t, time.Minute, nil, "sim", "-h")
	require.Equal(t, 0, code)
	require.Contains(t, out, "-pcap")
}

// An interrupted run (SIGINT cancels the context) stops at the next trace
// line with status 1.
func TestSimInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut syncBuffer
	code := runWith(ctx, stdio{in: strings.NewReader(""), out: &out, err: &errOut},
		[]string{"sim", "-T", "100000", "-d", "1"})
	require.Equal(t, 1, code)
	require.Contains(t, errOut.String(), "context canceled")
	require.Equal(t, 1, strings.Count(out.String(), " active "))
}

// The protocol flags reach the simulated associations: -pmtud sends
// PLPMTUD probes, another run.
func TestSimProtocolFlags(t *testing.T) {
	hash := func(args ...string) string {
		code, out, errOut := runCmd(t, time.Minute, nil, append([]string{"sim", "-T", "2"}, args...)...)
		require.Equal(t, 0, code, errOut)
		return regexp.MustCompile(`trace hash: ([0-9a-f]{64})`).FindString(out)
	}
	plain := hash()
	require.NotEqual(t, plain, hash("-pmtud"))
	require.NotEqual(t, plain, hash("-sack-delay", "0"))
	require.Equal(t, plain, hash("-sack-delay", "200ms"), "the default")
}

// The goodput of a trace line is over the time since the previous line:
// with -d longer than -T, or a -T that is not a multiple of -d, the last
// line's interval is shorter than -d, and its goodput is the report's.
func TestSimTraceGoodputLastInterval(t *testing.T) {
	for _, args := range [][]string{{"-T", "1", "-d", "10"}, {"-T", "1.5", "-d", "0.5"}, {"-T", "2.5", "-d", "1"}} {
		code, out, errOut := runCmd(t, time.Minute, nil, append([]string{"sim"}, args...)...)
		require.Equal(t, 0, code, errOut)
		lines := regexp.MustCompile(`(?m)^\s+(\S+) 10\.1\.0\.2:9899 .* (\d+\.\d+)$`).FindAllStringSubmatch(out, -1)
		require.NotEmpty(t, lines, out)
		var bits float64
		prev := time.Duration(0)
		for _, l := range lines {
			at, err := time.ParseDuration(l[1])
			require.NoError(t, err)
			mbps, err := strconv.ParseFloat(l[2], 64)
			require.NoError(t, err)
			bits += mbps * 1e6 * (at - prev).Seconds()
			prev = at
		}
		m := regexp.MustCompile(`\((\d+) bytes in`).FindStringSubmatch(out)
		require.NotNil(t, m, out)
		total, err := strconv.ParseFloat(m[1], 64)
		require.NoError(t, err)
		require.InDelta(t, total*8, bits, total*8*0.01+1e4, "%v: the trace lines' goodput sums to the bytes received\n%s", args, out)
	}
}

// The protocol flags that sim once ignored reach it: -rcvbuf fixes the
// receive window as on sockets (no autotuning: the goodput stays under
// the window per round trip), -asconf offers ASCONF (another run), -log
// logs the simulated endpoints to stderr; a rate under 1 bit/s is a
// usage error rather than an unlimited link.
func TestSimBufferAsconfLogFlags(t *testing.T) {
	code, out, errOut := runCmd(t, time.Minute, nil, "sim", "-rcvbuf", "20000", "-bw", "100M", "-T", "5", "-d", "5")
	require.Equal(t, 0, code, errOut)
	m := regexp.MustCompile(`goodput: (\d+\.\d+) Mbit/s`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	mbps, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	require.Less(t, mbps, 20000*8/0.1/1e6, "a 20000-byte window over a 100 ms round trip:\n%s", out)
	require.Greater(t, mbps, 0.0)

	hash := func(args ...string) string {
		code, out, errOut := runCmd(t, time.Minute, nil, append([]string{"sim", "-T", "1"}, args...)...)
		require.Equal(t, 0, code, errOut)
		return regexp.MustCompile(`trace hash: ([0-9a-f]{64})`).FindString(out)
	}
	require.NotEqual(t, hash(), hash("-asconf"))

	code, _, errOut = runCmd(t, time.Minute, nil, "sim", "-T", "1", "-log", "debug")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, errOut, "sctp-assoc")
	require.Contains(t, errOut, "INIT sent")

	code, _, errOut = runCmd(t, time.Minute, nil, "sim", "-bw", "0.5")
	require.Equal(t, 2, code, errOut)
	require.Contains(t, errOut, "-bw")
}

// An interrupt (SIGINT cancels the context) stops the run within the
// interval under way, however long: the last trace line is at the virtual
// time reached.
func TestSimInterruptedWithinInterval(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runWith(ctx, stdio{in: strings.NewReader(""), out: &out, err: &errOut},
			[]string{"sim", "-T", "1000000", "-d", "1000000", "-bw", "1G", "-rtt", "1ms"})
	}()
	select {
	case code := <-done:
		require.Equal(t, 1, code)
	case <-time.After(20 * time.Second):
		t.Fatal("sim went on after the interrupt")
	}
	require.Contains(t, errOut.String(), "context canceled")
	line := regexp.MustCompile(`(?m)^\s*(\S+) 10\.1\.0\.2:9899 `).FindStringSubmatch(out.String())
	require.NotNil(t, line, "%q %q", out.String(), errOut.String())
	at, err := time.ParseDuration(line[1])
	require.NoError(t, err)
	require.Less(t, at, 1000000*time.Second)
	require.NotContains(t, out.String(), "NaN")
}
