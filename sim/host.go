package sim

import (
	"errors"
	"math/rand/v2"
	"net/netip"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
)

// DefaultPort is the SCTP port of a Host whose endpoint.Config has none.
const DefaultPort = 5000

// ErrNoAssociation is returned by Host.Send for an association the host
// does not hold (never created, or closed and forgotten).
var ErrNoAssociation = errors.New("sim: no such association")

// Host is a simulated machine: an SCTP endpoint (package endpoint, the
// sans-IO core that api runs on real sockets) at one or more addresses of
// a World. The embedded Endpoint is the full interface (Listen, Accept,
// Assoc, Poll, Close, ...); Host adds shortcuts that pass the World's
// virtual time and mark the host for the next Exchange.
type Host struct {
	*endpoint.Endpoint
	// Addrs are the host's addresses (IP and UDP encapsulation port);
	// the first is the primary one.
	Addrs []netip.AddrPort

	w *World
}

// NewHost creates an endpoint with cfg at addrs and adds it to w. Port 0
// becomes DefaultPort; a nil Assoc.Rand becomes a source derived from the
// World's seed and the number of hosts so far, so that the run stays
// replayable; with several addresses and no Assoc.LocalAddrs, the
// associations list all of them (multihoming, RFC 9260 Section 6.4).
func (w *World) NewHost(cfg endpoint.Config, addrs ...netip.AddrPort) (*Host, error) {
	if len(addrs) == 0 {
		return nil, errors.New("sim: a host needs an address")
	}
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
	}
	if cfg.Assoc.Rand == nil {
		cfg.Assoc.Rand = rand.NewPCG(w.seed, uint64(len(w.list))+0x5851f42d4c957f2d)
	}
	if len(addrs) > 1 && len(cfg.Assoc.LocalAddrs) == 0 {
		for _, a := range addrs {
			cfg.Assoc.LocalAddrs = append(cfg.Assoc.LocalAddrs, a.Addr())
		}
	}
	ep, err := endpoint.New(cfg, w.Now)
	if err != nil {
		return nil, err
	}
	w.AddMultihomed(ep, addrs...)
	return &Host{Endpoint: ep, Addrs: addrs, w: w}, nil
}

// Connect starts an association to the SCTP port port of the host at
// peers (the first is the primary path) with the endpoint's association
// template; the outcome is an AssocChange event (see Drain).
func (h *Host) Connect(port uint16, peers ...netip.AddrPort) (endpoint.AssocID, error) {
	id, err := h.Endpoint.Connect(h.w.Now, peers, port, nil)
	h.w.Touch()
	return id, err
}

// Send queues data as one message on stream of association id.
func (h *Host) Send(id endpoint.AssocID, stream uint16, data []byte) error {
	a, ok := h.Assoc(id)
	if !ok {
		return ErrNoAssociation
	}
	h.w.Touch()
	return a.Send(h.w.Now, association.SendInfo{Stream: chunk.StreamID(stream)}, data)
}

// Established reports whether association id is established.
func (h *Host) Established(id endpoint.AssocID) bool {
	a, ok := h.Assoc(id)
	return ok && a.State() == association.StateEstablished
}

// Delivered is a delivery polled from an endpoint: a message or an event
// of association ID.
type Delivered struct {
	ID endpoint.AssocID
	association.Delivery
}

// Drain polls every delivery of the host's endpoint.
func (h *Host) Drain() []Delivered { return Drain(h.Endpoint) }

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
