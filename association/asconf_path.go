package association

import (
	"slices"

	"github.com/gensctp/gensctp/timer"
)

// removePath deletes the path p at the peer's request (RFC 5061 Section
// 5.3 F13: "It MUST NOT send SCTP packets for the association to that
// address"): its timers stop, the control chunks bound for it go, the
// DATA chunks in flight on it are sent again elsewhere, and a primary
// path deleted is replaced by an active one (F12 leaves the choice to the
// implementation), a confirmed one else. The user gets addr_removed.
func (a *Association) removePath(now timer.Time, p *path) {
	i := slices.Index(a.paths, p)
	if i < 0 || len(a.paths) == 1 {
		return
	}
	a.paths = slices.Delete(a.paths, i, i+1)
	a.pathsGen++
	for _, t := range []*timer.Timer{&p.t3, &p.hb} {
		t.Stop()
		a.timers.Remove(t)
	}
	if p.pl != nil {
		p.pl.t.Stop()
		a.timers.Remove(&p.pl.t)
	}
	repl := a.paths[0]
	for _, q := range a.paths {
		if q.state == PathActive || repl.state == PathUnconfirmed && q.state != PathUnconfirmed {
			repl = q
			if q.state == PathActive {
				break
			}
		}
	}
	out := a.ctrl[:0]
	for _, c := range a.ctrl {
		if c.to == p {
			a.ctrlBytes -= c.n
			continue
		}
		out = append(out, c)
	}
	a.keepCtrl(out)
	for j := 0; j < a.out.len(); j++ {
		if c := a.out.index(j); c.path == p {
			if !c.acked && !c.abandoned {
				a.markForRetransmit(c)
			}
			c.path = repl
		}
	}
	if a.rtxPath == p {
		a.rtxPath = repl
	}
	if a.sackPath == p {
		a.sackPath = nil
	}
	if as := a.asc(); as != nil {
		if as.wantPrimary == p {
			as.wantPrimary = nil
		}
		if as.to == p {
			as.to = repl
			if as.out != nil {
				a.transmitASCONF(now)
			}
		}
	}
	a.pushEvent(&PaddrChange{Addr: p.remote, State: AddrRemoved})
	if a.primary == p {
		a.primary = repl
		a.pushEvent(&PaddrChange{Addr: repl.remote, State: AddrMadePrim})
	}
}
