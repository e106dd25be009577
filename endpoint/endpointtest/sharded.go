package endpointtest

import (
	"fmt"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
)

// Sharded is a Node made of the shards that serve one UDP port, as a
// multi-core event loop runs them: each shard a Node (an Endpoint, or a
// Mux of the shard's endpoints, configured with endpoint.Config.Shard),
// and a Router that hands each received datagram to one of them. It
// merges their output round-robin, their deadlines and their timeouts.
type Sharded struct {
	Router endpoint.Router
	Shards []Node
	// Received counts the datagrams routed to each shard.
	Received []int
	// OnRoute, if set, sees every datagram received and the shard it is
	// routed to, before the shard handles it.
	OnRoute func(d *association.Datagram, shard int)

	next int // round-robin cursor of AppendPacket
}

// NewSharded returns the Node of shards routed by r; shards[i] is shard i,
// and there must be r.Count() of them.
func NewSharded(r endpoint.Router, shards ...Node) (*Sharded, error) {
	if len(shards) != r.Count() {
		return nil, fmt.Errorf("endpointtest: %d nodes for %d shards", len(shards), r.Count())
	}
	return &Sharded{Router: r, Shards: shards, Received: make([]int, len(shards))}, nil
}

// HandleDatagram routes d to its shard.
func (s *Sharded) HandleDatagram(d *association.Datagram) error {
	i := s.Router.ShardOf(d.Data, d.From)
	s.Received[i]++
	if s.OnRoute != nil {
		s.OnRoute(d, i)
	}
	return s.Shards[i].HandleDatagram(d)
}

// AppendPacket returns the next packet of the shards, one shard after the
// other.
func (s *Sharded) AppendPacket(now timer.Time, buf []byte) (association.Outgoing, bool) {
	n := len(s.Shards)
	for i := range n {
		k := (s.next + i) % n
		if out, ok := s.Shards[k].AppendPacket(now, buf); ok {
			s.next = (k + 1) % n
			return out, true
		}
	}
	return association.Outgoing{}, false
}

// NextDeadline returns the earliest deadline of the shards.
func (s *Sharded) NextDeadline() timer.Time {
	next := timer.Never
	for _, sh := range s.Shards {
		next = timer.Min(next, sh.NextDeadline())
	}
	return next
}

// HandleTimeout runs the timers of the shards that are due at now.
func (s *Sharded) HandleTimeout(now timer.Time) {
	for _, sh := range s.Shards {
		if sh.NextDeadline() <= now {
			sh.HandleTimeout(now)
		}
	}
}

// ShardedEndpoints returns n endpoints for the shards of one UDP port,
// each configured as cfg (shared: a Quota is shared too) with its
// Shard and a randomness source of its own derived from seed (the source
// of cfg.Assoc is not shared: each shard runs on its own).
func ShardedEndpoints(n int, seed uint64, cfg endpoint.Config, now timer.Time) ([]*endpoint.Endpoint, error) {
	eps := make([]*endpoint.Endpoint, n)
	for i := range eps {
		c := cfg
		c.Shard = endpoint.Shard{Index: i, Count: n}
		c.Assoc.Rand = Config(seed+uint64(i)*0x10001, c.Port).Assoc.Rand
		ep, err := endpoint.New(c, now)
		if err != nil {
			return nil, err
		}
		eps[i] = ep
	}
	return eps, nil
}
