package stack

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/pion/logging"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A stack whose sctp-stack logger logs at trace level logs every packet
// it sends and receives as one line; at debug level, none.
func TestTracePackets(t *testing.T) {
	var trace, debug syncBuffer
	factory := func(w *syncBuffer, level logging.LogLevel) *logging.DefaultLoggerFactory {
		return &logging.DefaultLoggerFactory{Writer: w, DefaultLogLevel: logging.LogLevelError,
			ScopeLevels: map[string]logging.LogLevel{"sctp-stack": level}}
	}
	srv, cli := associate(t, Config{LoggerFactory: factory(&debug, logging.LogLevelDebug)},
		Config{LoggerFactory: factory(&trace, logging.LogLevelTrace)})
	require.NoError(t, cli.Close())
	require.NoError(t, srv.Close())
	require.Empty(t, debug.String())
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(trace.String()), "\n") {
		_, msg, ok := strings.Cut(l, "trace.go")
		require.True(t, ok, "line %q", l)
		lines = append(lines, msg)
	}
	require.GreaterOrEqual(t, len(lines), 4, "%q", lines)
	srvAddr, cliAddr := srv.LocalAddrs()[0].String(), cli.LocalAddrs()[0].String()
	for i, want := range []string{
		"send " + cliAddr + " → " + srvAddr + " sctp 40000 → 7 vtag 0x00000000 INIT(itag=",
		"recv " + srvAddr + " → " + cliAddr + " sctp 7 → 40000 vtag 0x",
		"send " + cliAddr + " → " + srvAddr + " sctp 40000 → 7 vtag 0x",
		"recv " + srvAddr + " → " + cliAddr + " sctp 7 → 40000 vtag 0x",
	} {
		require.Contains(t, lines[i], want)
	}
	require.Contains(t, lines[1], "INIT_ACK(itag=")
	require.Contains(t, lines[2], "COOKIE_ECHO(len=")
	require.Contains(t, lines[3], "COOKIE_ACK(len=0)")
}
