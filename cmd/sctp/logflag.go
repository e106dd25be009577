package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gensctp/gensctp/api"
	"github.com/pion/logging"
)

// logLevels are the values of -log, from the least verbose.
var logLevels = []struct {
	name  string
	level logging.LogLevel
}{
	{"off", logging.LogLevelDisabled},
	{"error", logging.LogLevelError},
	{"warn", logging.LogLevelWarn},
	{"info", logging.LogLevelInfo},
	{"debug", logging.LogLevelDebug},
	{"trace", logging.LogLevelTrace},
}

// logFlag is the -log flag: the level every logging scope of the socket
// logs at (api.LoggerFactory), to standard error. Without it the command
// follows pion's convention: silent, unless PION_LOG_* says otherwise.
type logFlag struct {
	set   bool
	level logging.LogLevel
	out   io.Writer // where the logs go; nil: os.Stderr
}

// register adds -log to fs.
func (l *logFlag) register(fs *flag.FlagSet) {
	names := make([]string, len(logLevels))
	for i, v := range logLevels {
		names[i] = v.name
	}
	fs.Var(l, "log", "log to stderr at `level` ("+strings.Join(names, ", ")+
		"), every scope (sctp-api, sctp-stack, sctp-endpoint, sctp-assoc; trace: a line per packet); "+
		"without it, pion's PION_LOG_TRACE, PION_LOG_DEBUG, ... (all, or a comma-separated list of scopes) decide, "+
		"and they still set the level of the scopes they name")
}

// String implements flag.Value.
func (l *logFlag) String() string {
	if l == nil || !l.set {
		return ""
	}
	for _, v := range logLevels {
		if v.level == l.level {
			return v.name
		}
	}
	return ""
}

// Set implements flag.Value.
func (l *logFlag) Set(s string) error {
	for _, v := range logLevels {
		if strings.EqualFold(s, v.name) {
			l.set, l.level = true, v.level
			return nil
		}
	}
	return fmt.Errorf("unknown level %q", s)
}

// options returns the socket option of the flag: none without it, else a
// pion default factory (which reads PION_LOG_* for the scopes they name)
// at the level given.
func (l *logFlag) options() []api.Option {
	if !l.set {
		return nil
	}
	return []api.Option{api.LoggerFactory(l.factory())}
}

// factory returns the logger factory of the flag (see options), nil
// without it.
func (l *logFlag) factory() logging.LoggerFactory {
	if !l.set {
		return nil
	}
	f := logging.NewDefaultLoggerFactory()
	f.DefaultLogLevel = l.level
	f.Writer = os.Stderr
	if l.out != nil {
		f.Writer = l.out
	}
	return f
}
