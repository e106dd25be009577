package api

import (
	"github.com/gensctp/gensctp/internal/logs"
	"github.com/pion/logging"
)

// LoggerFactory makes the socket log through f (github.com/pion/logging),
// an addition to gen_sctp, with one scope per component:
//
//	sctp-api       the socket: open and close
//	sctp-stack     its SCTP stack (UDP port): the packet transport's
//	               failures, and at trace level every packet of the
//	               socket's SCTP port sent and received, as one line with
//	               its chunks, the way tshark summarises them
//	sctp-endpoint  its SCTP port: INITs answered, COOKIE ECHOs accepted,
//	               packets dropped and why (debug)
//	sctp-assoc     its associations: state changes and handshake steps,
//	               retransmission timeouts (debug), path changes (info),
//	               aborts with their causes and failures (warn)
//
// Without it a socket is silent, unless pion's environment variables are
// set: PION_LOG_TRACE, PION_LOG_DEBUG, PION_LOG_INFO, PION_LOG_WARN or
// PION_LOG_ERROR, each "all" or a comma-separated list of scopes (for
// example PION_LOG_TRACE=sctp-stack PION_LOG_DEBUG=sctp-assoc); the
// socket then logs through logging.NewDefaultLoggerFactory(), which reads
// them.
//
// Nothing is formatted for a level that is off: the level of each logger
// is found when it is made, from the fields of a
// *logging.DefaultLoggerFactory, or from the Level(scope) method of a
// factory that has one; the loggers of any other factory get every level
// and filter it themselves. Changing a DefaultLeveledLogger's level later
// (SetLevel) does not change what is formatted.
//
// The packet trace of a socket is that of its SCTP port (and of its
// bound addresses, when another socket has the port on other addresses),
// also on a UDP port shared with other sockets; the failures of a shared
// UDP port are logged by the socket that opened it. Open-only.
//
// The packet path only formats the trace lines: a goroutine hands them to
// the logger, so that a logger whose writer is slow or blocks holds up no
// packet. Up to 1024 lines wait for it; beyond, lines are dropped, and
// their count is logged (at trace level) once the logger takes lines
// again. Closing the socket waits at most a second for the lines queued.
// The other scopes log from the packet path, at most a few lines per
// association event: their writer must not block.
func LoggerFactory(f logging.LoggerFactory) Option {
	return Option{name: "logger_factory", openOnly: true, apply: func(c *optCtx) error {
		c.st.logger = f
		return nil
	}}
}

// resolveLogger sets the factory the socket logs with (LoggerFactory, or
// pion's default one when its environment variables are set, or none)
// and returns the socket's logger, scope sctp-api.
func (st *settings) resolveLogger() *logs.Logger {
	st.logger = logs.Resolve(st.logger)
	st.assoc.LoggerFactory = st.logger
	return logs.New(st.logger, logs.ScopeAPI)
}
