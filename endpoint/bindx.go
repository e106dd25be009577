package endpoint

import (
	"fmt"
	"net/netip"
	"slices"
)

// SetLocalAddrs replaces the specific local addresses of the endpoint
// (Config.Assoc.LocalAddrs: those it takes packets for and that the
// associations set up later list), as sctp_bindx does on a live socket.
// The associations already set up keep theirs: each changes them with
// ASCONF (association.Association.AddLocalAddr, DeleteLocalAddr). An
// address removed still takes packets: RFC 5061 Section 5.3 F4, an
// address being deleted "MUST be considered a valid destination address
// for the reception of SCTP packets until the ASCONF-ACK arrives", and
// what arrives on it is not out of the blue. It is released, free for
// another endpoint of the port to take, once no association of the
// endpoint has it any more (HasLocalAddr: the peer acknowledged its
// deletion, or the association closed); at once when none has it. An
// endpoint bound to the
// wildcard, or an empty addrs, is ErrInvalidConfig; an address added that
// another endpoint of the port in the Mux takes packets for is
// ErrPortInUse. On error nothing changes.
func (e *Endpoint) SetLocalAddrs(addrs []netip.Addr) error {
	old := e.cfg.Assoc.LocalAddrs
	if len(old) == 0 || len(addrs) == 0 {
		return fmt.Errorf("%w: local addresses of an endpoint bound to the wildcard, or none", ErrInvalidConfig)
	}
	addrs = slices.Clone(addrs)
	for i, a := range addrs {
		addrs[i] = a.Unmap()
		if !addrs[i].IsValid() || addrs[i].IsUnspecified() {
			return fmt.Errorf("%w: local address %v", ErrInvalidConfig, a)
		}
	}
	if m := e.link.m; m != nil {
		for _, a := range addrs {
			for _, x := range m.eps[e.Port()] {
				if x != e && x.bound(a, netip.Addr{}) {
					return ErrPortInUse
				}
			}
		}
	}
	cfg := e.acceptor.Config()
	cfg.LocalAddrs = addrs
	if err := e.acceptor.SetConfig(cfg); err != nil {
		return err
	}
	e.cfg.Assoc = e.acceptor.Config()
	for _, a := range e.retired {
		if slices.Contains(addrs, a) {
			e.unretire(a) // taken back
		}
	}
	for _, a := range old {
		if a = a.Unmap(); !slices.Contains(addrs, a) && !slices.Contains(e.retired, a) {
			e.retire(a)
		}
	}
	return nil
}

// retire keeps the local address a, removed by SetLocalAddrs, taking
// packets while associations of the endpoint have it: each of them lists
// it in its entry's retiredUse, and followRetired releases it when the
// last lets it go.
func (e *Endpoint) retire(a netip.Addr) {
	n := 0
	for _, en := range e.ids {
		if !en.closed && en.a.HasLocalAddr(a) {
			en.retiredUse = append(en.retiredUse, a)
			n++
		}
	}
	if n == 0 {
		e.releaseAddr(a)
		return
	}
	if e.retiredUsers == nil {
		e.retiredUsers = make(map[netip.Addr]int)
	}
	e.retired = append(e.retired, a)
	e.retiredUsers[a] = n
}

// unretire forgets the retired address a, which SetLocalAddrs took back.
func (e *Endpoint) unretire(a netip.Addr) {
	e.retired = slices.DeleteFunc(e.retired, func(r netip.Addr) bool { return r == a })
	delete(e.retiredUsers, a)
	for _, en := range e.ids {
		en.retiredUse = slices.DeleteFunc(en.retiredUse, func(r netip.Addr) bool { return r == a })
	}
}

// followRetired drops from en's retiredUse the retired addresses its
// association no longer has (it closed, or the peer acknowledged their
// deletion: RFC 5061 Section 5.3 F4), and releases those no association
// has any more.
func (e *Endpoint) followRetired(en *entry) {
	var released []netip.Addr
	keep := en.retiredUse[:0]
	for _, a := range en.retiredUse {
		switch {
		case !en.closed && en.a.HasLocalAddr(a):
			keep = append(keep, a)
		case e.retiredUsers[a] > 1:
			e.retiredUsers[a]--
		default:
			released = append(released, a)
		}
	}
	clear(en.retiredUse[len(keep):])
	en.retiredUse = keep
	for _, a := range released {
		e.unretire(a)
		e.releaseAddr(a)
	}
}

// releaseAddr notes that the endpoint no longer takes packets for the local
// address a, which SetLocalAddrs removed, for TakeReleased, and tells
// the user (SetNotify).
func (e *Endpoint) releaseAddr(a netip.Addr) {
	if !slices.Contains(e.released, a) {
		e.released = append(e.released, a)
	}
	if e.notify != nil {
		e.notify()
	}
}

// TakeReleased appends to dst the local addresses the endpoint released
// since the last call (see SetLocalAddrs: it no longer takes packets for
// them), and forgets them: the user may close what it opened for them,
// the UDP socket of an address, say, unless another endpoint Binds it.
// An address taken back (SetLocalAddrs again) before the call is listed
// too: check Binds.
func (e *Endpoint) TakeReleased(dst []netip.Addr) []netip.Addr {
	dst = append(dst, e.released...)
	clear(e.released)
	e.released = e.released[:0]
	return dst
}

// Binds reports whether the endpoint takes packets for the specific local
// address a: one of its addresses, or one SetLocalAddrs removed that an
// association still has. An endpoint bound to the wildcard binds no
// specific address.
func (e *Endpoint) Binds(a netip.Addr) bool {
	a = a.Unmap()
	return len(e.cfg.Assoc.LocalAddrs) > 0 && e.bound(a, netip.Addr{})
}
