package api

import "github.com/pion/logging"

// A socket logs (LoggerFactory, scope sctp-api) its opening and its
// closing at debug level; the layers below log the rest (see
// LoggerFactory).

// logOpen logs the opening of s.
func (s *Socket) logOpen() {
	if l := s.share.log; l.On(logging.LogLevelDebug) {
		l.Debugf("open: %v socket on SCTP port %d, UDP %v", s.typ, s.share.ep.Port(), s.stk.LocalAddrs())
	}
}

// logClose logs the closing of s.
func (s *Socket) logClose() {
	if l := s.share.log; l.On(logging.LogLevelDebug) {
		l.Debugf("close: %v socket on SCTP port %d", s.typ, s.share.ep.Port())
	}
}
