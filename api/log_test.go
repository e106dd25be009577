package api

import (
	"bytes"
	"context"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pion/logging"
	"github.com/stretchr/testify/require"
)

// logBuffer is a bytes.Buffer safe for concurrent use: the loggers of
// the stack's goroutines write to it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the messages of scope written so far, without pion's
// prefixes (scope, level, time, file).
func (b *logBuffer) lines(scope string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return logMessages(b.buf.String(), scope)
}

// logMessages returns the messages of scope in the log text s.
func logMessages(s, scope string) []string {
	prefix := regexp.MustCompile(`^` + scope + ` \w+: (\d{4}/\d\d/\d\d )?\d\d:\d\d:\d\d(\.\d+)? (\w+\.go:\d+: )?`)
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if loc := prefix.FindStringIndex(l); loc != nil {
			out = append(out, l[loc[1]:])
		}
	}
	return out
}

// matching returns the lines that match the regular expression re.
func matching(lines []string, re string) []string {
	var out []string
	for _, l := range lines {
		if regexp.MustCompile(re).MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

// traceFactory logs every scope at level into w.
func traceFactory(w io.Writer, level logging.LogLevel) logging.LoggerFactory {
	return &logging.DefaultLoggerFactory{Writer: w, DefaultLogLevel: level, ScopeLevels: map[string]logging.LogLevel{}}
}

// A socket given a LoggerFactory at trace level logs every packet it
// sends and receives as one line with its chunks, and its association's
// handshake; one given none logs nothing.
func TestLoggerFactoryTracesPackets(t *testing.T) {
	clearPionEnv(t)
	var buf logBuffer
	srv := server(t)
	cli := clientOf(t, srv, LoggerFactory(traceFactory(&buf, logging.LogLevelTrace)), SCTPNodelay(true))
	ac := connect(t, cli, srv)
	require.NoError(t, cli.Send(ac.AssocID, 3, []byte("hello")))
	d := recvData(t, srv)
	require.Equal(t, "hello", string(d.Data))
	require.NoError(t, srv.Send(d.Info.AssocID, 3, []byte("back")))
	require.Equal(t, "back", string(recvData(t, cli).Data))
	require.NoError(t, cli.Close())

	c := regexp.QuoteMeta(cli.stk.LocalAddrs()[0].String())
	s := regexp.QuoteMeta(srv.stk.LocalAddrs()[0].String())
	sctp := func(from, to uint16) string {
		return ` sctp ` + strconv.Itoa(int(from)) + ` → ` + strconv.Itoa(int(to)) + ` vtag 0x[0-9a-f]{8} `
	}
	out, in := "^send "+c+" → "+s+sctp(cli.Port(), srv.Port()), "^recv "+s+" → "+c+sctp(srv.Port(), cli.Port())
	lines := buf.lines("sctp-stack")
	for _, re := range []string{
		out + `INIT\(itag=0x[0-9a-f]{8} a_rwnd=\d+ os=10 mis=65535 tsn=\d+\)$`,
		in + `INIT_ACK\(itag=0x[0-9a-f]{8} a_rwnd=\d+ os=10 mis=\d+ tsn=\d+\)$`,
		out + `COOKIE_ECHO\(len=\d+\)$`,
		in + `COOKIE_ACK\(len=0\)$`,
		out + `DATA\(tsn=\d+ sid=3 ssn=0 ppid=0 len=5 flags=BE\)$`,
		in + `(SACK\(cum=\d+ a_rwnd=\d+ gaps=0 dups=0\) )?DATA\(tsn=\d+ sid=3 ssn=0 ppid=0 len=4 flags=BE\)$`,
		out + `SACK\(cum=\d+ a_rwnd=\d+ gaps=0 dups=0\)$`,
	} {
		require.NotEmpty(t, matching(lines, re), "no line matches %s in\n%s", re, strings.Join(lines, "\n"))
	}
	require.Equal(t, lines[0], matching(lines, "INIT\\(")[0], "the INIT goes first")
	require.NotEmpty(t, matching(buf.lines("sctp-assoc"), `cookie_echoed → established: handshake complete \(comm_up\)$`))
	require.NotEmpty(t, matching(buf.lines("sctp-api"), `^open: seqpacket socket on SCTP port \d+`))
	require.NotEmpty(t, matching(buf.lines("sctp-api"), `^close: seqpacket socket on SCTP port \d+$`))
}

// pionEnv are pion's logging environment variables.
var pionEnv = []string{"PION_LOG_TRACE", "PION_LOG_DEBUG", "PION_LOG_INFO", "PION_LOG_WARN", "PION_LOG_ERROR",
	"PION_LOG_DISABLE", "PIONS_LOG_TRACE", "PIONS_LOG_DEBUG", "PIONS_LOG_INFO", "PIONS_LOG_WARN", "PIONS_LOG_ERROR",
	"PIONS_LOG_DISABLE"}

// clearPionEnv unsets pion's logging variables for the test, which the
// test's environment may set.
func clearPionEnv(t *testing.T) {
	for _, k := range pionEnv {
		t.Setenv(k, "")
	}
}

// With no LoggerFactory, a socket follows pion's convention: silent, or,
// with PION_LOG_TRACE=sctp-stack, its packets traced to standard error
// by pion's default factory.
func TestLoggerFactoryFromPionEnv(t *testing.T) {
	clearPionEnv(t)
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	require.NoError(t, err)
	defer f.Close()
	stderr := os.Stderr
	os.Stderr = f // pion's default factory writes to os.Stderr as it is when made
	t.Cleanup(func() { os.Stderr = stderr })

	exchange := func() {
		srv := server(t)
		cli := clientOf(t, srv)
		connect(t, cli, srv)
		require.NoError(t, cli.Close())
		require.NoError(t, srv.Close())
	}
	exchange()
	got, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	require.Empty(t, string(got), "silent by default")

	t.Setenv("PION_LOG_TRACE", "sctp-stack")
	exchange()
	got, err = os.ReadFile(f.Name())
	require.NoError(t, err)
	lines := logMessages(string(got), "sctp-stack")
	require.NotEmpty(t, matching(lines, `^send .* INIT\(itag=`), "%s", got)
	require.NotEmpty(t, matching(lines, `^recv .* COOKIE_ACK\(len=0\)$`), "%s", got)
	require.Empty(t, logMessages(string(got), "sctp-assoc"), "only the scope named")
}

// Logging that is off costs nothing on the data path: with a
// LoggerFactory whose every scope logs at info level (so at no level the
// data path logs at: it logs only at trace level), sending and
// receiving a message still allocates nothing.
func TestLoggerFactoryOffAllocs(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector allocates")
	}
	clearPionEnv(t)
	var buf logBuffer
	require.Zero(t, sendRecvAllocs(t, context.Background(), false, LoggerFactory(traceFactory(&buf, logging.LogLevelInfo))))
	require.Empty(t, buf.lines("sctp-stack"))
}

// BenchmarkSendRecvLogging is BenchmarkSendRecv with logging: none (no
// LoggerFactory, pion's environment variables unset), off (a
// LoggerFactory whose scopes log at info level: the data path logs
// nothing, and formats nothing), and trace (every packet summarised, to
// io.Discard). None and off cost the same, with no allocation.
func BenchmarkSendRecvLogging(b *testing.B) {
	for _, k := range pionEnv {
		if os.Getenv(k) != "" {
			b.Skipf("%s is set", k)
		}
	}
	for _, bc := range []struct {
		name string
		opts []Option
	}{
		{"none", nil},
		{"off", []Option{LoggerFactory(traceFactory(io.Discard, logging.LogLevelInfo))}},
		{"trace", []Option{LoggerFactory(traceFactory(io.Discard, logging.LogLevelTrace))}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			benchSendRecv(b, append([]Option{IP(lo), LocalUDPPort(0)}, bc.opts...), func(srv *Socket) []Option {
				return append([]Option{IP(lo), LocalUDPPort(0), RemoteUDPPort(srv.UDPPort())}, bc.opts...)
			}, lo)
		})
	}
}

// On a UDP port shared with other sockets, a socket traces the packets of
// its own SCTP port, and only those.
func TestLoggerFactoryTraceOnSharedPort(t *testing.T) {
	clearPionEnv(t)
	var buf logBuffer
	srv := server(t)
	traced := server(t, LocalUDPPort(srv.UDPPort()), LoggerFactory(traceFactory(&buf, logging.LogLevelTrace)))
	require.Equal(t, srv.UDPPort(), traced.UDPPort())
	cli := clientOf(t, srv)
	connect(t, cli, srv)
	connect(t, cli, traced)
	require.NoError(t, cli.Close())
	// Trace lines go through a queue that the traced socket's Close
	// writes out.
	require.NoError(t, traced.Close())

	lines := buf.lines("sctp-stack")
	port := strconv.Itoa(int(traced.Port()))
	require.NotEmpty(t, matching(lines, `^recv .* sctp \d+ → `+port+` vtag 0x00000000 INIT\(`), "%q", lines)
	require.NotEmpty(t, matching(lines, `^send .* sctp `+port+` → \d+ vtag 0x[0-9a-f]+ INIT_ACK\(`), "%q", lines)
	other := `sctp (\d+ → )?` + strconv.Itoa(int(srv.Port())) + `( →|\b)`
	require.Empty(t, matching(lines, other), "packets of the other socket's port")
}

// Two sockets share an SCTP port and a UDP port on disjoint addresses:
// the packet trace of the one bound to lo shows its own packets and none
// of the other's (bound to lo2).
func TestLoggerFactoryTraceSharedSCTPPort(t *testing.T) {
	clearPionEnv(t)
	var buf logBuffer
	a, _ := sharedSCTPPort(t, LoggerFactory(traceFactory(&buf, logging.LogLevelTrace)))
	require.NoError(t, a.Close())
	lines := buf.lines("sctp-stack")
	require.NotEmpty(t, matching(lines, `^recv .* → 127\.0\.0\.1:\d+ sctp \d+ → \d+ vtag 0x00000000 INIT\(`), "%q", lines)
	require.Empty(t, matching(lines, `127\.0\.0\.2`), "the other socket's packets")
}

// A packet trace whose logger's writer blocks holds up no packet: neither
// the socket's own (the lines beyond the queue are dropped) nor those of
// another socket on the same UDP port; and closing the socket does not
// wait for the writer for more than a second.
func TestLoggerFactoryTraceBlockedWriter(t *testing.T) {
	clearPionEnv(t)
	g := &stuckWriter{release: make(chan struct{})}
	defer close(g.release)
	f := &logging.DefaultLoggerFactory{Writer: g, DefaultLogLevel: logging.LogLevelDisabled,
		ScopeLevels: map[string]logging.LogLevel{"sctp-stack": logging.LogLevelTrace}}
	// More packet lines (a DATA and a SACK each) than the trace queues.
	checkNotHeldUp(t, g, 600, 1, LoggerFactory(f))
}
