package endpoint

import (
	"net/netip"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
)

// HandleDatagramIP is HandleDatagram for a datagram whose IP header
// fields the caller knows (what the UDP layer reported: TOS or traffic
// class, TTL or hop limit). The association that processes the packet
// hands ip on with the messages the packet completes (see
// association.Association.HandlePacketIP); ip changes nothing else, and
// nothing for a packet no association takes.
func (e *Endpoint) HandleDatagramIP(now timer.Time, from netip.AddrPort, to netip.Addr, b []byte,
	ip association.IPInfo) error {
	e.rxIP = ip
	defer func() { e.rxIP = association.IPInfo{} }()
	return e.HandleDatagram(now, from, to, b)
}

// HandleDatagramIP is HandleDatagram for a datagram whose IP header
// fields the caller knows: the endpoint of its destination port gets
// them (see Endpoint.HandleDatagramIP).
func (m *Mux) HandleDatagramIP(now timer.Time, from netip.AddrPort, to netip.Addr, b []byte,
	ip association.IPInfo) error {
	h, err := packet.ParseHeader(b)
	if err != nil {
		return &DropError{Reason: DropMalformed, Err: err}
	}
	if ep := m.eps[h.DstPort]; ep != nil {
		return ep.HandleDatagramIP(now, from, to, b, ip)
	}
	return m.outOfTheBlue(from, to, b)
}
