package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// perf -cpuprofile writes a CPU profile of the run (gzip-compressed
// protocol buffers, as go tool pprof reads); a file that cannot be made
// fails the command before it runs. (One profile at a time in a process:
// the server of this in-process test has none.)
func TestPerfCPUProfile(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "client.prof")
	perfPair(t, nil, []string{"-L", "127.0.0.1", "-n", "2000", "-l", "1200", "-cpuprofile", prof})
	b, err := os.ReadFile(prof)
	require.NoError(t, err)
	require.Greater(t, len(b), 2)
	require.Equal(t, []byte{0x1f, 0x8b}, b[:2], "gzip")
	code, _, errOut := runCmd(t, 5*time.Second, nil, "perf", "-cpuprofile", filepath.Join(dir, "no", "such", "dir"), "-n", "1", "127.0.0.1")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "-cpuprofile")
}
