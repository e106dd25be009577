// Package logs is how gensctp logs: through a github.com/pion/logging
// LoggerFactory, with one scope per component, silent by default, and
// with no formatting on the hot path when a level is off.
//
// The scopes, one per component:
//
//	sctp-api       sockets: open, close, connect
//	sctp-stack     the event loop: the packet transport's failures, and at
//	               trace level one line per packet sent and received
//	sctp-endpoint  an SCTP port: INIT answered, cookies refused, out of
//	               the blue packets
//	sctp-assoc     associations: state changes (the handshake steps among
//	               them), aborts and their causes, retransmission timeouts,
//	               path state changes
//
// Silent by default: without a factory (Resolve(nil)) nothing logs,
// unless one of pion's environment variables is set (PION_LOG_TRACE,
// PION_LOG_DEBUG, PION_LOG_INFO, PION_LOG_WARN, PION_LOG_ERROR, or the
// older PIONS_LOG_*, each "all" or a comma-separated list of scopes): then
// pion's logging.NewDefaultLoggerFactory, which reads them, is used.
//
// A pion LeveledLogger cannot tell whether a level is on, so the level of
// each logger is found once, when it is made (Level), and kept beside it
// (Logger): a log call that is off costs a comparison, with nothing
// formatted and no argument boxed.
package logs

import (
	"os"
	"strings"

	"github.com/pion/logging"
)

// The scopes of the loggers (see the package documentation).
const (
	ScopeAPI      = "sctp-api"
	ScopeStack    = "sctp-stack"
	ScopeEndpoint = "sctp-endpoint"
	ScopeAssoc    = "sctp-assoc"
)

// envNames are the level names of pion's environment variables
// (PION_LOG_<name>, or PIONS_LOG_<name>).
var envNames = [...]string{"DISABLE", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"}

// EnvSet reports whether one of pion's logging environment variables is
// set (PION_LOG_TRACE=all, say).
func EnvSet() bool {
	for _, n := range envNames {
		if os.Getenv("PION_LOG_"+n) != "" || os.Getenv("PIONS_LOG_"+n) != "" {
			return true
		}
	}
	return false
}

// Resolve returns the factory to log with: f when it is not nil, else
// pion's default factory when EnvSet, else nil (nothing logs).
func Resolve(f logging.LoggerFactory) logging.LoggerFactory {
	if f != nil {
		return f
	}
	if EnvSet() {
		return logging.NewDefaultLoggerFactory()
	}
	return nil
}

// Leveler is what a LoggerFactory of the user's may implement to tell
// the level of the loggers it makes, so that what they would drop is not
// formatted: the most verbose level the logger of scope logs at
// (logging.LogLevelDisabled for none).
type Leveler interface {
	Level(scope string) logging.LogLevel
}

// Level returns the most verbose level the logger f makes for scope logs
// at: for pion's DefaultLoggerFactory, what its fields say (the level of
// the scope, else its default level, as its NewLogger does); for a
// factory that implements Leveler, what it says; for any other factory,
// logging.LogLevelTrace (every level is formatted and handed to the
// logger, which decides); for nil, logging.LogLevelDisabled.
func Level(f logging.LoggerFactory, scope string) logging.LogLevel {
	switch f := f.(type) {
	case nil:
		return logging.LogLevelDisabled
	case *logging.DefaultLoggerFactory:
		if l, ok := f.ScopeLevels[strings.ToLower(scope)]; ok {
			return l
		}
		return f.DefaultLogLevel
	case Leveler:
		return f.Level(scope)
	}
	return logging.LogLevelTrace
}

// Logger is a pion logger and the most verbose level it logs at, known
// when it was made. A nil *Logger logs nothing.
type Logger struct {
	logging.LeveledLogger
	level logging.LogLevel
}

// New returns the logger of scope from f, or nil when f is nil or the
// scope logs nothing (Level): the callers test On before they format.
func New(f logging.LoggerFactory, scope string) *Logger {
	level := Level(f, scope)
	if level <= logging.LogLevelDisabled {
		return nil
	}
	return &Logger{LeveledLogger: f.NewLogger(scope), level: level}
}

// On reports whether l logs at level: the check to make before
// formatting anything.
func (l *Logger) On(level logging.LogLevel) bool { return l != nil && level <= l.level }
