package association

import (
	"cmp"

	"github.com/gensctp/gensctp/timer"
)

// PLPMTUDState is the state of the path MTU discovery of one path (RFC
// 8899 Section 5.2).
type PLPMTUDState uint8

// The states of RFC 8899 Section 5.2.
const (
	// PLPMTUDDisabled: no probing; the path is not confirmed or lost
	// connectivity, or PLPMTUD is off (PathInfo.PMTUD).
	PLPMTUDDisabled PLPMTUDState = iota
	// PLPMTUDBase: confirming that BASE_PLPMTU passes.
	PLPMTUDBase
	// PLPMTUDSearching: probing for a larger PLPMTU.
	PLPMTUDSearching
	// PLPMTUDSearchComplete: the search ended; PMTU_RAISE_TIMER runs.
	PLPMTUDSearchComplete
	// PLPMTUDError: BASE_PLPMTU does not pass; the path uses MinMTU and
	// probes BASE_PLPMTU again each PROBE_TIMER.
	PLPMTUDError
)

var plpmtudStateNames = [...]string{"disabled", "base", "searching", "search_complete", "error"}

// String returns the RFC 8899 name of the state in lower case.
func (s PLPMTUDState) String() string {
	if int(s) < len(plpmtudStateNames) {
		return plpmtudStateNames[s]
	}
	return "unknown"
}

// plpmtud is the PLPMTUD state of one path. The path's mtu is the
// PLPMTU.
type plpmtud struct {
	state     PLPMTUDState
	base, max int // BASE_PLPMTU and MAX_PLPMTU
	probed    int // PROBED_SIZE of the probe outstanding or due
	count     int // PROBE_COUNT
	// fail is the smallest size known not to pass (0: none): the upper
	// end of the search; hint, when between the PLPMTU and fail, the size
	// to probe next (from a PTB message, see HandlePTB).
	fail, hint int
	// due: a probe of probed bytes waits to be sent (appendProbe);
	// outstanding: one was sent with nonce and its PROBE_TIMER runs.
	due, outstanding bool
	nonce            uint64
	// t is PROBE_TIMER, and PMTU_RAISE_TIMER in SEARCH_COMPLETE (RFC
	// 8899 Section 5.1.1: "an implementation could choose to realize
	// these timer functions using a single timer").
	t timer.Timer
	// Black hole detection: big is set when a packet larger than base
	// goes to the path; confirming while a probe of the PLPMTU checks
	// the path after a T3-rtx expiry that followed such packets.
	big, confirming bool
}

// pmtudBase returns BASE_PLPMTU for p: Config.PMTUD.Base, or 1200 bytes
// less the IP and UDP headers of p's address family, a multiple of 4.
func (a *Association) pmtudBase(p *path, max int) int {
	b := a.cfg.PMTUD.Base
	if b == 0 {
		b = PMTUDBaseIP - ipv4Overhead
		if a := p.remote.Addr(); a.Is6() && !a.Is4In6() {
			b = PMTUDBaseIP - ipv6Overhead
		}
	}
	return min(b&^3, max)
}

// pmtudInit turns PLPMTUD on for the new path p when the configuration
// says so (called by addPath before the congestion controller is set).
func (a *Association) pmtudInit(p *path) {
	if a.cfg.PMTUD.Enabled {
		a.enablePMTUD(p, a.pmtudMax(p))
	}
}

// pmtudMax returns the default MAX_PLPMTU of p: from the interface MTU
// toward the peer when PMTUDConfig.InterfaceMTU knows it, else
// Config.MTU.
func (a *Association) pmtudMax(p *path) int {
	f := a.cfg.PMTUD.InterfaceMTU
	if f == nil {
		return a.cfg.MTU
	}
	m := f(p.remote.Addr().Unmap())
	if m <= 0 {
		return a.cfg.MTU
	}
	// An IPv4 packet holds at most 65535 bytes, an IPv6 payload too
	// (without jumbograms).
	over, limit := ipv4Overhead, 65535-ipv4Overhead
	if ad := p.remote.Addr(); ad.Is6() && !ad.Is4In6() {
		over, limit = ipv6Overhead, 65535-8
	}
	return min(max(m-over, MinMTU), limit)
}

// enablePMTUD turns PLPMTUD on for p with MAX_PLPMTU max: p starts at
// BASE_PLPMTU, and probes once the association is up and p confirmed.
func (a *Association) enablePMTUD(p *path, max int) {
	if p.pl == nil {
		p.pl = &plpmtud{t: timer.Timer{ID: timer.PMTUProbe}}
		a.timers.Add(&p.pl.t)
	}
	pl := p.pl
	pl.max = max &^ 3
	pl.base = a.pmtudBase(p, pl.max)
	pl.fail = 0
	a.setPathMTU(p, pl.base)
	a.pmtudDisable(p)
	if a.state >= StateEstablished && a.state != StateClosed && p.state != PathUnconfirmed &&
		p.state != PathInactive {
		a.pmtudEnterBase(p)
	}
}

// disablePMTUD turns PLPMTUD off for p, which keeps mtu as its fixed
// budget.
func (a *Association) disablePMTUD(p *path, mtu int) {
	if p.pl != nil {
		p.pl.t.Stop()
		a.timers.Remove(&p.pl.t)
		p.pl = nil
	}
	a.setPathMTU(p, mtu)
}

// setPathMTU makes n the packet budget of p (RFC 9260 Section 7.3: the
// PMDCS of the congestion controller follows it).
func (a *Association) setPathMTU(p *path, n int) {
	p.mtu = n
	p.cc.SetMTU(a.pmdcs(p))
}

// pmtudStart starts PLPMTUD on the confirmed paths once the association
// is established (RFC 8899 Section 6.2.2.1: "A sender can enter the BASE
// state as soon as SCTP connectivity has been confirmed").
func (a *Association) pmtudStart() {
	for _, p := range a.paths {
		if p.pl != nil && p.pl.state == PLPMTUDDisabled && p.state != PathUnconfirmed &&
			p.state != PathInactive {
			a.pmtudEnterBase(p)
		}
	}
}

// pmtudPathState follows the state of p: DISABLED when it loses
// connectivity, BASE when it gets it back (RFC 8899 Section 5.2: DISABLED
// "is also entered from any other state, when the PL indicates loss of
// connectivity. This state is left once the PL indicates connectivity to
// the remote PL").
func (a *Association) pmtudPathState(p *path) {
	if p.pl == nil {
		return
	}
	switch {
	case p.state == PathInactive || p.state == PathUnconfirmed:
		a.pmtudDisable(p)
	case p.pl.state == PLPMTUDDisabled && a.state >= StateEstablished && a.state != StateClosed:
		a.pmtudEnterBase(p)
	}
}

// pmtudDisable enters DISABLED: no probe, no timer; the PLPMTU stays.
func (a *Association) pmtudDisable(p *path) {
	pl := p.pl
	pl.state = PLPMTUDDisabled
	pl.due, pl.outstanding, pl.count = false, false, 0
	pl.t.Stop()
}

// pmtudEnterBase enters BASE (RFC 8899 Section 5.2: "On entry, the
// PROBED_SIZE is set to the BASE_PLPMTU size, and the PROBE_COUNT is set
// to zero"; "When transitioning to the BASE state, a probe packet of size
// BASE_PLPMTU can be sent immediately"). The PLPMTU is BASE_PLPMTU.
func (a *Association) pmtudEnterBase(p *path) {
	pl := p.pl
	pl.state = PLPMTUDBase
	pl.count, pl.big, pl.confirming = 0, false, false
	if p.mtu != pl.base {
		a.setPathMTU(p, pl.base)
	}
	a.pmtudProbe(p, pl.base)
}

// pmtudProbe makes a probe of size n due on p.
func (a *Association) pmtudProbe(p *path, n int) {
	pl := p.pl
	pl.probed, pl.due, pl.outstanding = n, true, false
	pl.t.Stop()
	a.probeDue = true
}

// pmtudAcked moves on after the probe outstanding on p was acknowledged
// (RFC 8899 Section 5.2: in BASE "The state is exited when the probe
// packet is acknowledged, and the PL sender enters the SEARCHING state";
// in SEARCHING "Each time a probe packet is acknowledged, the PROBE_COUNT
// is set to zero, the PLPMTU is set to the PROBED_SIZE, and then the
// PROBED_SIZE is increased using the search algorithm").
func (a *Association) pmtudAcked(now timer.Time, p *path) {
	pl := p.pl
	pl.count, pl.confirming = 0, false
	if pl.state == PLPMTUDBase || pl.state == PLPMTUDError {
		pl.state = PLPMTUDSearching
	}
	if pl.probed != p.mtu {
		a.setPathMTU(p, pl.probed)
	}
	a.pmtudNext(now, p)
}

// pmtudNext picks the next probe size of the search, or completes it
// (RFC 8899 Section 5.3). The search first probes MAX_PLPMTU, the
// interface's size (Section 5.3.2: "maximize the gain in PLPMTU from each
// search step"; the path of a local network is usually the interface's),
// then halves the gap between the PLPMTU and the smallest size that
// failed, to 4 bytes (the chunk padding of RFC 9260 Section 3.2): about
// log2((MAX_PLPMTU-BASE_PLPMTU)/4) probe sizes. The search completes
// when MAX_PLPMTU is acknowledged or no size is left between the two
// (Section 5.2: SEARCH_COMPLETE "when ... a probe of size MAX_PLPMTU is
// acknowledged").
func (a *Association) pmtudNext(now timer.Time, p *path) {
	pl := p.pl
	next := pl.max
	switch {
	case pl.hint > p.mtu && (pl.fail == 0 || pl.hint < pl.fail):
		next = pl.hint
	case pl.fail != 0:
		next = (p.mtu + pl.fail) / 2 &^ 3
	}
	pl.hint = 0
	if next <= p.mtu {
		pl.state = PLPMTUDSearchComplete
		pl.due, pl.outstanding, pl.probed = false, false, 0
		pl.t.ID = timer.PMTURaise
		pl.t.Start(now, a.cfg.PMTUD.RaiseTimer)
		return
	}
	a.pmtudProbe(p, next)
}

// onPMTUDTimer handles the expiry of the PLPMTUD timer of p: the raise
// timer starts a new search (RFC 8899 Section 5.2: SEARCH_COMPLETE is
// left when "the PMTU_RAISE_TIMER expires"); a PROBE_TIMER expiry counts
// a lost probe (Section 5.3.1: "Each time the PROBE_TIMER expires, the
// PROBE_COUNT is incremented").
func (a *Association) onPMTUDTimer(now timer.Time, p *path) {
	pl := p.pl
	if !a.canProbe() {
		return
	}
	if pl.confirming {
		a.pmtudBlackHole(p)
		return
	}
	if pl.state == PLPMTUDSearchComplete {
		pl.state = PLPMTUDSearching
		pl.count, pl.fail = 0, 0
		a.pmtudNext(now, p)
		return
	}
	pl.outstanding = false
	pl.count++
	if pl.count < a.cfg.PMTUD.MaxProbes {
		a.pmtudProbe(p, pl.probed)
		return
	}
	pl.count = 0
	switch pl.state {
	case PLPMTUDBase, PLPMTUDError:
		// Section 5.2: BASE "is also left when the PROBE_COUNT reaches
		// MAX_PROBES", to ERROR, which "signals a conservative value of
		// the MPS" and probes BASE_PLPMTU until it passes.
		pl.state = PLPMTUDError
		if m := min(pl.base, MinMTU); p.mtu != m {
			a.setPathMTU(p, m)
		}
		a.pmtudProbe(p, pl.base)
	case PLPMTUDSearching:
		pl.fail = pl.probed
		a.pmtudNext(now, p)
	}
}

// canProbe reports whether the association state allows probes: like
// heartbeats, none once a SHUTDOWN or SHUTDOWN ACK was sent (RFC 9260
// Section 8.3).
func (a *Association) canProbe() bool {
	switch a.state {
	case StateEstablished, StateShutdownPending, StateShutdownReceived:
		return true
	}
	return false
}

// pmtudSent notes a packet of n bytes sent to p, for black hole
// detection.
func (p *path) pmtudSent(n int) {
	if p.pl != nil && n > p.pl.base {
		p.pl.big = true
	}
}

// pmtudOnT3 starts black hole detection on p after a T3-rtx expiry
// that followed packets larger than BASE_PLPMTU (RFC 8899 Section 4.3:
// "A PL can use the DPLPMTUD probing mechanism to periodically generate
// probe packets of the size of the current PLPMTU"; here one, when the
// loss of full-sized DATA packets suggests that the PLPMTU no longer
// passes): a probe of the PLPMTU goes at once, and its loss (its
// PROBE_TIMER expiry, see onPMTUDTimer) detects the black hole. Losses
// from congestion seldom take the probe too, as both the T3-rtx expiry
// and the probe would have to be lost.
func (a *Association) pmtudOnT3(p *path) {
	pl := p.pl
	if pl == nil || pl.confirming || !pl.big || p.mtu <= pl.base ||
		(pl.state != PLPMTUDSearching && pl.state != PLPMTUDSearchComplete) {
		return
	}
	pl.big = false
	pl.confirming = true
	a.pmtudProbe(p, p.mtu)
}

// pmtudBlackHole makes the PLPMTU of p BASE_PLPMTU again after the probe
// of the PLPMTU was lost (Section 5.2: "When a black hole is detected in
// the SEARCHING state, this causes the PL sender to enter the BASE
// state"; the same from SEARCH_COMPLETE): the search that follows stops
// below the PLPMTU that failed.
func (a *Association) pmtudBlackHole(p *path) {
	p.pl.fail = p.mtu
	a.pmtudEnterBase(p)
}

// pmtudState returns the PLPMTUD state of p.
func (p *path) pmtudState() PLPMTUDState {
	if p.pl == nil {
		return PLPMTUDDisabled
	}
	return p.pl.state
}

// setPathPMTUD applies the PMTU discovery flags and PathMTU of pp to p
// (gen_sctp's sctp_paddrparams pmtud_enable, pmtud_disable and pathmtu):
// pmtud_enable starts PLPMTUD with MAX_PLPMTU PathMTU (default
// Config.MTU), or keeps it running; pmtud_disable stops it and keeps
// PathMTU, or the PLPMTU found, as a fixed budget; PathMTU alone sets
// MAX_PLPMTU while discovering (a new search), the fixed budget
// otherwise.
func (a *Association) setPathPMTUD(p *path, pp PathParams) {
	switch f := pp.Flags; {
	case f&PMTUDDisable != 0:
		a.disablePMTUD(p, cmp.Or(pp.PathMTU, p.mtu))
	case pp.PathMTU > 0 && (p.pl != nil || f&PMTUDEnable != 0):
		a.enablePMTUD(p, pp.PathMTU)
	case f&PMTUDEnable != 0 && p.pl == nil:
		a.enablePMTUD(p, a.pmtudMax(p))
	case pp.PathMTU > 0:
		a.setPathMTU(p, pp.PathMTU)
	}
}
