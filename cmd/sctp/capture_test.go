package main

import (
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/pcap"
	"github.com/stretchr/testify/require"
)

// requireSession checks that the capture file holds a whole association
// of the socket at UDP port udpPort, on loopback: the handshake, DATA
// (at least minData chunks), SACKs and the shutdown, every packet with a
// valid CRC32c.
func requireSession(t *testing.T, file, udpPort string, minData int) {
	t.Helper()
	pkts, err := pcap.ReadFile(file)
	require.NoError(t, err)
	types := map[chunk.Type]int{}
	for i, p := range pkts {
		require.True(t, p.Src.IsLoopback() && p.Dst.IsLoopback(), "packet %d: %v -> %v", i+1, p.Src, p.Dst)
		ports := []string{itoa(p.SrcPort), itoa(p.DstPort)}
		require.Contains(t, ports, udpPort, "packet %d: UDP ports %v", i+1, ports)
		sp, err := packet.Parse(p.Payload, packet.Options{})
		require.NoError(t, err, "packet %d", i+1)
		for it := sp.Chunks(); ; {
			r, ok := it.Next()
			if !ok {
				break
			}
			types[r.Type]++
		}
	}
	for _, typ := range []chunk.Type{chunk.TypeInit, chunk.TypeInitAck, chunk.TypeCookieEcho, chunk.TypeCookieAck,
		chunk.TypeSACK, chunk.TypeShutdown, chunk.TypeShutdownAck, chunk.TypeShutdownComplete} {
		require.NotZero(t, types[typ], "%s: no %v chunk", file, typ)
	}
	require.GreaterOrEqual(t, types[chunk.TypeData], minData, "%s: DATA chunks", file)
}

func itoa(p uint16) string { return strconv.Itoa(int(p)) }

// -pcap FILE records the packets of the socket of echo, cat, perf and
// demo, and says how to read them with tshark.
func TestPcapFlag(t *testing.T) {
	dir := t.TempDir()
	file := func(name string) string { return filepath.Join(dir, name) }

	srv := startCmd(t, 10*time.Second, nil, "echo", "-udp-port", "0", "-L", "127.0.0.1", "-c", "1", "-pcap", file("echo.pcap"))
	port := srv.udpPort(t)
	code, out, errOut := runCmd(t, 5*time.Second, replyTo("hello\n"),
		"cat", "-L", "127.0.0.1", "-remote-udp-port", port, "-p", "7", "-pcap", file("cat.pcap"), "127.0.0.1")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "hello\n", out)
	srv.wait(t, 5*time.Second)
	require.Equal(t, 0, srv.code, srv.err.String())
	requireSession(t, file("echo.pcap"), port, 2)
	requireSession(t, file("cat.pcap"), port, 2)
	requireLines(t, srv.err.String(), `^sctp echo: packets captured in `+regexp.QuoteMeta(file("echo.pcap"))+
		`; read them with: tshark -r `+regexp.QuoteMeta(file("echo.pcap"))+` -d udp\.port==`+port+`,sctp$`)
	requireLines(t, errOut, `^sctp cat: packets captured in .*cat\.pcap; read them with: tshark -r .*cat\.pcap -d udp\.port==\d+,sctp$`)

	perfPair(t, []string{"-pcap", file("perfserver.pcap")}, []string{"-L", "127.0.0.1", "-n", "10", "-pcap", file("perf.pcap")})
	pkts, err := pcap.ReadFile(file("perf.pcap"))
	require.NoError(t, err)
	require.NotEmpty(t, pkts)
	perfPort := itoa(pkts[0].DstPort) // the INIT goes to the server
	requireSession(t, file("perfserver.pcap"), perfPort, 10)
	requireSession(t, file("perf.pcap"), perfPort, 10)

	code, _, errOut = runCmd(t, 15*time.Second, nil, "demo", "-T", "100ms", "-pings", "2", "-pcap", file("demo.pcap"))
	require.Equal(t, 0, code, errOut)
	pkts, err = pcap.ReadFile(file("demo.pcap"))
	require.NoError(t, err)
	require.NotEmpty(t, pkts)
	requireSession(t, file("demo.pcap"), itoa(pkts[0].SrcPort), 4) // the client sends the INIT
}

// A -pcap file that cannot be created is an error of the command.
func TestPcapFlagBadFile(t *testing.T) {
	code, _, errOut := runCmd(t, 5*time.Second, nil, "demo", "-T", "10ms", "-pcap", filepath.Join(t.TempDir(), "no", "such", "dir.pcap"))
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "sctp demo: -pcap: open ")
}
