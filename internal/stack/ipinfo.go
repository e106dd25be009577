package stack

import (
	"net/netip"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/timer"
)

// inbound is the datagram the core is handed at now for m, a datagram
// the transport read.
func inbound(now timer.Time, m *packetio.Message) association.Datagram {
	// A socket bound to the wildcard address does not know the
	// destination address (packetio.Message.To): pass none rather than
	// the wildcard, which the endpoint would take for a non-unicast
	// destination (RFC 9260 Section 8.4 rule 1) and drop.
	to := m.To.Addr()
	if to.IsUnspecified() {
		to = netip.Addr{}
	}
	return association.Datagram{Now: now, From: m.From, To: to, Data: m.Data, IP: ipInfo(m.IP)}
}

// ipInfo converts the IP header fields the transport reported for a
// datagram into what the core hands on with the messages
// (association.IPInfo).
func ipInfo(u packetio.IPInfo) association.IPInfo {
	ip := association.IPInfo{TOS: u.TOS, TClass: u.TClass, TTL: u.TTL, HopLimit: u.HopLimit}
	for _, f := range [...]struct {
		u packetio.RecvIP
		a association.IPFields
	}{
		{packetio.RecvTOS, association.IPTOS},
		{packetio.RecvTClass, association.IPTClass},
		{packetio.RecvTTL, association.IPTTL},
		{packetio.RecvHopLimit, association.IPHopLimit},
	} {
		if u.Has&f.u != 0 {
			ip.Has |= f.a
		}
	}
	return ip
}
