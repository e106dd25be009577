//go:build linux

package interop

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// envInNetns marks a test binary re-executed inside its own network
// namespace.
const envInNetns = "GENSCTP_INTEROP_NETNS"

// TestMain re-executes the test binary inside a new network namespace with
// only a loopback interface (unshare --net), so that nothing a peer
// advertises can reach the machine's other addresses. Without unshare (or
// root), the tests run as they are and the ones needing the namespace
// skip or, in CI, fail.
func TestMain(m *testing.M) {
	if os.Getenv(envInNetns) == "" {
		if code, ok := reexecInNetns(); ok {
			os.Exit(code)
		}
	}
	code := m.Run()
	removeSCTPBuild()
	os.Exit(code)
}

func reexecInNetns() (int, bool) {
	unshare, err := exec.LookPath("unshare")
	if err != nil || os.Geteuid() != 0 {
		return 0, false
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		return 0, false
	}
	self, err := os.Executable()
	if err != nil {
		return 0, false
	}
	args := []string{"--net", "sh", "-c", `"$0" link set lo up && exec "$@"`, ip, self}
	args = append(args, os.Args[1:]...)
	cmd := exec.Command(unshare, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), envInNetns+"=1")
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), true
		}
		fmt.Fprintln(os.Stderr, "interop: cannot enter a network namespace:", err)
		return 0, false
	}
	return 0, true
}

// inCI reports whether the tests run in CI, where a missing peer fails.
func inCI() bool { return os.Getenv("CI") == "true" }

// needNetns skips (locally) or fails (CI) unless the test runs in its own
// network namespace.
func needNetns(t *testing.T) {
	t.Helper()
	if os.Getenv(envInNetns) == "" {
		msg := "not in a private network namespace (needs root and unshare)"
		if inCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// usrsctpProgram returns the path of a usrsctp example program, skipping
// (locally) or failing (CI) when it is not installed.
func usrsctpProgram(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("/usr/lib/usrsctp", name)
	if _, err := os.Stat(p); err != nil {
		msg := fmt.Sprintf("usrsctp's %s is not installed (Debian package libusrsctp-examples)", name)
		if inCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// peerProcess is a usrsctp program running for a test, stopped by the
// test's cleanup and by its own deadline.
type peerProcess struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	done   chan struct{}
	stdout *filterWriter
	// stdin is the program's standard input when startPeerStdin started
	// it, nil otherwise.
	stdin io.WriteCloser
}

// startPeer runs prog with args for at most limit. Its very verbose debug
// output is discarded, except the lines that do not start with "[S]"
// (usrsctp's debug prefix), which are kept for the test to read, with
// those of its standard error (tsctp's perror messages, the sctp
// command's "listening" line), so that a program that exits early says
// why in the test's failure. The program's standard output is
// line-buffered (stdbuf -oL, when coreutils' stdbuf is there), so that
// what it printed can be read while it runs.
func startPeer(t *testing.T, limit time.Duration, prog string, args ...string) *peerProcess {
	t.Helper()
	return startPeerIO(t, limit, false, prog, args...)
}

// startPeerStdin is startPeer with the program's standard input a pipe
// (peerProcess.stdin) that the test writes and closes.
func startPeerStdin(t *testing.T, limit time.Duration, prog string, args ...string) *peerProcess {
	t.Helper()
	return startPeerIO(t, limit, true, prog, args...)
}

func startPeerIO(t *testing.T, limit time.Duration, withStdin bool, prog string, args ...string) *peerProcess {
	t.Helper()
	if stdbuf, err := exec.LookPath("stdbuf"); err == nil {
		args = append([]string{"-oL", prog}, args...)
		prog = stdbuf
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &filterWriter{}
	cmd.Stdout, cmd.Stderr = out, out // the same writer: one pipe for both
	cmd.WaitDelay = 2 * time.Second
	p := &peerProcess{cmd: cmd, cancel: cancel, done: make(chan struct{}), stdout: out}
	if withStdin {
		in, err := cmd.StdinPipe()
		if err != nil {
			cancel()
			t.Fatalf("stdin of %s: %v", prog, err)
		}
		p.stdin = in
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start %s: %v", prog, err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(p.stop)
	return p
}

func (p *peerProcess) stop() {
	p.cancel()
	<-p.done
}

// Output returns what the program printed so far, debug lines removed.
func (p *peerProcess) Output() string { return p.stdout.String() }

// Done is closed when the program exited.
func (p *peerProcess) Done() <-chan struct{} { return p.done }

// exitCode returns the program's exit code once it exited (-1 when killed).
func (p *peerProcess) exitCode() int {
	<-p.done
	return p.cmd.ProcessState.ExitCode()
}

// filterWriter keeps the lines that are not usrsctp debug output. It is
// safe for concurrent use: exec's copying goroutine writes while the test
// reads.
type filterWriter struct {
	mu   sync.Mutex
	w    strings.Builder
	line []byte
}

func (f *filterWriter) Write(b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range b {
		if c != '\n' {
			if len(f.line) < 4096 {
				f.line = append(f.line, c)
			}
			continue
		}
		if !strings.HasPrefix(string(f.line), "[S]") && f.w.Len() < 1<<20 {
			f.w.Write(f.line)
			f.w.WriteByte('\n')
		}
		f.line = f.line[:0]
	}
	return len(b), nil
}

// String returns the lines kept so far.
func (f *filterWriter) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.w.String()
}

// TestNamespace checks the namespace the tests run in: only loopback.
func TestNamespace(t *testing.T) {
	needNetns(t)
	out, err := exec.Command("ip", "-o", "addr").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if !strings.Contains(line, " lo ") {
			t.Fatalf("an interface other than lo: %s", line)
		}
	}
}
