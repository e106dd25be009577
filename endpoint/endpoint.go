package endpoint

import (
	"net/netip"
	"slices"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/logs"
	"github.com/gensctp/gensctp/stream"
	"github.com/gensctp/gensctp/timer"
)

// Endpoint is one local SCTP port on one UDP encapsulation socket: it
// demultiplexes received packets to its associations, answers
// out-of-the-blue packets, accepts new associations with signed cookies
// when listening, and schedules the output and the timers of all its
// associations. It is sans-IO (see the package documentation).
//
// An Endpoint is not safe for concurrent use; the caller serialises every
// call, including calls on the associations obtained from Assoc.
type Endpoint struct {
	cfg       Config
	acceptor  *association.Acceptor
	listening bool
	closed    bool
	now       timer.Time // the latest time seen

	ids    map[AssocID]*entry
	byTag  map[chunk.VerificationTag]*entry
	byPeer map[peerKey]*entry
	lastID AssocID
	peaks  mapPeaks // see deleteShrink

	reserved  map[chunk.VerificationTag]timer.Time
	reservedQ fifo[reservedTag]

	deadlines deadlineHeap
	sendQ     fifo[*entry] // associations that may have something to send
	pollQ     fifo[*entry] // associations with deliveries
	dirty     []*entry     // associations to re-examine (see Assoc)
	backlog   fifo[*entry] // one-to-one: accepted, not yet taken
	backlogN  int
	changed   []*entry // associations with changes to report (TakeChanged)
	reporting bool     // TakeChanged or SetNotify was called: record changes
	notify    func()   // see SetNotify
	replies   replyQueue
	initLimit initLimiter
	due       []*entry // scratch of HandleTimeout
	link      muxLink  // its place in its Mux (mux.go)
	counters  Counters // counters.go
	log       *logs.Logger

	// addrScratch is followPeers' scratch of peer addresses.
	addrScratch []netip.Addr

	// retired are the addresses SetLocalAddrs removed, which still take
	// packets while associations have them, and retiredUsers how many
	// (bindx.go).
	retired      []netip.Addr
	retiredUsers map[netip.Addr]int
	// released are the retired addresses let go since TakeReleased.
	released []netip.Addr
}

// New returns an endpoint for cfg that does not listen yet. now starts
// the clock of the cookie secrets.
func New(cfg Config, now timer.Time) (*Endpoint, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	tmpl := cfg.Assoc
	tmpl.Cookies = association.NewCookieKeys(tmpl.Rand, cfg.CookieKeyLifetime)
	tmpl.Buffers = nil // a pool of the endpoint's own (see Buffers)
	acc, err := association.NewAcceptor(tmpl)
	if err != nil {
		return nil, err
	}
	cfg.Assoc = acc.Config()
	acc.Cookies().Rotate(now) // starts the rotation clock
	e := &Endpoint{
		cfg:      cfg,
		acceptor: acc,
		now:      now,
		ids:      make(map[AssocID]*entry),
		byTag:    make(map[chunk.VerificationTag]*entry),
		byPeer:   make(map[peerKey]*entry),
		reserved: make(map[chunk.VerificationTag]timer.Time),
		lastID:   AssocID(cfg.Shard.Index), // see newID
		link:     muxLink{idx: -1},
	}
	e.initLimit.set(cfg.InitRate, cfg.InitBurst)
	e.log = logs.New(cfg.LoggerFactory, logs.ScopeEndpoint)
	return e, nil
}

// Config returns the configuration in use, defaults applied.
func (e *Endpoint) Config() Config { return e.cfg }

// Port returns the local SCTP port.
func (e *Endpoint) Port() uint16 { return e.cfg.Port }

// Listen makes the endpoint accept new associations (on true) or refuse
// them (on false; gen_sctp listen/2). A non-listening endpoint answers an
// INIT for a new association with an ABORT, as RFC 9260 Section 8.4 rule
// 3 puts it: "If, for whatever reason, the INIT chunk cannot be processed
// normally and an ABORT chunk has to be sent in response, the
// Verification Tag of the packet containing the ABORT chunk MUST be the
// Initiate Tag of the received INIT chunk, and the T bit of the ABORT
// chunk has to be set to 0". It answers a COOKIE ECHO with a valid
// cookie (issued while it listened) the same way. Listening does not
// affect existing associations.
func (e *Endpoint) Listen(on bool) { e.listening = on && !e.closed }

// Listening reports whether the endpoint accepts new associations.
func (e *Endpoint) Listening() bool { return e.listening }

// Cookies returns the keys that sign and verify the State Cookies of the
// endpoint and all its associations (RFC 9260 Section 5.1.3).
func (e *Endpoint) Cookies() *association.CookieKeys { return e.acceptor.Cookies() }

// SetAssocConfig changes the template of the associations created later,
// by Connect or accepted (gen_sctp options set on a listening socket are
// inherited by its associations). LocalPort, Cookies, Shard, Buffers and
// a nil Rand keep the endpoint's values. An invalid configuration changes nothing.
func (e *Endpoint) SetAssocConfig(cfg association.Config) error {
	cfg.LocalPort, cfg.Cookies, cfg.Shard = e.cfg.Port, e.acceptor.Cookies(), e.cfg.Shard
	cfg.Buffers = e.cfg.Assoc.Buffers
	if cfg.Rand == nil {
		cfg.Rand = e.cfg.Assoc.Rand
	}
	if err := e.acceptor.SetConfig(cfg); err != nil {
		return err
	}
	e.cfg.Assoc = e.acceptor.Config()
	return nil
}

// Buffers returns the buffer pool of the endpoint, shared by all its
// associations (association.Config.Buffers): the messages they send
// until acknowledged, and those they receive until released. Sharing it
// bounds the free buffers kept per endpoint (stream.DefaultPoolLimit)
// rather than per association, so that an idle association keeps none;
// the pool drops its free buffers when the endpoint's last association
// is gone. Like the endpoint, it is not safe for concurrent use.
func (e *Endpoint) Buffers() *stream.BufPool { return e.cfg.Assoc.Buffers }

// Assoc returns the association with the given id. The association stays
// valid until it is closed and its last delivery has been polled.
//
// The caller may change the association through the pointer (Send,
// Shutdown, Abort, Reconfigure, SetPathParams, SetPrimary, Poll, Release,
// ...): the endpoint keeps its own bookkeeping, with nothing more to
// call. Assoc marks the association for re-examination, and the next
// HandleDatagram, AppendPacket, Poll, NextDeadline or HandleTimeout first
// brings the endpoint's view of it up to date: routing (a closed
// association, a changed tag), its deadline, whether it has something to
// send, and its deliveries. A change made after one of those calls is
// seen only once the association is looked up again: call Assoc for each
// operation rather than keeping the pointer.
func (e *Endpoint) Assoc(id AssocID) (*association.Association, bool) {
	en, ok := e.ids[id]
	if !ok {
		return nil, false
	}
	e.markDirty(en)
	return en.a, true
}

// Associations returns the IDs of the associations held, in increasing
// order.
func (e *Endpoint) Associations() []AssocID {
	ids := make([]AssocID, 0, len(e.ids))
	for id := range e.ids {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Len returns the number of associations held (what MaxAssociations
// bounds).
func (e *Endpoint) Len() int { return len(e.ids) }

// Accept takes the oldest association of a one-to-one listener's backlog
// (gen_sctp accept): from now on Poll reports its deliveries, starting with
// its CommUp event. It returns false when the backlog is empty, and always
// for a one-to-many endpoint.
func (e *Endpoint) Accept() (AssocID, bool) {
	for {
		en, ok := e.backlog.pop()
		if !ok {
			return 0, false
		}
		if !en.backlog {
			continue
		}
		e.leaveBacklog(en)
		e.markDirty(en)
		return en.id, true
	}
}

// Close shuts every association down gracefully (RFC 9260 Section 9.2;
// associations still in the handshake are aborted) and stops listening
// (gen_sctp close/1). Associations of a one-to-one backlog that Accept
// never took are aborted, and their deliveries dropped. The associations
// finish as usual: keep calling AppendPacket, HandleDatagram,
// HandleTimeout and Poll until Len is 0.
func (e *Endpoint) Close(now timer.Time) {
	e.tick(now)
	e.closed, e.listening = true, false
	e.abortBacklog(now, nil)
	for _, id := range e.Associations() { // in ID order: deterministic output
		if en := e.ids[id]; !en.closed {
			_ = en.a.Shutdown(now)
			e.markDirty(en)
		}
	}
}

// Abort aborts every association (RFC 9260 Section 9.1) and stops
// listening. As with Close, the deliveries of associations never taken
// from a one-to-one backlog are dropped.
func (e *Endpoint) Abort(now timer.Time) { e.end(now, nil) }

// end aborts every association and stops listening; with a non-nil fail,
// the associations fail with it instead (Association.Fail: nothing is
// sent).
func (e *Endpoint) end(now timer.Time, fail error) {
	e.tick(now)
	e.closed, e.listening = true, false
	e.abortBacklog(now, fail)
	for _, id := range e.Associations() { // in ID order: deterministic output
		if en := e.ids[id]; !en.closed {
			endAssoc(now, en.a, fail)
			e.markDirty(en)
		}
	}
}

// endAssoc aborts a, or with a non-nil fail makes it fail with it.
func endAssoc(now timer.Time, a *association.Association, fail error) {
	if fail != nil {
		a.Fail(now, fail)
	} else {
		a.Abort(now, nil)
	}
}

// abortBacklog aborts the associations nobody accepted and drops their
// deliveries, so that they go away once their ABORT is sent; with a
// non-nil fail, they fail with it instead (Association.Fail: nothing is
// sent).
func (e *Endpoint) abortBacklog(now timer.Time, fail error) {
	for {
		en, ok := e.backlog.pop()
		if !ok {
			break
		}
		if !en.backlog {
			continue
		}
		e.leaveBacklog(en)
		endAssoc(now, en.a, fail)
		for ok := true; ok; _, ok = en.a.Poll() {
		}
		e.markDirty(en)
	}
}

// tick records the latest time seen.
func (e *Endpoint) tick(now timer.Time) {
	if now > e.now {
		e.now = now
	}
}

// markDirty queues en for sync at the next flush.
func (e *Endpoint) markDirty(en *entry) {
	if !en.dirty && !en.removed {
		en.dirty = true
		e.dirty = append(e.dirty, en)
		e.touch()
	}
}

// flushDirty syncs the associations marked dirty.
func (e *Endpoint) flushDirty() {
	for i := 0; i < len(e.dirty); i++ { // sync may not add, but be safe
		en := e.dirty[i]
		e.dirty[i] = nil
		en.dirty = false
		e.sync(en)
	}
	e.dirty = shrunk(e.dirty[:0])
}

// sync brings the endpoint's view of en up to date after any call into
// the association: routing (a changed local tag, CLOSED), the deadline
// heap, and the send and poll queues.
func (e *Endpoint) sync(en *entry) {
	if en.removed {
		return
	}
	a := en.a
	if !en.closed {
		if a.State() == association.StateClosed {
			e.unroute(en)
		} else {
			if local, _ := a.Tags(); local != en.tag {
				e.retag(en, local)
			}
			e.followPeers(en)
		}
	}
	if len(en.retiredUse) > 0 {
		e.followRetired(en)
	}
	e.touch()
	e.deadlines.set(en, a.NextDeadline())
	if !en.sendQ {
		en.sendQ = true
		e.sendQ.push(en)
	}
	if !en.pollQ && !en.backlog && !en.detached && a.Pending() > 0 {
		en.pollQ = true
		e.pollQ.push(en)
	}
	e.observe(en)
	e.maybeRemove(en)
}
