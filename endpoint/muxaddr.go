package endpoint

import "net/netip"

// bound reports whether the endpoint receives packets sent to the local
// address to from the peer address from: any of a family it has (see
// Config.NoIPv4) when it is bound to the wildcard (no LocalAddrs), else
// its own addresses, any when to is unknown. The family is to's, or
// from's when to is unknown (both of one IP packet).
func (e *Endpoint) bound(to, from netip.Addr) bool {
	local := e.cfg.Assoc.LocalAddrs
	if len(local) == 0 {
		if !to.IsValid() {
			to = from
		}
		return !to.IsValid() || e.hasFamily(to)
	}
	if !to.IsValid() {
		return true
	}
	to = to.Unmap()
	for _, a := range local {
		if a.Unmap() == to {
			return true
		}
	}
	for _, a := range e.retired {
		if a == to {
			return true
		}
	}
	return false
}

// hasFamily reports whether a wildcard endpoint takes packets of a's
// family (Config.NoIPv4, NoIPv6); an IPv4-mapped IPv6 address is IPv4.
func (e *Endpoint) hasFamily(a netip.Addr) bool {
	if a.Unmap().Is4() {
		return !e.cfg.NoIPv4
	}
	return !e.cfg.NoIPv6
}

// overlaps reports whether e and o, endpoints of one port, would both
// receive packets sent to some address: both are bound to the wildcard
// of a common family (Config.NoIPv4, NoIPv6), one is bound to the
// wildcard and the other to specific addresses, or they have an address
// in common.
func (e *Endpoint) overlaps(o *Endpoint) bool {
	ew, ow := len(e.cfg.Assoc.LocalAddrs) == 0, len(o.cfg.Assoc.LocalAddrs) == 0
	switch {
	case ew && ow:
		return !e.cfg.NoIPv4 && !o.cfg.NoIPv4 || !e.cfg.NoIPv6 && !o.cfg.NoIPv6
	case ew || ow:
		return true
	}
	for _, a := range o.cfg.Assoc.LocalAddrs {
		if a.IsUnspecified() || e.bound(a, netip.Addr{}) {
			return true
		}
	}
	return false
}
