package readme

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const root = "../.."

// firstGoBlock returns the first fenced Go code block of markdown.
func firstGoBlock(t *testing.T, markdown string) string {
	t.Helper()
	_, rest, ok := strings.Cut(markdown, "```go\n")
	require.True(t, ok, "README.md has no Go code block")
	code, _, ok := strings.Cut(rest, "```")
	require.True(t, ok, "README.md's first Go code block is not closed")
	return code
}

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	return string(b)
}

// TestFirstExampleRunsAsPasted builds the README's first Go block as a
// program of its own and runs it: it must print what the README says it
// prints. On Linux as root it runs in a network namespace of its own, so
// that the UDP port it binds (the default, 9899) is free whatever else
// runs on the machine.
func TestFirstExampleRunsAsPasted(t *testing.T) {
	md := readme(t)
	code := firstGoBlock(t, md)
	require.True(t, strings.HasPrefix(code, "package main\n"), "the first Go block must be a whole program")
	want := regexp.MustCompile("(?s)```go\n.*?```\n\nIt prints `([^`]+)`").FindStringSubmatch(md)
	require.NotNil(t, want, "the first Go block must be followed by \"It prints `...`\"")

	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	require.NoError(t, os.WriteFile(src, []byte(code), 0o644))
	bin := filepath.Join(dir, "readme")
	build := exec.Command("go", "build", "-o", bin, src)
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build of the README example:\n%s", out)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	if privateNetns() {
		cmd = exec.CommandContext(ctx, "unshare", "--net", "sh", "-c", `ip link set lo up && exec "$0"`, bin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "the README example failed: %s", stderr.String())
	require.Equal(t, want[1]+"\n", stdout.String())
}

// privateNetns reports whether the example can run in a network namespace
// of its own: Linux, root, and unshare and ip installed.
func privateNetns() bool {
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		return false
	}
	for _, tool := range []string{"unshare", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			return false
		}
	}
	return exec.Command("unshare", "--net", "true").Run() == nil
}

// TestInstallAndGoVersion: the README names the import path and the
// install line of the command, and the Go version go.mod requires.
func TestInstallAndGoVersion(t *testing.T) {
	md := readme(t)
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	module := regexp.MustCompile(`(?m)^module (\S+)$`).FindSubmatch(gomod)
	require.NotNil(t, module)
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	require.NotNil(t, goVersion)

	require.Contains(t, md, "go install "+string(module[1])+"/cmd/sctp@latest")
	require.Contains(t, md, `"`+string(module[1])+`/api"`)
	require.Contains(t, md, "Go "+string(goVersion[1])+" or newer")
	for _, v := range regexp.MustCompile(`Go (\d+\.\d+) or newer`).FindAllStringSubmatch(md, -1) {
		require.Equal(t, string(goVersion[1]), v[1], "the README names another Go version")
	}
}
