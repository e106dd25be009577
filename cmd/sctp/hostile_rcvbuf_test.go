package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Hostile peers against what the sctp servers hold for their peers.

// A peer that sends one endless message made echo gather it without
// limit (RSS 518 MB after 159 MiB). echo gathers a message delivered in
// pieces (here above 2048 bytes, half of -rcvbuf) and echoes it whole, up
// to -max-message bytes per association (default 16 MiB); a message
// beyond that aborts its association with a line saying why, and the
// server goes on serving.
func TestHostileRcvbufEchoGathering(t *testing.T) {
	srv := startCmd(t, 10*time.Second, nil, "echo", "-udp-port", "0", "-L", "127.0.0.1",
		"-rcvbuf", "4096", "-max-message", "10000")
	port := srv.udpPort(t)
	cat := func(in io.Reader) (int, string, string) {
		return runCmd(t, 5*time.Second, in,
			"cat", "-L", "127.0.0.1", "-remote-udp-port", port, "-p", "7", "127.0.0.1")
	}
	within := strings.Repeat("0123456789", 800)
	code, out, errOut := cat(replyTo(within))
	require.Equal(t, 0, code, errOut)
	require.Equal(t, within, out, "echoed whole")

	// No reply: the server aborts before it has read, and so acknowledged,
	// what cat's shutdown waits for.
	code, out, _ = cat(strings.NewReader(strings.Repeat("x", 20000)))
	require.NotEqual(t, 0, code)
	require.Empty(t, out)
	id := srv.assocOf(t, "message on stream 0 beyond -max-message 10000 bytes gathered: aborting")
	srv.waitOutput(t, "assoc "+id+": received")

	code, out, errOut = cat(replyTo("still serving"))
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "still serving", out)
}

// messageReader returns n messages of size bytes, one per Read.
type messageReader struct{ n, size int }

func (r *messageReader) Read(b []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	r.n--
	k := min(r.size, len(b))
	for i := range k {
		b[i] = 'a' + byte(r.n%26)
	}
	return k, nil
}

// echo's -max-message budget counts what is gathered at a time, not in
// all: an association that sends many messages, each delivered in pieces
// and within the budget, is served to the end. Before, the last piece of
// every message stayed counted and the third message aborted the
// association.
func TestHostileRcvbufEchoGatheringManyMessages(t *testing.T) {
	srv := startCmd(t, 20*time.Second, nil, "echo", "-udp-port", "0", "-L", "127.0.0.1",
		"-rcvbuf", "4096", "-max-message", "10000")
	port := srv.udpPort(t)
	// Each above the partial delivery point (2048) and the receive
	// buffer, within 10000.
	const msgs, size = 10, 8000
	code, out, errOut := runCmd(t, 15*time.Second, &messageReader{n: msgs, size: size},
		"cat", "-L", "127.0.0.1", "-remote-udp-port", port, "-p", "7", "-q", "1", "127.0.0.1")
	require.NotContains(t, srv.out.String(), "beyond -max-message")
	require.Equal(t, 0, code, errOut)
	require.Len(t, out, msgs*size)
}

// discard counts messages whole too (api delivers them so): one
// delivered in pieces within -max-message is one message; one beyond it
// aborts its association, and the server goes on serving.
func TestHostileRcvbufDiscardGathering(t *testing.T) {
	srv := startCmd(t, 10*time.Second, nil, "discard", "-udp-port", "0", "-L", "127.0.0.1",
		"-rcvbuf", "4096", "-max-message", "10000")
	port := srv.udpPort(t)
	cat := func(msg string) (int, string, string) {
		return runCmd(t, 5*time.Second, strings.NewReader(msg),
			"cat", "-L", "127.0.0.1", "-remote-udp-port", port, "-p", "9", "127.0.0.1")
	}
	code, _, errOut := cat(strings.Repeat("y", 8000))
	require.Equal(t, 0, code, errOut)
	srv.assocOf(t, "received 1 messages, 8000 bytes")

	code, _, _ = cat(strings.Repeat("x", 20000))
	require.NotEqual(t, 0, code)
	id := srv.assocOf(t, "message on stream 0 beyond -max-message 10000 bytes gathered: aborting")
	srv.waitOutput(t, "assoc "+id+": received 0 messages, 0 bytes\n")
}
