package main

import (
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/pcap"
)

var (
	clientRE = regexp.MustCompile(`(?m)^Sending of (\d+) messages of length (\d+) took (\d+\.\d{6}) seconds\.\nThroughput was (\d+\.\d{6}) Byte/sec\.\n`)
	serverRE = regexp.MustCompile(`(?m)^(\d+), (\d+), (\d+), (\d+), (\d+\.\d{6}), (\d+\.\d{6}), (\d+)$`)
)

// perfPair runs a perf server for one association and a perf client with
// clientArgs against it, and returns both outputs.
func perfPair(t *testing.T, serverArgs, clientArgs []string) (string, string) {
	t.Helper()
	return perfPairOn(t, "127.0.0.1", serverArgs, clientArgs)
}

func perfPairOn(t *testing.T, addr string, serverArgs, clientArgs []string) (string, string) {
	t.Helper()
	srv := startCmd(t, 10*time.Second, nil, append([]string{"perf", "-E", "0", "-L", addr, "-c", "1"}, serverArgs...)...)
	port := srv.udpPort(t)
	args := append([]string{"perf", "-U", port}, clientArgs...)
	code, out, errOut := runCmd(t, 10*time.Second, nil, append(args, addr)...)
	require.Equal(t, 0, code, "client: %s", errOut)
	srv.wait(t, 5*time.Second)
	require.Equal(t, 0, srv.code, "server: %s", srv.err)
	return out, srv.out.String()
}

// The client's and the server's tsctp summary lines agree: 1000 messages
// of 1200 bytes were sent and received.
func TestPerfClientServer(t *testing.T) {
	cout, sout := perfPair(t, []string{"-v"}, []string{"-L", "127.0.0.1", "-n", "1000", "-l", "1200", "-v"})
	m := clientRE.FindStringSubmatch(cout)
	require.NotNil(t, m, "client output:\n%s", cout)
	require.Equal(t, "1000", m[1])
	require.Equal(t, "1200", m[2])
	secs, _ := strconv.ParseFloat(m[3], 64)
	rate, _ := strconv.ParseFloat(m[4], 64)
	require.Positive(t, secs)
	require.InEpsilon(t, 1000*1200/secs, rate, 0.01)
	requireLines(t, cout, `^Send buffer size: \d+\.$`, `^Start sending 1000 messages $`, `^Closing socket\.$`)

	s := serverRE.FindStringSubmatch(sout)
	require.NotNil(t, s, "server output:\n%s", sout)
	require.Equal(t, []string{"1200", "1000", "1000", "1200000"}, s[1:5])
	require.Equal(t, "0", s[7])
	ssecs, _ := strconv.ParseFloat(s[5], 64)
	srate, _ := strconv.ParseFloat(s[6], 64)
	require.Positive(t, ssecs)
	require.InEpsilon(t, 1200000/ssecs, srate, 0.01)
	requireLines(t, sout, `^Receive buffer size: \d+\.$`, `^Connection accepted from 127\.0\.0\.1:\d+$`)
}

// A client on the wildcard address (no -L) with tsctp-style glued flags,
// unordered messages, Nagle off and a fragmentation point that splits
// every message into two DATA chunks.
func TestPerfWildcardClient(t *testing.T) {
	cout, sout := perfPair(t, nil, []string{"-n300", "-l3000", "-uD", "-f", "1500", "-a", "7"})
	m := clientRE.FindStringSubmatch(cout)
	require.NotNil(t, m, "client output:\n%s", cout)
	require.Equal(t, []string{"300", "3000"}, m[1:3])
	s := serverRE.FindStringSubmatch(sout)
	require.NotNil(t, s, "server output:\n%s", sout)
	require.Equal(t, []string{"3000", "300", "300", "900000"}, s[1:5])
}

// -T sends for a time; -d prints the throughput periodically.
func TestPerfTimed(t *testing.T) {
	cout, sout := perfPair(t, []string{"-d", "0.1"}, []string{"-L", "127.0.0.1", "-T", "0.35", "-l", "500", "-D"})
	m := clientRE.FindStringSubmatch(cout)
	require.NotNil(t, m, "client output:\n%s", cout)
	secs, _ := strconv.ParseFloat(m[3], 64)
	require.GreaterOrEqual(t, secs, 0.35)
	s := serverRE.FindStringSubmatch(sout)
	require.NotNil(t, s, "server output:\n%s", sout)
	require.Equal(t, m[1], s[2], "messages sent and received")
	n, _ := strconv.Atoi(m[1])
	require.Equal(t, strconv.Itoa(n*500), s[4])
	require.GreaterOrEqual(t, strings.Count(sout, "throughput for the last"), 2, sout)
}

// Over IPv6 loopback, with the client on the IPv6 wildcard address.
func TestPerfIPv6(t *testing.T) {
	c, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6loopback})
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	c.Close()
	cout, sout := perfPairOn(t, "::1", nil, []string{"-n", "100", "-l", "100"})
	require.Regexp(t, `^Sending of 100 messages of length 100 took`, cout)
	require.Regexp(t, `^100, 100, 100, 10000, `, sout)
}

// An interrupted client (-n 0: until killed) still shuts down gracefully
// and prints its summary; the server received every message counted.
func TestPerfInterrupted(t *testing.T) {
	srv := startCmd(t, 10*time.Second, nil, "perf", "-E", "0", "-L", "127.0.0.1", "-c", "1")
	port := srv.udpPort(t)
	cli := startCmd(t, 10*time.Second, nil, "perf", "-v", "-L", "127.0.0.1", "-U", port, "-n", "0", "-l", "800", "127.0.0.1")
	cli.waitOutput(t, "Start sending") // the association is up (under load it may take longer than any fixed sleep)
	time.Sleep(100 * time.Millisecond)
	cli.cancel() // like SIGINT
	cli.wait(t, 5*time.Second)
	require.Equal(t, 0, cli.code, cli.err.String())
	m := clientRE.FindStringSubmatch(cli.out.String())
	require.NotNil(t, m, cli.out.String())
	srv.wait(t, 5*time.Second)
	s := serverRE.FindStringSubmatch(srv.out.String())
	require.NotNil(t, s, srv.out.String())
	require.Equal(t, m[1], s[2])
}

// -P and -t, tsctp's partial reliability flags, give every message the
// policy (RFC 7496): with -P 1 -t 0 (timed reliability, a lifetime of 0
// ms) every message is abandoned before it is sent and the server
// receives none; with -P 2 -t 0 (no retransmission) and -P 3 -t 5
// (priority) on a lossless path, and -P 0, every message is delivered.
func TestPerfPolicy(t *testing.T) {
	for _, tc := range []struct {
		flags    []string
		received string
	}{
		{[]string{"-P", "1", "-t", "0"}, "0"},
		{[]string{"-P2", "-t0"}, "200"},
		{[]string{"-P", "3", "-t", "5"}, "200"},
		{[]string{"-P", "0", "-t", "7"}, "200"},
	} {
		cout, sout := perfPair(t, nil, append([]string{"-n", "200", "-l", "100"}, tc.flags...))
		m := clientRE.FindStringSubmatch(cout)
		require.NotNil(t, m, "%v: client output:\n%s", tc.flags, cout)
		require.Equal(t, "200", m[1], "%v: messages sent", tc.flags)
		s := serverRE.FindStringSubmatch(sout)
		require.NotNil(t, s, "%v: server output:\n%s", tc.flags, sout)
		require.Equal(t, tc.received, s[2], "%v: messages received", tc.flags)
	}
}

// The send parameters of perf's messages carry -u, -P and -t.
func TestPerfSendInfo(t *testing.T) {
	o := perfOpts{policy: 2, prValue: 3, unordered: true}
	require.Equal(t, api.SndRcvInfo{AssocID: 4, Flags: api.Unordered, PrInfo: api.PrInfo{Policy: api.PrRtx, Value: 3}}, o.sendInfo(4))
	o = perfOpts{}
	require.Equal(t, api.SndRcvInfo{AssocID: 4}, o.sendInfo(4))
}

// -streams 3 sends perf's messages on streams 0, 1 and 2 in turn (the
// capture shows the DATA chunks of each), under the -scheduler named; an
// unknown scheduler and more streams than -os are usage errors.
func TestPerfStreamsScheduler(t *testing.T) {
	file := filepath.Join(t.TempDir(), "perf.pcap")
	cout, sout := perfPair(t, nil, []string{"-n", "30", "-l", "100", "-streams", "3", "-scheduler", "SCTP_SS_WFQ", "-pcap", file})
	require.NotNil(t, clientRE.FindStringSubmatch(cout), cout)
	s := serverRE.FindStringSubmatch(sout)
	require.NotNil(t, s, sout)
	require.Equal(t, "30", s[2])
	perStream := map[chunk.StreamID]int{}
	eachChunk(t, file, func(r packet.Raw) {
		var d chunk.Data
		if r.Type == chunk.TypeData {
			_, err := d.Parse(r.Bytes)
			require.NoError(t, err)
			perStream[d.StreamID]++
		}
	})
	require.Equal(t, map[chunk.StreamID]int{0: 10, 1: 10, 2: 10}, perStream)

	for _, args := range [][]string{{"-scheduler", "lifo"}, {"-streams", "11"}} {
		code, _, errOut := runCmd(t, 5*time.Second, nil, append(append([]string{"perf"}, args...), "127.0.0.1")...)
		require.Equal(t, 2, code, "%v: %s", args, errOut)
	}
}

// sctp perf -I on both ends: the association uses I-DATA (RFC 8260), and
// the capture holds I-DATA chunks for every message and no DATA chunk;
// -I on one end only leaves DATA.
func TestPerfInterleaving(t *testing.T) {
	for _, both := range []bool{true, false} {
		file := filepath.Join(t.TempDir(), "perf.pcap")
		var srvArgs []string
		if both {
			srvArgs = []string{"-I"}
		}
		_, sout := perfPair(t, srvArgs, []string{"-I", "-n", "20", "-l", "3000", "-streams", "2", "-pcap", file})
		s := serverRE.FindStringSubmatch(sout)
		require.NotNil(t, s, sout)
		require.Equal(t, "20", s[2])
		kinds := map[chunk.Type]int{}
		eachChunk(t, file, func(r packet.Raw) { kinds[r.Type]++ })
		if both {
			require.Zero(t, kinds[chunk.TypeData], "both ends offered I-DATA")
			require.GreaterOrEqual(t, kinds[chunk.TypeIData], 20*3, "3000-byte messages: at least 3 fragments each")
		} else {
			require.Zero(t, kinds[chunk.TypeIData], "one end did not offer I-DATA")
			require.GreaterOrEqual(t, kinds[chunk.TypeData], 20*3)
		}
	}
}

// eachChunk calls f with every chunk of every packet of the capture file,
// each of which must parse.
func eachChunk(t *testing.T, file string, f func(packet.Raw)) {
	t.Helper()
	pkts, err := pcap.ReadFile(file)
	require.NoError(t, err)
	for _, p := range pkts {
		sp, err := packet.Parse(p.Payload, packet.Options{})
		require.NoError(t, err)
		for it := sp.Chunks(); ; {
			r, ok := it.Next()
			if !ok {
				break
			}
			f(r)
		}
	}
}
