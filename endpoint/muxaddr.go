package endpoint

import "net/netip"

// bound reports whether the endpoint receives packets sent to the local
// address to: any when it is bound to the wildcard (no LocalAddrs) or to
// is unknown, else its own addresses.
func (e *Endpoint) bound(to netip.Addr) bool {
	local := e.cfg.Assoc.LocalAddrs
	if len(local) == 0 || !to.IsValid() {
		return true
	}
	to = to.Unmap()
	for _, a := range local {
		if a.Unmap() == to {
			return true
		}
	}
	return false
}

// overlaps reports whether e and o, endpoints of one port, would both
// receive packets sent to some address: either is bound to the wildcard,
// or they have an address in common.
func (e *Endpoint) overlaps(o *Endpoint) bool {
	if len(e.cfg.Assoc.LocalAddrs) == 0 || len(o.cfg.Assoc.LocalAddrs) == 0 {
		return true
	}
	for _, a := range o.cfg.Assoc.LocalAddrs {
		if a.IsUnspecified() || e.bound(a) {
			return true
		}
	}
	return false
}
