package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for a command writing and a test
// reading at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Len returns the number of bytes written.
func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

// replyInput is the stdin of a cat that expects a reply of want bytes to
// msg: it reads msg, then holds EOF until the cat's stdout has want
// bytes or the cat has ended. At EOF cat shuts the association down
// (after -q), and a peer that got the SHUTDOWN accepts no more data from
// its user (RFC 9260 Section 9.2): a fixed -q would assume how soon the
// reply comes, which on a loaded machine may be later than any.
type replyInput struct {
	msg  *strings.Reader
	want int
	r    *result // the cat's, set by startCmd before it starts
}

// replyTo returns the stdin of a cat whose peer echoes msg.
func replyTo(msg string) *replyInput {
	return &replyInput{msg: strings.NewReader(msg), want: len(msg)}
}

func (in *replyInput) started(r *result) { in.r = r }

func (in *replyInput) Read(b []byte) (int, error) {
	if in.msg.Len() > 0 {
		return in.msg.Read(b)
	}
	for in.r.out.Len() < in.want {
		select {
		case <-in.r.done:
			return 0, io.EOF
		case <-time.After(5 * time.Millisecond):
		}
	}
	return 0, io.EOF
}

// result is the outcome of a command run in the background.
type result struct {
	code     int
	out, err *syncBuffer
	done     chan struct{}
	cancel   context.CancelFunc
}

// runCmd runs a command in-process and returns its exit status and
// output; it fails the test if it takes longer than limit.
func runCmd(t *testing.T, limit time.Duration, in io.Reader, args ...string) (int, string, string) {
	t.Helper()
	r := startCmd(t, limit, in, args...)
	r.wait(t, limit)
	return r.code, r.out.String(), r.err.String()
}

// startCmd starts a command in the background, bounded by limit (its
// context is cancelled then, and at the end of the test).
func startCmd(t *testing.T, limit time.Duration, in io.Reader, args ...string) *result {
	t.Helper()
	if in == nil {
		in = strings.NewReader("")
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	r := &result{out: &syncBuffer{}, err: &syncBuffer{}, done: make(chan struct{}), cancel: cancel}
	if w, ok := in.(interface{ started(*result) }); ok {
		w.started(r) // a replyInput watches stdout
	}
	go func() {
		defer close(r.done)
		r.code = runWith(ctx, stdio{in: in, out: r.out, err: r.err}, args)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(limit + 10*time.Second):
			t.Errorf("%v did not stop", args)
		}
	})
	return r
}

// wait waits for the command to exit, at most limit.
func (r *result) wait(t *testing.T, limit time.Duration) {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(limit + 5*time.Second):
		t.Fatalf("command did not finish; stdout:\n%s\nstderr:\n%s", r.out, r.err)
	}
}

var listenRE = regexp.MustCompile(`listening on UDP (?:127\.0\.0\.1|\[::1\]):(\d+),`)

// udpPort waits for the "listening on" line of a server and returns its
// UDP port.
func (r *result) udpPort(t *testing.T) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenRE.FindStringSubmatch(r.err.String()); m != nil {
			return m[1]
		}
		select {
		case <-r.done:
			t.Fatalf("server exited with %d: %s", r.code, r.err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatalf("no listening line: %s", r.err)
	return ""
}

// waitOutput waits until the command's stdout contains s.
func (r *result) waitOutput(t *testing.T, s string) {
	t.Helper()
	r.waitFor(t, s, func(out string) bool { return strings.Contains(out, s) })
}

// waitFor waits until ok holds for stdout, what being what it waits for.
func (r *result) waitFor(t *testing.T, what string, ok func(out string) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok(r.out.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("stdout has no %q:\n%s", what, r.out)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// requireLines checks that out contains every pattern (regular
// expressions, multi-line mode).
func requireLines(t *testing.T, out string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		require.Regexp(t, regexp.MustCompile("(?m)"+p), out)
	}
}

// assocOf returns the association id of the first line of stdout that
// ends with suffix ("assoc <id>: <suffix>"), waiting for one: the ids
// depend on the shard of the stack that set the association up.
func (r *result) assocOf(t *testing.T, suffix string) string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^assoc (\d+): ` + regexp.QuoteMeta(suffix) + `$`)
	var id string
	r.waitFor(t, suffix, func(out string) bool {
		m := re.FindStringSubmatch(out)
		if m != nil {
			id = m[1]
		}
		return m != nil
	})
	return id
}

// loopbackMTU returns the MTU of the loopback interface.
func loopbackMTU() (int, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return 0, err
	}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagLoopback != 0 && ifc.Flags&net.FlagUp != 0 {
			return ifc.MTU, nil
		}
	}
	return 0, errors.New("no loopback interface")
}
