// Package endpointtest is a lockstep harness for endpoints (and Muxes) on
// the simulated network of internal/sim with virtual time: no goroutines,
// no sleeps. A World exchanges datagrams between its nodes until all are
// quiet, fires timers, and jumps to the next deadline.
package endpointtest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/timer"
)

// Node is what a World drives: *endpoint.Endpoint and *endpoint.Mux.
type Node interface {
	HandleDatagram(d *association.Datagram) error
	AppendPacket(now timer.Time, buf []byte) (association.Outgoing, bool)
	NextDeadline() timer.Time
	HandleTimeout(now timer.Time)
}

// World is a set of nodes, each at an address (IP and UDP port), on a
// simulated network. Not safe for concurrent use.
type World struct {
	Net *sim.Network
	Now timer.Time
	// Drops counts the errors HandleDatagram returned, by description.
	Drops map[string]int
	// OnSend, if set, sees every datagram a node sends, before the
	// network; returning false drops it.
	OnSend func(from netip.AddrPort, out association.Outgoing) bool

	nodes map[netip.AddrPort]*node
	list  []*node
	buf   []byte
}

type node struct {
	addr  netip.AddrPort
	n     Node
	dirty bool
}

// New returns an empty World on a network seeded with seed whose links
// default to link.
func New(seed uint64, link sim.LinkConfig) (*World, error) {
	n := sim.New(seed)
	if err := n.SetDefault(link); err != nil {
		return nil, err
	}
	return &World{Net: n, Drops: map[string]int{}, nodes: map[netip.AddrPort]*node{},
		buf: make([]byte, 0, 1<<16)}, nil
}

// Add puts n at addr, replacing the node there, if any.
func (w *World) Add(addr netip.AddrPort, n Node) {
	if old, ok := w.nodes[addr]; ok {
		old.n, old.dirty = n, true
		return
	}
	nd := &node{addr: addr, n: n, dirty: true}
	w.nodes[addr] = nd
	w.list = append(w.list, nd)
}

// Remove takes the node at addr off the network: datagrams to addr are
// dropped from then on.
func (w *World) Remove(addr netip.AddrPort) {
	if _, ok := w.nodes[addr]; !ok {
		return
	}
	delete(w.nodes, addr)
	for i, nd := range w.list {
		if nd.addr == addr {
			w.list = append(w.list[:i], w.list[i+1:]...)
			break
		}
	}
}

// Touch marks every node as possibly having something to send (after the
// test called into one directly).
func (w *World) Touch() {
	for _, nd := range w.list {
		nd.dirty = true
	}
}

// flush sends everything nd wants to send.
func (w *World) flush(nd *node) int {
	n := 0
	for i := 0; i < 1<<20; i++ {
		out, ok := nd.n.AppendPacket(w.Now, w.buf[:0])
		if !ok {
			break
		}
		if w.OnSend != nil && !w.OnSend(nd.addr, out) {
			continue
		}
		w.Net.Send(w.Now, nd.addr, out.To, out.Data)
		n++
	}
	return n
}

// Exchange sends and delivers everything due at the current time until
// every node is quiet, and reports how many datagrams were sent.
func (w *World) Exchange() int {
	moved := 0
	for i := 0; i < 1<<24; i++ {
		n := 0
		for _, nd := range w.list {
			if nd.dirty {
				nd.dirty = false
				n += w.flush(nd)
			}
		}
		moved += n
		d, ok := w.Net.Receive(w.Now)
		if !ok {
			if n == 0 {
				break
			}
			continue
		}
		if nd, ok := w.nodes[d.To]; ok {
			in := association.Datagram{Now: w.Now, From: d.From, To: d.To.Addr(), Data: d.Data}
			if err := nd.n.HandleDatagram(&in); err != nil {
				w.Drops[describe(err)]++
			}
			nd.dirty = true
		} else {
			w.Drops["no node at "+d.To.String()]++
		}
		w.Net.Recycle(&d)
	}
	return moved
}

// describe names an error for Drops.
func describe(err error) string {
	var de *endpoint.DropError
	if errors.As(err, &de) {
		if de.Rule != 0 {
			return fmt.Sprintf("%v (rule %d)", de.Reason, de.Rule)
		}
		return de.Reason.String()
	}
	var ae *association.DiscardError
	if errors.As(err, &ae) {
		return ae.Reason
	}
	return err.Error()
}

// NextEvent returns the earliest deadline of the nodes and arrival on the
// network.
func (w *World) NextEvent() timer.Time {
	t := w.Net.NextArrival()
	for _, nd := range w.list {
		t = timer.Min(t, nd.n.NextDeadline())
	}
	return t
}

// Advance moves time to the next event (at most limit), runs the timers
// due and exchanges datagrams. It reports false when nothing is pending
// before limit.
func (w *World) Advance(limit timer.Time) bool {
	next := w.NextEvent()
	if next == timer.Never || next > limit {
		return false
	}
	if next > w.Now {
		w.Now = next
	}
	for _, nd := range w.list {
		if nd.n.NextDeadline() <= w.Now {
			nd.n.HandleTimeout(w.Now)
			nd.dirty = true
		}
	}
	w.Exchange()
	return true
}

// RunUntil exchanges datagrams and advances time until cond holds or d
// of virtual time passed, and reports whether cond held.
func (w *World) RunUntil(d time.Duration, cond func() bool) bool {
	limit := w.Now.Add(d)
	w.Touch()
	w.Exchange()
	for !cond() {
		if !w.Advance(limit) {
			return cond()
		}
	}
	return true
}

// Run advances time by d, processing everything on the way.
func (w *World) Run(d time.Duration) {
	limit := w.Now.Add(d)
	w.Touch()
	w.Exchange()
	for w.Advance(limit) {
	}
	w.Now = limit
}

// Delivered is a delivery polled from an endpoint.
type Delivered struct {
	ID endpoint.AssocID
	association.Delivery
}

// Drain polls every delivery of ep.
func Drain(ep *endpoint.Endpoint) []Delivered {
	var out []Delivered
	for {
		id, d, ok := ep.Poll()
		if !ok {
			return out
		}
		out = append(out, Delivered{ID: id, Delivery: d})
	}
}

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
