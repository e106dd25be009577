package stack

import (
	"encoding/binary"
	"net/netip"

	"github.com/gensctp/gensctp/packetio"
)

// TapFilter selects the packets of one endpoint of a stack for a Tap:
// those of its SCTP port and, for an endpoint bound to specific
// addresses, of those addresses only, as the Mux routes them (several
// endpoints may share a port on disjoint addresses: endpoint.Mux.Add).
type TapFilter struct {
	// Port is the endpoint's SCTP port; 0 selects every packet.
	Port uint16
	// Addrs are the endpoint's specific local addresses
	// (association.Config.LocalAddrs); none: the wildcard, every
	// address of the port of the families it has.
	Addrs []netip.Addr
	// NoIPv4 and NoIPv6 leave out the packets of a family a wildcard
	// endpoint does not take (endpoint.Config.NoIPv4, NoIPv6): an IPv4
	// and a v6only IPv6 wildcard endpoint may share a port.
	NoIPv4, NoIPv6 bool
}

// Received reports whether m is addressed to the endpoint: to its port
// (RFC 9260 Section 3.1: the destination port follows the source port in
// the common header) and to one of its addresses, or to an address the
// transport does not report (m.To unknown or the wildcard).
func (f *TapFilter) Received(m *packetio.Message) bool {
	if f.Port == 0 {
		return true
	}
	return len(m.Data) >= 4 && binary.BigEndian.Uint16(m.Data[2:]) == f.Port && f.bound(m.To.Addr(), m.From.Addr())
}

// Sent reports whether m was sent by the endpoint: from its port and one
// of its addresses, or from an address the transport chooses (m.From
// invalid or unspecified).
func (f *TapFilter) Sent(m *packetio.OutMessage) bool {
	if f.Port == 0 {
		return true
	}
	return len(m.Data) >= 2 && binary.BigEndian.Uint16(m.Data) == f.Port && f.bound(m.From, m.To.Addr())
}

// bound reports whether a, a local address, may be the endpoint's, peer
// being the other end of the packet: as endpoint.Mux routes, a wildcard
// endpoint takes the addresses of its families (the family is a's, or
// peer's when a is unknown).
func (f *TapFilter) bound(a, peer netip.Addr) bool {
	if len(f.Addrs) == 0 {
		fam := a
		if !fam.IsValid() || fam.IsUnspecified() {
			fam = peer
		}
		switch {
		case !fam.IsValid():
			return true
		case fam.Unmap().Is4():
			return !f.NoIPv4
		default:
			return !f.NoIPv6
		}
	}
	if !a.IsValid() || a.IsUnspecified() {
		return true
	}
	a = a.Unmap()
	for _, b := range f.Addrs {
		if b.Unmap() == a {
			return true
		}
	}
	return false
}
