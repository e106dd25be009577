package endpoint

// Readiness says how an association changed in a way that a user blocked
// on it may care about: see TakeChanged.
type Readiness uint8

// The kinds of change TakeChanged reports; one Change may carry several.
const (
	// Readable: the association has new deliveries to poll (messages or
	// events).
	Readable Readiness = 1 << iota
	// Writable: send buffer space was freed (queued data was handed to
	// the network or dropped), so a Send that found the buffer full may
	// succeed now.
	Writable
	// StateChanged: the association changed state (RFC 9260 Section 4),
	// including to CLOSED.
	StateChanged
	// Backlogged: a one-to-one listener set the association up and put
	// it in its backlog: Accept can take it.
	Backlogged
	// Removed: the endpoint forgot the association (it was closed and
	// its last delivery polled): its ID is no longer valid.
	Removed
)

// Change is one association that changed, and how (a union of the kinds
// seen since it was last reported).
type Change struct {
	ID   AssocID
	What Readiness
}

// TakeChanged appends to dst the associations that changed since the last
// call, in the order they first changed, with how, and forgets them. It is
// how the user of the endpoint learns whom to wake after an input (a
// datagram, a timeout, a user operation), instead of re-examining every
// association: the endpoint compares each association it re-reads (after
// every call into it, and after each packet it sends) with what it last
// saw, at O(1) cost per association touched and none for idle ones.
//
// Polling deliveries and queueing data are not changes: a reader or
// sender that only consumed does not wake itself or others. Changes made
// through Assoc are seen at the next call (see Assoc); TakeChanged
// re-reads those first. Poll deliveries through the endpoint (Poll,
// PollAssoc), not the association: the endpoint counts what it hands
// out, and a delivery polled behind its back could hide a new one. The endpoint records changes from the first call
// of TakeChanged on, so that a user who never calls it keeps nothing.
func (e *Endpoint) TakeChanged(dst []Change) []Change {
	e.reporting = true
	e.flushDirty()
	for i, en := range e.changed {
		dst = append(dst, Change{ID: en.id, What: en.changed})
		en.changed = 0
		e.changed[i] = nil
	}
	e.changed = shrunk(e.changed[:0]) // a burst's list goes with it
	return dst
}

// observe compares en's association with what was last seen and records
// the changes a waiter may care about: a new state, more deliveries than
// were left after the last polls, less data queued for sending.
func (e *Endpoint) observe(en *entry) {
	a := en.a
	var what Readiness
	if st := a.State(); st != en.seenState {
		en.seenState = st
		what |= StateChanged
	}
	if p := a.Pending(); p != en.seenPending {
		if p > en.seenPending {
			what |= Readable
		}
		en.seenPending = p
	}
	if b := a.Buffered(); b != en.seenBuffered {
		if b < en.seenBuffered {
			what |= Writable
		}
		en.seenBuffered = b
	}
	e.report(en, what)
}

// polled accounts for one delivery polled from en, so that the next
// observe sees only deliveries added since.
func (en *entry) polled() {
	if en.seenPending > 0 {
		en.seenPending--
	}
}

// SetNotify makes the endpoint call fn each time it records a change
// while it had none left to report (TakeChanged took them all): a user
// that serves many endpoints learns which ones to ask, instead of asking
// each after every input. fn is called from within the endpoint's
// methods; it must only take note (call no method of the endpoint). nil
// stops the calls. It starts recording changes, as TakeChanged does.
func (e *Endpoint) SetNotify(fn func()) {
	e.reporting = true
	e.notify = fn
}

// report records that en changed in the ways what.
func (e *Endpoint) report(en *entry, what Readiness) {
	if what == 0 || !e.reporting {
		return
	}
	if en.changed == 0 {
		if len(e.changed) == 0 && e.notify != nil {
			e.notify()
		}
		e.changed = append(e.changed, en)
	}
	en.changed |= what
}
