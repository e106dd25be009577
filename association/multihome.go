package association

import (
	"net/netip"
	"slices"

	"github.com/gensctp/gensctp/chunk"
)

// addressParams returns the IPv4 and IPv6 Address parameters for the local
// addresses (RFC 9260 Sections 3.3.2.1.1 and 3.3.2.1.2).
func addressParams(local []netip.Addr, ps []chunk.Param) []chunk.Param {
	for _, a := range local {
		if p := chunk.AddressParam(a); p != nil && !a.IsUnspecified() {
			ps = append(ps, p)
		}
	}
	return ps
}

// supportedAddrs returns the local addresses of the families the peer's
// INIT accepts: RFC 9260 Section 3.3.2.1.5, Supported Address Types:
// "This parameter, when present, specifies all the address types the
// sending endpoint can support. The absence of this parameter indicates
// that the sending endpoint can support any address type."
func supportedAddrs(local []netip.Addr, ps []chunk.Param) []netip.Addr {
	for _, p := range ps {
		sat, ok := p.(*chunk.SupportedAddressTypes)
		if !ok {
			continue
		}
		v4, v6 := false, false
		for _, t := range sat.Types {
			v4 = v4 || t == chunk.ParamIPv4Address
			v6 = v6 || t == chunk.ParamIPv6Address
		}
		var out []netip.Addr
		for _, a := range local {
			if a.Unmap().Is4() && v4 || !a.Unmap().Is4() && v6 {
				out = append(out, a)
			}
		}
		return out
	}
	return local
}

// peerAddrs returns the addresses listed in INIT or INIT ACK parameters.
func peerAddrs(ps []chunk.Param) []netip.Addr {
	var out []netip.Addr
	for _, p := range ps {
		if a, ok := chunk.ParamAddress(p); ok {
			out = append(out, a)
		}
	}
	return out
}

// inScope reports whether the peer address addr can be reached from the
// local addresses: the same family as one of them, not unspecified, and
// loopback only when every local address is loopback (and the other way
// round). Peer addresses out of scope are not used, so that an
// association bound to loopback never sends to the machine's other
// addresses that a peer lists.
func (a *Association) inScope(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.IsUnspecified() || addr.IsMulticast() {
		return false
	}
	if len(a.cfg.LocalAddrs) == 0 {
		return true
	}
	for _, l := range a.cfg.LocalAddrs {
		l = l.Unmap()
		if l.Is4() != addr.Is4() {
			continue
		}
		if l.IsUnspecified() || l.IsLoopback() == addr.IsLoopback() &&
			l.IsLinkLocalUnicast() == addr.IsLinkLocalUnicast() {
			return true
		}
	}
	return false
}

// sameScope reports whether the peer addresses addr and src have the same
// scope: both loopback, both link-local, or both neither. A peer that
// reaches the association from an address of one scope (src, the source
// of its packet) and asks to add one of another (RFC 5061 Section 4.2.1)
// is refused: a loopback or link-local address named by a peer elsewhere
// is not the peer's but a host on our side (this machine, our link), and
// a peer on loopback has no other address this machine should send to
// for it.
func sameScope(addr, src netip.Addr) bool {
	addr, src = addr.Unmap(), src.Unmap()
	return addr.IsLoopback() == src.IsLoopback() && addr.IsLinkLocalUnicast() == src.IsLinkLocalUnicast()
}

// localFor picks the local address a new path to remote sends from: the
// k-th local address of the same family for the k-th path of that family,
// so that two peer addresses use two local addresses when there are two.
func (a *Association) localFor(remote netip.Addr) netip.Addr {
	var same []netip.Addr
	for _, l := range a.cfg.LocalAddrs {
		if l.Unmap().Is4() == remote.Unmap().Is4() && !l.IsUnspecified() {
			same = append(same, l.Unmap())
		}
	}
	if len(same) == 0 {
		return netip.Addr{}
	}
	k := 0
	for _, p := range a.paths {
		if p.remote.Addr().Unmap().Is4() == remote.Unmap().Is4() {
			k++
		}
	}
	return same[k%len(same)]
}

// learnPeerAddrs adds a path, unconfirmed (RFC 9260 Section 5.4 rule 3),
// for every peer address listed in an INIT or INIT ACK (RFC 9260 Section
// 5.1.2 C) that is in scope and not known yet, up to MaxPaths paths. The
// scope is that of the association (inScope) and that of src, the source
// of the packet that listed them (sameScope, as for an ASCONF's Add IP
// Address): a peer elsewhere that lists a loopback or link-local address
// must not point the association at this machine's loopback or link, an
// end bound to the wildcard included. The remote UDP encapsulation port
// of a new address is port, that of the packet that listed it, until a
// packet from the address itself tells otherwise (RFC 6951 Section 5.4).
// A SingleHomed association adds none.
func (a *Association) learnPeerAddrs(addrs []netip.Addr, src netip.Addr, port uint16) {
	if a.cfg.SingleHomed {
		return
	}
	for _, addr := range addrs {
		if len(a.paths) >= MaxPaths {
			return
		}
		if a.pathFor(addr) == nil && a.inScope(addr) && sameScope(addr, src) {
			a.addPath(netip.AddrPortFrom(addr, port), false)
		}
	}
}

// MaxPaths bounds the destination transport addresses (paths) that a peer
// can give an association: the source of its INIT or INIT ACK and the
// first addresses in scope that the chunk lists make at most MaxPaths
// paths with those already known (the addresses passed to New are all
// kept). An INIT or INIT ACK may list thousands of addresses (RFC 9260
// Section 5.1.2 sets no limit); the others are not used, so that the
// memory, timers and path-verification HEARTBEATs (RFC 5062 Section 6) of
// an association do not grow with what a peer lists. Sixteen covers any
// genuinely multihomed host.
const MaxPaths = 16

// LocalAddrs returns the local addresses of the association: those of
// its Config, or, for an end bound to the wildcard (no LocalAddrs of a
// family), the addresses its peer's packets arrived on as each path
// learned them (Datagram.To), the first path's first. Never the
// wildcard; empty while nothing was learned.
func (a *Association) LocalAddrs() []netip.Addr {
	out := slices.Clone(a.cfg.LocalAddrs)
	for _, p := range a.paths {
		if l := p.local; l.IsValid() && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// HasLocalAddr reports whether addr is among LocalAddrs, without
// building them: a local address of the association, one it asked its
// peer to delete until the peer acknowledged (RFC 5061 Section 5.3 F4),
// or the source of a path.
func (a *Association) HasLocalAddr(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, l := range a.cfg.LocalAddrs {
		if l.Unmap() == addr {
			return true
		}
	}
	for _, p := range a.paths {
		if p.local.Unmap() == addr {
			return true
		}
	}
	return false
}
