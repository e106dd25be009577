package stack

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/internal/logs"
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

// A trace (Trace) at trace level logs every packet of its SCTP port
// that the stack sends and receives as one line; one at debug level, or
// for another port, none.
func TestTracePackets(t *testing.T) {
	var trace, debug, other syncBuffer
	logger := func(w *syncBuffer, level logging.LogLevel) *logs.Logger {
		return logs.New(&logging.DefaultLoggerFactory{Writer: w, DefaultLogLevel: logging.LogLevelError,
			ScopeLevels: map[string]logging.LogLevel{"sctp-stack": level}}, logs.ScopeStack)
	}
	srv, cli := associate(t, Config{}, Config{}, func(srv, cli *Stack) {
		srv.Trace(logger(&debug, logging.LogLevelDebug), TapFilter{})
		cli.Trace(logger(&other, logging.LogLevelTrace), TapFilter{Port: 40001})
		cli.Trace(logger(&trace, logging.LogLevelTrace), TapFilter{Port: 40000})
	})
	require.NoError(t, cli.Close())
	require.NoError(t, srv.Close())
	require.Empty(t, debug.String())
	require.Empty(t, other.String())
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

// gatedBuffer is a syncBuffer whose Writes wait until open is closed;
// entered is closed by the first.
type gatedBuffer struct {
	open, entered chan struct{}
	once          sync.Once
	syncBuffer
}

func (b *gatedBuffer) Write(p []byte) (int, error) {
	b.once.Do(func() { close(b.entered) })
	<-b.open
	return b.syncBuffer.Write(p)
}

// A trace queues its lines for the logger: a logger whose writer blocks
// holds up no packet; the lines beyond maxTraceLines are dropped, and
// their count logged once the writer takes lines again; wait bounds the
// wait for the writer.
func TestTraceBlockedWriter(t *testing.T) {
	out := &gatedBuffer{open: make(chan struct{}), entered: make(chan struct{})}
	tr := &tracer{log: logs.New(&logging.DefaultLoggerFactory{Writer: out, DefaultLogLevel: logging.LogLevelTrace},
		logs.ScopeStack)}
	tr.push("0")
	select {
	case <-out.entered: // the logger's writer now blocks
	case <-time.After(10 * time.Second):
		t.Fatal("the line was not handed to the logger")
	}
	const n = maxTraceLines + 100
	for i := 1; i < n; i++ {
		tr.push(strconv.Itoa(i)) // does not wait for the writer
	}
	start := time.Now()
	tr.wait(time.Now().Add(50 * time.Millisecond))
	require.Less(t, time.Since(start), 5*time.Second)
	close(out.open)
	tr.wait(time.Now().Add(10 * time.Second))
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		_, msg, _ := strings.Cut(l, "trace.go:")
		_, msg, _ = strings.Cut(msg, " ")
		lines = append(lines, msg)
	}
	want := []string{"0", "99 packet lines dropped: the logger's writer is slow"}
	for i := 1; i <= maxTraceLines; i++ {
		want = append(want, strconv.Itoa(i))
	}
	require.Equal(t, want, lines)
}
