package api

import (
	"net/netip"
	"slices"

	"github.com/gensctp/gensctp/association"
)

// localAddrsLocked returns the local addresses of association a, or of
// the socket for nil, IPv6 first on an inet6 socket. An association lists
// its own addresses: those the socket is bound to, or on a wildcard
// socket those its peer's packets arrived on (the destination each
// datagram reports, association.Association.LocalAddrs), never the
// wildcard; until it learned one, and for the socket, it lists the
// socket's. A socket bound to specific addresses lists them; one bound
// to the wildcard lists the wildcard of each family it receives ([::]
// and 0.0.0.0 on inet6, [::] alone with ipv6_v6only, 0.0.0.0 on inet);
// one on a transport of the user's lists the transport's addresses.
func (s *Socket) localAddrsLocked(a *association.Association) []netip.Addr {
	var out []netip.Addr
	if a != nil {
		out = a.LocalAddrs()
	}
	if len(out) == 0 {
		out = slices.Clone(s.st.assoc.LocalAddrs)
	}
	if len(out) == 0 {
		switch {
		case s.stk.Conn() == nil:
			for _, ap := range s.stk.LocalAddrs() {
				out = append(out, ap.Addr())
			}
		case s.st.family != FamilyInet6:
			out = []netip.Addr{netip.IPv4Unspecified()}
		case s.st.v6only:
			out = []netip.Addr{netip.IPv6Unspecified()}
		default:
			out = []netip.Addr{netip.IPv6Unspecified(), netip.IPv4Unspecified()}
		}
	}
	if s.st.family == FamilyInet6 {
		// Stable: the order within a family stays the association's.
		slices.SortStableFunc(out, func(x, y netip.Addr) int {
			return boolInt(x.Unmap().Is4()) - boolInt(y.Unmap().Is4())
		})
	}
	return out
}
