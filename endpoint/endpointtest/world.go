// Package endpointtest holds test helpers for endpoints (and Muxes) on the
// lockstep harness of package sim (World, with virtual time: no
// goroutines, no sleeps): configurations, draining, event checks, and
// sharded nodes.
package endpointtest

import (
	"math/rand/v2"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/sim"
)

// Node is what a World drives: *endpoint.Endpoint and *endpoint.Mux
// (sim.Node).
type Node = sim.Node

// World is the lockstep harness of package sim: nodes at addresses of a
// simulated network, in virtual time.
type World = sim.World

// New returns an empty World on a network seeded with seed whose links
// default to link.
func New(seed uint64, link sim.LinkConfig) (*World, error) { return sim.NewWorld(seed, link) }

// Delivered is a delivery polled from an endpoint (sim.Delivered).
type Delivered = sim.Delivered

// Drain polls every delivery of ep.
func Drain(ep *endpoint.Endpoint) []Delivered { return sim.Drain(ep) }

// Config returns an endpoint configuration for tests: the SCTP port and
// a deterministic randomness source derived from seed.
func Config(seed uint64, port uint16) endpoint.Config {
	return endpoint.Config{
		Port:  port,
		Assoc: association.Config{Rand: rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)},
	}
}

// HasEvent reports whether ds hold an AssocChange event with state s for
// id.
func HasEvent(ds []Delivered, id endpoint.AssocID, s association.AssocChangeState) bool {
	for _, d := range ds {
		if ac, ok := d.Event.(*association.AssocChange); ok && d.ID == id && ac.State == s {
			return true
		}
	}
	return false
}
