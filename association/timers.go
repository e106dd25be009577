package association

import (
	"time"

	"github.com/gensctp/gensctp/timer"
)

// initTimers configures and registers the association-wide timers. Per-path
// timers are registered by addPath.
func (a *Association) initTimers() {
	// RFC 9260 Section 9.2: T2-shutdown uses the RTO and backs off like
	// T3-rtx; the association error counter ends it.
	a.t2 = timer.Timer{ID: timer.T2Shutdown, MaxRestarts: 0}
	a.t5 = timer.Timer{ID: timer.T5ShutdownGuard, MaxRestarts: 0}
	a.sackTimer = timer.Timer{ID: timer.DelayedSACK, MaxRestarts: 0}
	a.autoclose = timer.Timer{ID: timer.Autoclose, MaxRestarts: 0}
	// Room for these, the two of the first path and T1 at once.
	a.timers.Grow(8)
	for _, t := range []*timer.Timer{&a.t2, &a.t5, &a.sackTimer, &a.autoclose} {
		a.timers.Add(t)
	}
}

// startHandshake allocates the state of our handshake and registers
// T1-init with the other timers.
func (a *Association) startHandshake() {
	maxInit := a.cfg.MaxInitTimeout
	if maxInit == 0 {
		maxInit = a.cfg.RTO.Max
	}
	// RFC 9260 Section 5.1: T1-init and T1-cookie "SHOULD follow the same
	// rules given in Section 6.3" (doubling, capped) and retransmit
	// Max.Init.Retransmits times. A negative Config.MaxInitRetransmits
	// means 0 (the timer's -1 would mean unlimited).
	a.hs = &handshake{t1: timer.Timer{ID: timer.T1Init, Backoff: timer.BackoffExponential,
		MaxBackoff: maxInit, MaxRestarts: max(a.cfg.MaxInitRetransmits, 0)}}
	a.timers.Add(&a.hs.t1)
}

// endHandshake stops T1 and lets the state of our handshake go, once the
// association is established or closed.
func (a *Association) endHandshake() {
	if a.hs != nil {
		a.hs.t1.Stop()
		a.timers.Remove(&a.hs.t1)
		a.hs = nil
	}
}

// HandleTimeout runs every timer due at now. Calling it early or late is
// harmless: only timers whose deadline passed fire.
func (a *Association) HandleTimeout(now timer.Time) {
	for i := 0; i < 64; i++ { // bounded: each expiry moves or stops its timer
		t := a.timers.Due(now)
		if t == nil {
			break
		}
		_, exhausted := t.Expire(now)
		a.onTimer(now, t, exhausted)
	}
	a.startBurst()
}

// onTimer dispatches an expired timer.
func (a *Association) onTimer(now timer.Time, t *timer.Timer, exhausted bool) {
	if a.hs != nil && t == &a.hs.t1 {
		a.onT1Expired(now, exhausted)
		return
	}
	switch t {
	case &a.t2:
		a.onT2Expired(now)
		return
	case &a.t5:
		a.onT5Expired(now)
		return
	case &a.sackTimer:
		a.sackNow = a.sackDue
		return
	case &a.autoclose:
		a.onAutoclose(now)
		return
	}
	if a.prs != nil && t == &a.prs.lifetime {
		a.sweepExpired(now)
		return
	}
	if as := a.asc(); as != nil && t == &as.t4 {
		a.onASCONFTimer(now)
		return
	}
	if rs := a.reconfIf(); rs != nil && t == &rs.t4 {
		a.onT4Expired(now)
		return
	}
	for _, p := range a.paths {
		if p.pl != nil && t == &p.pl.t {
			a.onPMTUDTimer(now, p)
			return
		}
		switch t {
		case &p.t3:
			a.onT3Expired(now, p)
			return
		case &p.hb:
			a.onHeartbeatTimer(now, p)
			return
		}
	}
}

// jitter returns d varied by up to ±50% (RFC 9260 Section 8.3: heartbeats
// are sent "with jitter"), from the injected randomness.
func (a *Association) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return d/2 + time.Duration(a.rnd.Uint64()%uint64(d))
}
