package sim

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
)

// Node is what a host of a World runs: a sans-IO protocol machine that
// takes datagrams, produces packets and has timers. *endpoint.Endpoint,
// *endpoint.Mux and *association.Association are Nodes; so is any
// user type with these four methods.
type Node interface {
	// HandleDatagram takes one received datagram.
	HandleDatagram(d *association.Datagram) error
	// AppendPacket returns the next packet to send, false when there is
	// none.
	AppendPacket(now timer.Time, buf []byte) (association.Outgoing, bool)
	// NextDeadline returns the earliest timer, timer.Never if none.
	NextDeadline() timer.Time
	// HandleTimeout runs the timers due at now.
	HandleTimeout(now timer.Time)
}

// World is the lockstep harness: Nodes at addresses of a simulated Network,
// driven in virtual time with no goroutines and no sleeps. Exchange moves
// every packet due now until all nodes are quiet; Advance jumps to the
// next event (an arrival or a timer); RunUntil and Run repeat Advance.
// The same seed and the same calls give the same run, packet for packet
// (see Network.EnableTraceHash). Not safe for concurrent use.
type World struct {
	// Net is the network the nodes are on; configure its links, filters,
	// partitions and trace directly.
	Net *Network
	// Now is the current virtual time.
	Now timer.Time
	// Drops counts the errors HandleDatagram returned, by description,
	// and the datagrams that reached no node.
	Drops map[string]int
	// OnSend, if set, sees every packet a node sends, before the network;
	// returning false drops it.
	OnSend func(from netip.AddrPort, out association.Outgoing) bool

	seed  uint64
	nodes map[netip.AddrPort]*node
	list  []*node
	buf   []byte
}

// node is a Node at one or more addresses.
type node struct {
	addrs []netip.AddrPort
	n     Node
	dirty bool
}

// NewWorld returns an empty World on a network seeded with seed whose
// links default to link.
func NewWorld(seed uint64, link LinkConfig) (*World, error) {
	n := New(seed)
	if err := n.SetDefault(link); err != nil {
		return nil, err
	}
	return &World{Net: n, Drops: map[string]int{}, seed: seed, nodes: map[netip.AddrPort]*node{},
		buf: make([]byte, 0, 1<<16)}, nil
}

// Add puts n at addr, replacing the node there, if any.
func (w *World) Add(addr netip.AddrPort, n Node) { w.AddMultihomed(n, addr) }

// AddMultihomed puts n at all of addrs (a multihomed host), replacing the
// node at the first of them, if any. A packet n sends leaves from the
// address of addrs that has the packet's source IP (Outgoing.From), else
// from addrs[0]. It does nothing if addrs is empty.
func (w *World) AddMultihomed(n Node, addrs ...netip.AddrPort) {
	if len(addrs) == 0 {
		return
	}
	if old, ok := w.nodes[addrs[0]]; ok {
		old.n, old.dirty = n, true
		return
	}
	nd := &node{addrs: slices.Clone(addrs), n: n, dirty: true}
	for _, a := range addrs {
		w.nodes[a] = nd
	}
	w.list = append(w.list, nd)
}

// Remove takes the node at addr off the network (at all its addresses):
// datagrams to them are dropped from then on.
func (w *World) Remove(addr netip.AddrPort) {
	nd, ok := w.nodes[addr]
	if !ok {
		return
	}
	for _, a := range nd.addrs {
		delete(w.nodes, a)
	}
	w.list = slices.DeleteFunc(w.list, func(x *node) bool { return x == nd })
}

// Touch marks every node as possibly having something to send: call it
// after calling into a node directly (a Send, a Connect), before Exchange.
// RunUntil and Run call it.
func (w *World) Touch() {
	for _, nd := range w.list {
		nd.dirty = true
	}
}

// source is the address a packet of nd from the IP from leaves from.
func (nd *node) source(from netip.Addr) netip.AddrPort {
	if from.IsValid() {
		for _, a := range nd.addrs {
			if a.Addr() == from {
				return a
			}
		}
	}
	return nd.addrs[0]
}

// flush sends everything nd wants to send.
func (w *World) flush(nd *node) int {
	n := 0
	for i := 0; i < 1<<20; i++ {
		out, ok := nd.n.AppendPacket(w.Now, w.buf[:0])
		if !ok {
			break
		}
		src := nd.source(out.From)
		if w.OnSend != nil && !w.OnSend(src, out) {
			continue
		}
		w.Net.SendECN(w.Now, src, out.To, out.Data, uint8(out.ECN))
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
			in := association.Datagram{Now: w.Now, From: d.From, To: d.To.Addr(), Data: d.Data, IP: d.IP()}
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

// IP returns what the IP layer of a receiver reports of d's header: its
// ECN field, as the TOS byte of an IPv4 datagram or the traffic class of
// an IPv6 one; nothing for a datagram sent Not-ECT, as from a socket
// whose receiver did not ask.
func (d Datagram) IP() association.IPInfo {
	switch {
	case d.ECN == 0:
		return association.IPInfo{}
	case d.To.Addr().Is4() || d.To.Addr().Is4In6():
		return association.IPInfo{TOS: d.ECN, Has: association.IPTOS}
	}
	return association.IPInfo{TClass: d.ECN, Has: association.IPTClass}
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
// of virtual time passed, and reports whether cond held. cond is checked
// after every step, so that it sees each intermediate state; it may call
// into the nodes (send more, poll deliveries, which opens the receive
// window): what that makes them send goes out at once, at the same
// virtual time.
func (w *World) RunUntil(d time.Duration, cond func() bool) bool {
	limit := w.Now.Add(d)
	w.Touch()
	w.Exchange()
	for !cond() {
		w.Touch()
		w.Exchange()
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

// Time is a point in virtual time (timer.Time): nanoseconds since the
// start of the simulation.
type Time = timer.Time

// Never is the Time of a deadline that is not set (timer.Never).
const Never = timer.Never
