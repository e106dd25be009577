package main

import (
	"bytes"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestVersionLine(t *testing.T) {
	var b bytes.Buffer
	writeVersion(&b, &debug.BuildInfo{
		GoVersion: "go1.26.0",
		Main:      debug.Module{Path: "github.com/gensctp/gensctp", Version: "v0.3.0"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"},
			{Key: "vcs.time", Value: "2026-12-07T05:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	})
	want := "sctp v0.3.0 (0123456789ab, modified 2026-12-07T05:00:00Z) go1.26.0 " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	require.Equal(t, want, b.String())

	b.Reset()
	writeVersion(&b, &debug.BuildInfo{})
	require.Equal(t, "sctp (unknown) "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+"\n", b.String())
}

func TestVersionCommand(t *testing.T) {
	code, out, errOut := runCmd(t, time.Second, nil, "version")
	require.Equal(t, 0, code)
	require.Empty(t, errOut)
	require.True(t, strings.HasPrefix(out, "sctp "), "%q", out)
	require.Contains(t, out, runtime.Version())
	require.Equal(t, 1, strings.Count(out, "\n"))

	code, _, _ = runCmd(t, time.Second, nil, "version", "-bogus")
	require.Equal(t, 2, code)
}
