package association

import (
	"fmt"
	"strings"

	"github.com/gensctp/gensctp/chunk"
	"github.com/pion/logging"
)

// The association logs (Config.LoggerFactory, scope sctp-assoc) what an
// operator needs to follow it, never per packet or per message: its state
// changes, the handshake steps among them, at debug level; the expiry of
// T1, T2 and T3-rtx at debug level; path state changes at info level (an
// unreachable path at warn level); an abort sent or received, with its
// causes, and a failure, at warn level. Each call is guarded by the
// level known when the logger was made (logs.Logger.On): when it is off,
// nothing is formatted. Logging is output only: the core stays
// deterministic.

// logOn reports whether the association logs at level.
func (a *Association) logOn(level logging.LogLevel) bool { return a.cfg.log.On(level) }

// logf logs at level, prefixed with who the association is (its ports,
// primary peer address and local verification tag). Call it after logOn.
func (a *Association) logf(level logging.LogLevel, format string, args ...any) {
	prefix := a.who() + ": "
	switch level {
	case logging.LogLevelWarn:
		a.cfg.log.Warn(prefix + fmt.Sprintf(format, args...))
	case logging.LogLevelInfo:
		a.cfg.log.Info(prefix + fmt.Sprintf(format, args...))
	default:
		a.cfg.log.Debug(prefix + fmt.Sprintf(format, args...))
	}
}

// who names the association for logs: its SCTP ports, its primary peer
// address (the peer's IP and UDP encapsulation port) and its local
// verification tag, for example "5000 → 127.0.0.1:9899 port 7 vtag
// 0x1234abcd".
func (a *Association) who() string {
	peer := "?"
	if a.primary != nil {
		peer = a.primary.remote.String()
	}
	return fmt.Sprintf("%d → %s port %d vtag %v", a.localPort, peer, a.peerPort, a.localTag)
}

// setState enters s, and logs the change with why (a handshake step, for
// example) at debug level.
func (a *Association) setState(s State, why string) {
	if a.state != s && a.logOn(logging.LogLevelDebug) {
		a.logf(logging.LogLevelDebug, "%v → %v: %s", a.state, s, why)
	}
	a.state = s
}

// logTimer logs the expiry of a retransmission timer at debug level.
func (a *Association) logTimer(what string, p *path) {
	if a.logOn(logging.LogLevelDebug) {
		a.logf(logging.LogLevelDebug, "%s expired on %v: rto %v, path errors %d of %d, association errors %d of %d",
			what, p.remote, p.rto.RTO(), p.errorCount, p.maxRetrans, a.errorCount, a.cfg.MaxRetrans)
	}
}

// logPath logs a change of the state of path p.
func (a *Association) logPath(p *path, old PathState) {
	level := logging.LogLevelInfo
	switch p.state {
	case PathInactive:
		level = logging.LogLevelWarn
	case PathPotentiallyFailed:
		level = logging.LogLevelDebug
	}
	if a.logOn(level) {
		a.logf(level, "path %v: %v → %v (errors %d of %d)", p.remote, old, p.state, p.errorCount, p.maxRetrans)
	}
}

// logEnd logs at warn level the end of the association by an abort sent
// or received (what) with its causes, or by a failure (ev, with err or
// the cause code).
func (a *Association) logEnd(what string, ev AssocChangeState, code chunk.CauseCode, causes []chunk.Cause, err error) {
	if a.state == StateClosed || !a.logOn(logging.LogLevelWarn) {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s in %v (%v)", what, a.state, ev)
	for _, c := range causes {
		fmt.Fprintf(&b, ", cause %q", c.CauseCode().String())
		if u, ok := c.(*chunk.UserInitiatedAbortCause); ok && len(u.Reason) > 0 {
			fmt.Fprintf(&b, " %q", u.Reason)
		}
	}
	if len(causes) == 0 && code != 0 {
		fmt.Fprintf(&b, ", cause %q", code.String())
	}
	if err != nil {
		fmt.Fprintf(&b, ": %v", err)
	}
	a.logf(logging.LogLevelWarn, "%s", b.String())
}
