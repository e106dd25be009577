package endpoint

import "sync/atomic"

// Quota is a count shared by the endpoints of the shards of one socket
// (Config.AssocQuota, Config.BacklogQuota): gen_sctp bounds the
// associations and the one-to-one backlog per socket, and with several
// shards each endpoint holds only a part of them. The endpoint calls it
// from its own calls, serialised as usual; the shards run in parallel, so
// an implementation is safe for concurrent use (SharedLimit, or one of
// the event loop's own).
type Quota interface {
	// Acquire takes one unit and reports whether one was left.
	Acquire() bool
	// Release gives back a unit taken with Acquire.
	Release()
}

// SharedLimit is a Quota of at most Limit units, an atomic counter: the
// one type of the package safe for concurrent use, for the event loop to
// share among the shards of a socket. The zero value has no limit.
type SharedLimit struct {
	limit atomic.Int64 // 0: none
	n     atomic.Int64
}

// NewSharedLimit returns a SharedLimit of limit units (0: no limit).
func NewSharedLimit(limit int) *SharedLimit {
	l := &SharedLimit{}
	l.SetLimit(limit)
	return l
}

// SetLimit changes the limit (0 or less: none). Units taken beyond a
// lowered limit stay taken; Acquire fails until enough are released.
func (l *SharedLimit) SetLimit(limit int) { l.limit.Store(int64(max(limit, 0))) }

// Limit returns the limit (0: none).
func (l *SharedLimit) Limit() int { return int(l.limit.Load()) }

// Count returns the units taken.
func (l *SharedLimit) Count() int { return int(l.n.Load()) }

// Acquire takes a unit if fewer than the limit are taken.
func (l *SharedLimit) Acquire() bool {
	for {
		n := l.n.Load()
		if lim := l.limit.Load(); lim > 0 && n >= lim {
			return false
		}
		if l.n.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// Release gives back a unit.
func (l *SharedLimit) Release() { l.n.Add(-1) }

// admit takes room for a new association: under MaxAssociations, and a
// unit of Config.AssocQuota. It reports false, taking nothing, when there
// is none. maybeRemove gives it back (release) when the association is
// forgotten.
func (e *Endpoint) admit() bool {
	if e.cfg.MaxAssociations > 0 && len(e.ids) >= e.cfg.MaxAssociations {
		return false
	}
	return e.cfg.AssocQuota == nil || e.cfg.AssocQuota.Acquire()
}

// release gives back the room taken by admit.
func (e *Endpoint) release() {
	if q := e.cfg.AssocQuota; q != nil {
		q.Release()
	}
}

// enterBacklog takes a unit of Config.BacklogQuota for a new association
// of a one-to-one listener, and reports false when there is none. Local
// Backlog is checked before (handleCookieEcho).
func (e *Endpoint) enterBacklog() bool {
	return e.cfg.Style != OneToOne || e.cfg.BacklogQuota == nil || e.cfg.BacklogQuota.Acquire()
}

// unenterBacklog gives back the unit of enterBacklog for an association
// that was not created.
func (e *Endpoint) unenterBacklog() {
	if q := e.cfg.BacklogQuota; q != nil && e.cfg.Style == OneToOne {
		q.Release()
	}
}

// leaveBacklog takes en out of the one-to-one backlog (Accept, or dropped
// by Close or Abort).
func (e *Endpoint) leaveBacklog(en *entry) {
	en.backlog = false
	e.backlogN--
	if q := e.cfg.BacklogQuota; q != nil {
		q.Release()
	}
}
