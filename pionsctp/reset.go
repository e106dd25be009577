package sctp

import (
	"errors"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/association"
)

// resetState is the association's outgoing stream resets (RFC 6525
// Section 5.1.2): the streams Close asked to reset and not yet asked of
// the socket (pending), those of the request in flight (inFlight: one
// request at a time, Section 5.1.1) and held, the ids of both. A write to
// a held id (a stream opened again before the reset of the earlier one
// completed) waits until the reset completes: its data then follows the
// reset request, and the peer delivers it to the new stream rather than
// to the old one.
type resetState struct {
	pending  []uint16
	inFlight []uint16
	busy     bool // a request is in flight
	retry    bool // a retry is scheduled (another request of ours in flight)
	held     map[uint16]int
	// batch, once a request was too large for a packet
	// (association.ErrResetTooLarge), is the most streams a request lists.
	batch int
}

// requestReset asks for the reset of outgoing stream id, now or once the
// request in flight is answered.
func (a *Association) requestReset(id uint16) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.resets.held == nil {
		a.resets.held = map[uint16]int{}
	}
	a.resets.pending = append(a.resets.pending, id)
	a.resets.held[id]++
	a.flushResetsLocked()
}

// flushResetsLocked asks for the reset of the pending streams unless a
// request is in flight: all of them in one request, or as many as fit in
// one packet (a request that does not fit is never sent: RFC 6525
// RE-CONFIG chunks are not fragmented), the rest once it is answered.
func (a *Association) flushResetsLocked() {
	r := &a.resets
	for !r.busy && !r.retry && len(r.pending) > 0 && !a.ended {
		n := len(r.pending)
		if r.batch > 0 {
			n = min(n, r.batch)
		}
		batch := r.pending[:n]
		err := a.sock.ResetStreams(a.id, batch...)
		switch {
		case err == nil:
			r.busy, r.inFlight, r.pending = true, append([]uint16(nil), batch...), r.pending[n:]
		case errors.Is(err, association.ErrResetTooLarge) && n > 1:
			r.batch = n / 2
		case errors.Is(err, association.ErrReconfigInProgress):
			// Another request of ours is in flight: try again shortly.
			r.retry = true
			time.AfterFunc(resetPoll, func() {
				a.mu.Lock()
				defer a.mu.Unlock()
				a.resets.retry = false
				a.flushResetsLocked()
			})
		default:
			a.log.Warnf("[%s] reset of streams %v failed: %v", a.cfg.Name, batch, err)
			r.pending = r.pending[n:]
			a.releaseLocked(batch)
		}
	}
}

// resetDone ends the request in flight, answered (e): its streams may be
// written again, and the next request goes.
func (a *Association) resetDone(e *api.StreamResetEvent) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := &a.resets
	if e.Flags&(association.StreamResetDenied|association.StreamResetFailed) != 0 {
		a.log.Warnf("[%s] reset of streams %v refused by the peer", a.cfg.Name, r.inFlight)
	}
	a.releaseLocked(r.inFlight)
	r.busy, r.inFlight = false, nil
	a.flushResetsLocked()
}

// releaseLocked ends the hold of ids.
func (a *Association) releaseLocked(ids []uint16) {
	for _, id := range ids {
		if a.resets.held[id]--; a.resets.held[id] <= 0 {
			delete(a.resets.held, id)
		}
	}
}

// resetHeld reports whether a reset of outgoing stream id waits or is in
// flight.
func (a *Association) resetHeld(id uint16) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.resets.held[id] > 0
}
