package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

var versionCommand = command{
	name:    "version",
	summary: "print the gensctp version, the commit it was built from and the Go version",
}

// runVersion prints one line: "sctp <module version> (<revision>[,
// modified] <commit time>) <go version> <os>/<arch>". The module version
// is the one "go install .../cmd/sctp@version" recorded; a build from a
// checkout says "(devel)" and names the commit instead.
func runVersion(ctx context.Context, sio stdio, args []string) int {
	fs := newFlagSet(versionCommand)
	if _, code, ok := parseCommand(sio, versionCommand, fs, args); !ok {
		return code
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = &debug.BuildInfo{}
	}
	writeVersion(sio.out, info)
	return 0
}

// writeVersion writes the version line of info to w.
func writeVersion(w io.Writer, info *debug.BuildInfo) {
	version := info.Main.Version
	if version == "" {
		version = "(unknown)"
	}
	var rev, at, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	fmt.Fprintf(w, "sctp %s", version)
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		fmt.Fprintf(w, " (%s%s %s)", rev, modified, at)
	}
	goVersion := info.GoVersion
	if goVersion == "" {
		goVersion = runtime.Version()
	}
	fmt.Fprintf(w, " %s %s/%s\n", goVersion, runtime.GOOS, runtime.GOARCH)
}
