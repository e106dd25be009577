package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/stretchr/testify/require"
)

var (
	statusRE = regexp.MustCompile(`(?m)^status (?:(client|server) )?assoc (\d+): tx (\d+(?:\.\d)?) (B|kB|MB)/s rx (\d+(?:\.\d)?) (?:B|kB|MB)/s, ` +
		`pkts (\d+)/(\d+) out/in, rtx (\d+) \(fast (\d+), T3 (\d+)\), gap reports \d+/\d+, dup \d+, ` +
		`cwnd (\d+) ssthresh \d+ flight \d+, rtt \S+ srtt \S+ rto \S+, mtu (\d+) \((\w+)\)$`)
	udpStatusRE = regexp.MustCompile(`(?m)^status udp (\d+): datagrams (\d+)/(\d+) out/in, dropped \d+ \(bad CRC \d+, short \d+, out of the blue \d+\)$`)
)

// statusLines returns the association status lines of out.
func statusLines(out string) [][]string { return statusRE.FindAllStringSubmatch(out, -1) }

// perf -d prints, every interval, a status line per association and per
// UDP port to stderr, client and server: the client's packets sent only
// grow from line to line, and some interval sent data.
func TestStatusPerf(t *testing.T) {
	srv := startCmd(t, 10*time.Second, nil, "perf", "-E", "0", "-L", "127.0.0.1", "-c", "1", "-d", "0.05")
	port := srv.udpPort(t)
	code, out, errOut := runCmd(t, 10*time.Second, nil,
		"perf", "-U", port, "-L", "127.0.0.1", "-T", "0.5", "-l", "1000", "-d", "0.05", "127.0.0.1")
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, clientRE, out, "stdout keeps tsctp's lines alone")
	require.NotContains(t, out, "status ")
	lines := statusLines(errOut)
	require.GreaterOrEqual(t, len(lines), 3, "one per 50 ms for 500 ms:\n%s", errOut)
	var last uint64
	sending := false
	for _, l := range lines {
		pkts, _ := strconv.ParseUint(l[6], 10, 64)
		require.GreaterOrEqual(t, pkts, last, "counters only grow")
		last = pkts
		cwnd, _ := strconv.Atoi(l[11])
		require.Positive(t, cwnd)
		sending = sending || l[3] != "0"
	}
	require.True(t, sending, "a rate above 0:\n%s", errOut)
	require.Regexp(t, udpStatusRE, errOut)
	srv.wait(t, 5*time.Second)
	require.Equal(t, 0, srv.code)
	require.NotEmpty(t, statusLines(srv.err.String()), "the server's:\n%s", srv.err)
}

// The echo server shows the peeled-off association of each client; cat
// prints status lines to stderr with -d and none without, its stdout
// keeping the data alone.
func TestStatusEchoAndCat(t *testing.T) {
	srv := startCmd(t, 10*time.Second, nil, "echo", "-udp-port", "0", "-L", "127.0.0.1", "-d", "0.05")
	port := srv.udpPort(t)
	cat := func(extra ...string) (string, string) {
		args := append([]string{"cat", "-L", "127.0.0.1", "-remote-udp-port", port, "-p", "7", "-q", "0.3"}, extra...)
		code, out, errOut := runCmd(t, 5*time.Second, strings.NewReader("hello, world\n"), append(args, "127.0.0.1")...)
		require.Equal(t, 0, code, errOut)
		require.Equal(t, "hello, world\n", out)
		return out, errOut
	}
	_, errOut := cat()
	require.NotContains(t, errOut, "status ")
	_, errOut = cat("-d", "0.05")
	require.NotEmpty(t, statusLines(errOut), errOut)
	require.Regexp(t, udpStatusRE, errOut)
	require.Eventually(t, func() bool { return len(statusLines(srv.err.String())) > 0 }, 5*time.Second, time.Millisecond)
	srv.cancel()
	srv.wait(t, 5*time.Second)
}

// demo -d shows both ends.
func TestStatusDemo(t *testing.T) {
	code, _, errOut := runCmd(t, 15*time.Second, nil, "demo", "-T", "300ms", "-pings", "2", "-d", "0.05")
	require.Equal(t, 0, code, errOut)
	sides := map[string]bool{}
	for _, l := range statusLines(errOut) {
		sides[l[1]] = true
	}
	require.Equal(t, map[string]bool{"client": true, "server": true}, sides, errOut)
}

// demo -pmtud -d: the status lines report the path MTU that discovery
// found over loopback, the loopback interface's less the IPv4 and UDP
// headers (at most what an IPv4 packet holds), and the search state.
func TestStatusDemoPmtud(t *testing.T) {
	lo, err := loopbackMTU()
	require.NoError(t, err)
	want := min(lo-28, 65535-28) &^ 3
	code, _, errOut := runCmd(t, 15*time.Second, nil, "demo", "-pmtud", "-T", "1s", "-pings", "2", "-d", "0.2")
	require.Equal(t, 0, code, errOut)
	found := map[string]bool{}
	for _, l := range statusLines(errOut) {
		if l[12] == strconv.Itoa(want) && l[13] == "search_complete" {
			found[l[1]] = true
		}
	}
	require.Equal(t, map[string]bool{"client": true, "server": true}, found, errOut)
}

// The status line of an association: the rates of the last interval,
// the counters, and the primary path.
func TestStatusLine(t *testing.T) {
	var st, prev api.AssocStats
	st.SentBytes, prev.SentBytes = 3_500_000, 1_000_000
	st.ReceivedBytes, prev.ReceivedBytes = 2_400, 0
	st.PacketsSent, st.PacketsReceived = 2000, 900
	st.Retransmissions, st.FastRetransmissions, st.T3Retransmissions = 5, 3, 2
	st.GapReportsSent, st.GapReportsReceived, st.DuplicateTSNs = 1, 4, 6
	st.Paths = []api.PathStats{{Cwnd: 12000, SSThresh: 64000, Flight: 4800, RTT: 1234567 * time.Nanosecond,
		SRTT: 2 * time.Millisecond, RTO: time.Second, MTU: 1252, Pmtud: association.PLPMTUDSearchComplete}}
	require.Equal(t, "status client assoc 7: tx 1.2 MB/s rx 1.2 kB/s, pkts 2000/900 out/in, rtx 5 (fast 3, T3 2), "+
		"gap reports 1/4, dup 6, cwnd 12000 ssthresh 64000 flight 4800, rtt 1.23ms srtt 2ms rto 1s, mtu 1252 (search_complete)",
		assocLine("client", 7, st, prev, 2))
	require.Regexp(t, statusRE, assocLine("", 7, st, prev, 2))
	require.Contains(t, assocLine("", 7, st, st, 0.5), "tx 0 B/s rx 0 B/s", "nothing in the interval")

	var ts api.TransportStats
	ts.UDP.DatagramsIn, ts.UDP.DatagramsOut = 10, 12
	ts.Stack.ChecksumErrors, ts.Stack.Truncated = 1, 2
	ts.Stack.Drops[endpoint.DropMalformed], ts.Stack.Drops[endpoint.DropOutOfTheBlue] = 3, 4
	require.Equal(t, "status udp 9899: datagrams 12/10 out/in, dropped 7 (bad CRC 1, short 2, out of the blue 4)",
		transportLine(9899, ts))
}
