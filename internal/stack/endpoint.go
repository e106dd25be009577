package stack

import (
	"net/netip"
	"slices"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/stream"
	"github.com/gensctp/gensctp/timer"
)

// Endpoint is one local SCTP port of a Stack: an endpoint.Endpoint of that
// port on each shard (endpoint.Config.Shard), used as one. Its methods
// are those of endpoint.Endpoint that the users of the stack need. Call
// them with the stack's lock held: in a function run by Do, a wait
// condition, a task or a watcher. Each method locks the shards it needs
// (the shard of an association ID, endpoint.ShardOfAssoc; every shard for
// what concerns the port as a whole), and they stay locked until the
// function and the settling after it are over, so that the associations
// it returns may be used until then.
//
// What gen_sctp bounds per socket is shared among the shards:
// MaxAssociations and the one-to-one backlog count the associations of
// every shard (endpoint.Config.AssocQuota and BacklogQuota, unless the
// configuration brings quotas of its own).
type Endpoint struct {
	s    *Stack
	port uint16
	eps  []*endpoint.Endpoint // one per shard, by index

	// Guarded by the stack's lock.
	watch    WatchFunc
	removed  bool
	idx      int // its index in the stack's eps
	pollNext int // the shard Poll tries first
	// emptyAt holds, per shard, its gen (shard.gen) when Poll or
	// Deliverable last found nothing to deliver there and released it;
	// while the gen has not moved since, nobody touched the shard, and
	// they skip it without locking it. 0: not known.
	emptyAt    []uint64
	acceptNext int // the shard Accept tries first
	// The quotas shared among the shards (nil with one shard, or when
	// the configuration brought its own).
	assocs, backlog *endpoint.SharedLimit
}

// AddEndpoint creates and adds an endpoint for cfg.Port, one on each
// shard. It fails with endpoint.ErrPortInUse when the port has one, and
// with ErrTransportClosed once the transport closed under the stack.
func (s *Stack) AddEndpoint(cfg endpoint.Config) (*Endpoint, error) {
	var e *Endpoint
	err := s.Do(func(now timer.Time) error {
		if s.failed != nil {
			return s.failed
		}
		e = &Endpoint{s: s, port: cfg.Port, eps: make([]*endpoint.Endpoint, len(s.shards)), emptyAt: make([]uint64, len(s.shards))}
		if n := len(s.shards); n > 1 {
			if cfg.AssocQuota == nil {
				e.assocs = endpoint.NewSharedLimit(cfg.MaxAssociations)
				cfg.AssocQuota = e.assocs
			}
			if cfg.BacklogQuota == nil {
				e.backlog = endpoint.NewSharedLimit(backlogOf(cfg.Backlog))
				cfg.BacklogQuota = e.backlog
			}
		}
		for i := range e.eps {
			c := cfg
			if len(s.shards) > 1 {
				c.Shard = endpoint.Shard{Index: i, Count: len(s.shards)}
			}
			ep, err := endpoint.New(c, now)
			if err != nil {
				return err
			}
			e.eps[i] = ep
		}
		for i, ep := range e.eps {
			if err := s.shardLocked(i).add(ep, e); err != nil {
				for _, added := range s.shards[:i] {
					added.remove(e)
				}
				return err
			}
		}
		e.idx = len(s.eps)
		s.eps = append(s.eps, e)
		s.unholdLocked(cfg.Assoc.LocalAddrs) // bound by the endpoint now
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// backlogOf is the one-to-one backlog that endpoint.Config.Backlog n
// means.
func backlogOf(n int) int {
	if n == 0 {
		return endpoint.DefaultBacklog
	}
	return n
}

// RemoveEndpoint detaches e from the stack, after writing out what it
// still has to send (the ABORT chunks of an endpoint just aborted, for
// example): from then on packets for its SCTP port are out of the blue
// (RFC 9260 Section 8.4) and the port may be added again. Deliveries e
// still holds are dropped with it.
func (s *Stack) RemoveEndpoint(e *Endpoint) error {
	// Write out what the shards have to send, outside the locks.
	if err := s.Do(func(timer.Time) error {
		if e.s != s || e.removed {
			return ErrNoEndpoint
		}
		for i := range s.shards {
			s.shardLocked(i)
		}
		return nil
	}); err != nil {
		return err
	}
	return s.Do(func(timer.Time) error {
		if e.removed {
			return ErrNoEndpoint
		}
		for i := range s.shards {
			s.shardLocked(i).remove(e)
		}
		e.removed = true
		// The last one takes its place: a socket closing among many
		// costs no more than among few.
		last := s.eps[len(s.eps)-1]
		s.eps[e.idx], last.idx = last, e.idx
		s.eps[len(s.eps)-1] = nil
		s.eps = s.eps[:len(s.eps)-1]
		return nil
	})
}

// Port returns the local SCTP port.
func (e *Endpoint) Port() uint16 { return e.port }

// on returns the endpoint of shard i, locked.
func (e *Endpoint) on(i int) *endpoint.Endpoint {
	e.s.shardLocked(i)
	return e.eps[i]
}

// of returns the endpoint of the shard of association id, locked.
func (e *Endpoint) of(id endpoint.AssocID) *endpoint.Endpoint {
	return e.on(endpoint.ShardOfAssoc(id, len(e.eps)))
}

// all locks every shard and returns the endpoints.
func (e *Endpoint) all() []*endpoint.Endpoint {
	for i := range e.eps {
		e.s.shardLocked(i)
	}
	return e.eps
}

// Config returns the configuration of the endpoint (that of shard 0,
// whose Shard field says so).
func (e *Endpoint) Config() endpoint.Config { return e.on(0).Config() }

// Assoc returns association id (see endpoint.Endpoint.Assoc), usable
// until the stack's lock is released.
func (e *Endpoint) Assoc(id endpoint.AssocID) (*association.Association, bool) {
	return e.of(id).Assoc(id)
}

// Buffers returns the buffer pool of the endpoint on the shard of
// association id (see endpoint.Endpoint.Buffers): each shard has its own,
// for its associations. A buffer an association handed out goes back to
// the pool of its shard.
func (e *Endpoint) Buffers(id endpoint.AssocID) *stream.BufPool { return e.of(id).Buffers() }

// Associations returns the IDs of the associations of every shard, in
// increasing order.
func (e *Endpoint) Associations() []endpoint.AssocID {
	var ids []endpoint.AssocID
	for _, ep := range e.all() {
		ids = append(ids, ep.Associations()...)
	}
	if len(e.eps) > 1 {
		slices.Sort(ids)
	}
	return ids
}

// Len returns the number of associations of every shard.
func (e *Endpoint) Len() int {
	n := 0
	for _, ep := range e.all() {
		n += ep.Len()
	}
	return n
}

// Connect starts an association with the peer (see
// endpoint.Endpoint.Connect) on the shard that the peer's INITs reach
// (endpoint.Router.ShardOfPeer of the first address and port), so that a
// collision or a restart finds the association (RFC 9260 Section 5.2).
func (e *Endpoint) Connect(now timer.Time, peers []netip.AddrPort, port uint16, cfg *association.Config) (endpoint.AssocID, error) {
	i := 0
	if len(peers) > 0 {
		i = e.s.router.ShardOfPeer(peers[0].Addr(), port)
	}
	return e.on(i).Connect(now, peers, port, cfg)
}

// Bind tells the stack that the callers of q (WaitOn) work on
// association id only (the reader and the senders of a one-to-one
// socket): their wait conditions take the lock of its shard before the
// stack's lock, so that a caller waiting for a shard busy with packets
// does not hold up the operations on other shards meanwhile. A wait
// condition of q may still use any association; id 0 unbinds q.
func (e *Endpoint) Bind(q *WaitQueue, id endpoint.AssocID) {
	if id == 0 {
		q.shard.Store(0)
		return
	}
	q.shard.Store(int32(endpoint.ShardOfAssoc(id, len(e.eps)) + 1))
}

// Poll returns the next delivery of any association (see
// endpoint.Endpoint.Poll). The shards take turns, one delivery each; a
// shard found with nothing to deliver is unlocked again at once, unless
// it was locked before.
func (e *Endpoint) Poll() (endpoint.AssocID, association.Delivery, bool) {
	n := len(e.eps)
	for k := range n {
		i := (e.pollNext + k) % n
		if e.knownEmpty(i) {
			continue
		}
		held := e.s.shards[i].held
		if id, d, ok := e.on(i).Poll(); ok {
			e.pollNext = (i + 1) % n
			return id, d, true
		}
		if !held && n > 1 {
			e.emptyAt[i] = e.s.releaseShardEmptyLocked(e.s.shards[i], e.eps[i])
		}
	}
	return 0, association.Delivery{}, false
}

// knownEmpty reports whether shard i, not held, had nothing to deliver
// when it was last released by Poll or Deliverable and has not been
// locked since: a port whose associations live on one shard then costs
// its other shards nothing per Poll (no lock, no settling).
func (e *Endpoint) knownEmpty(i int) bool {
	if len(e.eps) == 1 {
		return false
	}
	sh := e.s.shards[i]
	return e.emptyAt[i] != 0 && !sh.held && sh.gen.Load() == e.emptyAt[i]
}

// PollAssoc returns the next delivery of association id only (see
// endpoint.Endpoint.PollAssoc).
func (e *Endpoint) PollAssoc(id endpoint.AssocID) (association.Delivery, bool) {
	return e.of(id).PollAssoc(id)
}

// PendingAssoc returns the number of deliveries association id holds
// (see endpoint.Endpoint.PendingAssoc).
func (e *Endpoint) PendingAssoc(id endpoint.AssocID) int { return e.of(id).PendingAssoc(id) }

// Deliverable reports whether Poll may have a delivery to return, on any
// shard (see endpoint.Endpoint.Deliverable); a shard found with none is
// unlocked again at once, unless it was locked before.
func (e *Endpoint) Deliverable() bool {
	for i := range e.eps {
		if e.knownEmpty(i) {
			continue
		}
		held := e.s.shards[i].held
		if e.on(i).Deliverable() {
			return true
		}
		if !held && len(e.eps) > 1 {
			e.emptyAt[i] = e.s.releaseShardEmptyLocked(e.s.shards[i], e.eps[i])
		}
	}
	return false
}

// Detach takes association id out of Poll's round-robin (see
// endpoint.Endpoint.Detach).
func (e *Endpoint) Detach(id endpoint.AssocID) bool { return e.of(id).Detach(id) }

// Accept takes an association from the one-to-one backlog (see
// endpoint.Endpoint.Accept): the oldest of a shard, the shards taking
// turns.
func (e *Endpoint) Accept() (endpoint.AssocID, bool) {
	n := len(e.eps)
	for k := range n {
		i := (e.acceptNext + k) % n
		held := e.s.shards[i].held
		if id, ok := e.on(i).Accept(); ok {
			e.acceptNext = (i + 1) % n
			return id, true
		}
		if !held && n > 1 {
			e.s.releaseShardLocked(e.s.shards[i])
		}
	}
	return 0, false
}

// Listen makes every shard accept associations, or stop (see
// endpoint.Endpoint.Listen).
func (e *Endpoint) Listen(on bool) {
	for _, ep := range e.all() {
		ep.Listen(on)
	}
}

// Listening reports whether the endpoint accepts associations.
func (e *Endpoint) Listening() bool { return e.on(0).Listening() }

// SetAssocConfig changes the template of new associations on every shard
// (see endpoint.Endpoint.SetAssocConfig).
func (e *Endpoint) SetAssocConfig(cfg association.Config) error {
	for _, ep := range e.all() {
		if err := ep.SetAssocConfig(cfg); err != nil {
			return err
		}
	}
	return nil
}

// SetLocalAddrs changes the specific local addresses of the endpoint on
// every shard (see endpoint.Endpoint.SetLocalAddrs). The shards hold the
// same endpoints of the port: the first refuses what all would.
func (e *Endpoint) SetLocalAddrs(addrs []netip.Addr) error {
	old := e.on(0).Config().Assoc.LocalAddrs
	for _, ep := range e.all() {
		if err := ep.SetLocalAddrs(addrs); err != nil {
			return err
		}
	}
	// The addresses added are bound by the endpoint now (see Bind).
	e.s.unholdLocked(slices.DeleteFunc(slices.Clone(addrs), func(a netip.Addr) bool { return slices.Contains(old, a) }))
	return nil
}

// SetBacklog changes the one-to-one backlog, shared by the shards (see
// endpoint.Endpoint.SetBacklog).
func (e *Endpoint) SetBacklog(n int) error {
	for _, ep := range e.all() {
		if err := ep.SetBacklog(n); err != nil {
			return err
		}
	}
	if e.backlog != nil {
		e.backlog.SetLimit(backlogOf(n))
	}
	return nil
}

// SetInitRate changes the INIT rate limit of every shard (see
// endpoint.Endpoint.SetInitRate and endpoint.Shard).
func (e *Endpoint) SetInitRate(rate, burst int) error {
	for _, ep := range e.all() {
		if err := ep.SetInitRate(rate, burst); err != nil {
			return err
		}
	}
	return nil
}

// SetMaxAssociations changes the bound on the associations of the port,
// shared by the shards (see endpoint.Endpoint.SetMaxAssociations).
func (e *Endpoint) SetMaxAssociations(n int) error {
	for _, ep := range e.all() {
		if err := ep.SetMaxAssociations(n); err != nil {
			return err
		}
	}
	if e.assocs != nil {
		e.assocs.SetLimit(n)
	}
	return nil
}

// Close shuts every association down gracefully and stops listening (see
// endpoint.Endpoint.Close).
func (e *Endpoint) Close(now timer.Time) {
	for _, ep := range e.all() {
		ep.Close(now)
	}
}

// Abort aborts every association and stops listening (see
// endpoint.Endpoint.Abort).
func (e *Endpoint) Abort(now timer.Time) {
	for _, ep := range e.all() {
		ep.Abort(now)
	}
}

// Fail ends every association for err, sending nothing (see
// endpoint.Endpoint.Fail).
func (e *Endpoint) Fail(now timer.Time, err error) {
	for _, ep := range e.all() {
		ep.Fail(now, err)
	}
}
