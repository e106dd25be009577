package stack

import "github.com/gensctp/gensctp/endpoint"

// Counters returns the counters of the SCTP packets of the stack's UDP
// sockets, every SCTP port included: those of the Muxes of its shards,
// summed (see endpoint.Counters). Call it in Do.
func (s *Stack) Counters() endpoint.Counters {
	var c endpoint.Counters
	for i := range s.shards {
		sh := s.shardLocked(i)
		m := sh.mux.Counters()
		c.Add(&m)
	}
	return c
}

// Counters returns the counters of the packets of the endpoint's SCTP
// port, summed over the shards. Call it in Do.
func (e *Endpoint) Counters() endpoint.Counters {
	var c endpoint.Counters
	for _, ep := range e.all() {
		x := ep.Counters()
		c.Add(&x)
	}
	return c
}
