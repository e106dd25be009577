package main

import (
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gensctp/gensctp/internal/dnstest"
	"github.com/stretchr/testify/require"
)

// cat sends stdin to an echo server and prints the echo; the server
// reports the association and its end.
func TestEchoWithCat(t *testing.T) {
	srv := startCmd(t, 10*time.Second, nil, "echo", "-udp-port", "0", "-L", "127.0.0.1", "-v")
	port := srv.udpPort(t)
	code, out, errOut := runCmd(t, 5*time.Second, replyTo("hello, world\n"),
		"cat", "-L", "127.0.0.1", "-remote-udp-port", port, "-p", "7", "-stream", "3", "-ppid", "42", "-v", "127.0.0.1")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "hello, world\n", out)
	requireLines(t, errOut, `^sctp cat: association \d+ with 127\.0\.0\.1:\d+ up$`, `shutdown_comp`)
	srv.waitOutput(t, "received 1 messages, 13 bytes")
	requireLines(t, srv.out.String(),
		`^assoc \d+: comm_up from 127\.0\.0\.1:\d+, 10 outbound / 10 inbound streams$`,
		`^assoc \d+: 13 bytes on stream 3, PPID 42, SSN 0, TSN \d+, complete true$`,
		`^assoc \d+: shutdown_event`,
		`^assoc \d+: assoc_change shutdown_comp`)
	srv.cancel() // like SIGINT
	srv.wait(t, 5*time.Second)
	require.Equal(t, 0, srv.code)
}

// The discard server counts, and exits after -c associations.
func TestDiscard(t *testing.T) {
	srv := startCmd(t, 10*time.Second, nil, "discard", "-udp-port", "0", "-L", "127.0.0.1", "-c", "1")
	port := srv.udpPort(t)
	code, out, errOut := runCmd(t, 5*time.Second, strings.NewReader(strings.Repeat("x", 200000)),
		"cat", "-L", "127.0.0.1", "-remote-udp-port", port, "-p", "9", "127.0.0.1")
	require.Equal(t, 0, code, errOut)
	require.Empty(t, out)
	srv.wait(t, 5*time.Second)
	require.Equal(t, 0, srv.code)
	require.Contains(t, srv.out.String(), "bytes\n")
	requireLines(t, srv.out.String(), `^assoc \d+: received \d+ messages, 200000 bytes$`)
}

// cat -l serves one association: data flows both ways, and the client's
// EOF ends both.
func TestCatListen(t *testing.T) {
	srvIn, srvInW := io.Pipe()
	t.Cleanup(func() { srvInW.Close() })
	srv := startCmd(t, 10*time.Second, srvIn, "cat", "-l", "-p", "4000", "-udp-port", "0", "-L", "127.0.0.1")
	port := srv.udpPort(t)
	go func() { _, _ = io.WriteString(srvInW, "from the server\n") }()
	in := &replyInput{msg: strings.NewReader("from the client\n"), want: len("from the server\n")}
	code, out, errOut := runCmd(t, 5*time.Second, in,
		"cat", "-L", "127.0.0.1", "-remote-udp-port", port, "-p", "4000", "127.0.0.1")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "from the server\n", out)
	srv.wait(t, 5*time.Second)
	require.Equal(t, 0, srv.code, srv.err.String())
	require.Equal(t, "from the client\n", srv.out.String())
}

// A client whose peer does not answer gives up after -max-init-retrans
// with a clear error, naming the UDP port its INITs went to, and status 1.
func TestCatNoPeer(t *testing.T) {
	code, _, errOut := runCmd(t, 5*time.Second, nil,
		"cat", "-L", "127.0.0.1", "-remote-udp-port", "9", "-rto-initial", "20ms", "-rto-min", "10ms", "-rto-max", "40ms",
		"-max-init-retrans", "1", "127.0.0.1")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "sctp cat: association failed: assoc_change cant_assoc: no answer from 127.0.0.1")
	require.Contains(t, errOut, "UDP port 9:")
}

// cat -l takes one association: a second peer gets an ABORT with an Out
// of Resource cause (-max-assocs is 1 unless given), the first is served.
func TestCatListenOneAssociation(t *testing.T) {
	ctx := knobCtx(t)
	srvIn, srvInW := io.Pipe()
	t.Cleanup(func() { srvInW.Close() })
	srv := startCmd(t, 10*time.Second, srvIn, "cat", "-l", "-p", "4002", "-udp-port", "0", "-L", "127.0.0.1")
	udp := srv.udpPort(t)
	first := knobClient(t, udp)
	ac, err := connect(ctx, first, []netip.Addr{knobLo}, 4002)
	require.NoError(t, err)
	_, err = connect(ctx, knobClient(t, udp), []netip.Addr{knobLo}, 4002)
	require.ErrorIs(t, err, errAssocFailed)
	require.ErrorContains(t, err, "cant_assoc, error Out of Resource: sctp: association refused by the peer")
	require.NoError(t, first.Send(ac.AssocID, 0, []byte("the first\n")))
	require.NoError(t, shutdownAndWait(ctx, first, ac.AssocID))
	srv.wait(t, 5*time.Second)
	require.Equal(t, 0, srv.code, srv.err.String())
	require.Equal(t, "the first\n", srv.out.String())
}

// Peers and local addresses may be given by host name: cat binds and
// reaches a server as localhost (the machine's /etc/hosts); a name that
// does not resolve fails with status 1 and nxdomain, fast (a fake DNS
// server answers).
func TestCatHostName(t *testing.T) {
	srv := startCmd(t, 10*time.Second, nil, "echo", "-udp-port", "0", "-L", "127.0.0.1")
	port := srv.udpPort(t)
	code, out, errOut := runCmd(t, 5*time.Second, replyTo("by name\n"),
		"cat", "-L", "localhost", "-remote-udp-port", port, "-p", "7", "localhost")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "by name\n", out)

	dns := dnstest.New(t, nil)
	resolver = dns.Resolver()
	t.Cleanup(func() { resolver = nil })
	for _, args := range [][]string{{"cat", "nonexistent.invalid"}, {"perf", "nonexistent.invalid"},
		{"echo", "-L", "nonexistent.invalid"}, {"cat", "-L", "nonexistent.invalid", "127.0.0.1"}} {
		code, out, errOut = runCmd(t, 5*time.Second, nil, args...)
		require.Equal(t, 1, code, errOut)
		require.Empty(t, out)
		require.Contains(t, errOut, "sctp "+args[0]+": sctp lookup: nxdomain", "%v", args)
	}
	require.NotZero(t, dns.Queries())
}
