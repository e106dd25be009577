package stack

import (
	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/udpencap"
)

// ipInfo converts the IP header fields udpencap reported for a datagram
// into what the core hands on with the messages (association.IPInfo).
func ipInfo(u udpencap.IPInfo) association.IPInfo {
	ip := association.IPInfo{TOS: u.TOS, TClass: u.TClass, TTL: u.TTL, HopLimit: u.HopLimit}
	for _, f := range [...]struct {
		u udpencap.RecvIP
		a association.IPFields
	}{
		{udpencap.RecvTOS, association.IPTOS},
		{udpencap.RecvTClass, association.IPTClass},
		{udpencap.RecvTTL, association.IPTTL},
		{udpencap.RecvHopLimit, association.IPHopLimit},
	} {
		if u.Has&f.u != 0 {
			ip.Has |= f.a
		}
	}
	return ip
}
