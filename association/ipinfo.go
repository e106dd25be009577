package association

import (
	"net/netip"

	"github.com/gensctp/gensctp/chunk"
)

// IPFields is a set of the fields of IPInfo.
type IPFields uint8

// The IP header fields an IPInfo may hold.
const (
	// IPTOS is the type-of-service byte of an IPv4 packet.
	IPTOS IPFields = 1 << iota
	// IPTClass is the traffic class of an IPv6 packet.
	IPTClass
	// IPTTL is the time to live of an IPv4 packet.
	IPTTL
	// IPHopLimit is the hop limit of an IPv6 packet.
	IPHopLimit
)

// IPInfo is what the IP layer below the UDP encapsulation reported about
// the header of a received packet (Datagram.IP), for the ancillary data of gen_sctp's
// recvtos, recvtclass and recvttl options. The association does not
// interpret it: it hands it on with the messages the packet completes
// (Message.IP). A field is valid only when its bit is in Has; the zero
// IPInfo reports nothing.
type IPInfo struct {
	// TOS is the IPv4 type-of-service byte (IPTOS).
	TOS uint8
	// TClass is the IPv6 traffic class (IPTClass).
	TClass uint8
	// TTL is the IPv4 time to live (IPTTL).
	TTL uint8
	// HopLimit is the IPv6 hop limit (IPHopLimit).
	HopLimit uint8
	// Has says which of the fields above are valid.
	Has IPFields
}

// heldEnd is what a message keeps of the packet that brought its last
// DATA chunk until it is delivered.
type heldEnd struct {
	ip   IPInfo
	from netip.AddrPort
}

// rxEndIP remembers that the DATA chunk tsn, just added to reassembly,
// ends a message: deliver takes the IP header fields and the source of its
// packet for the message it completes. On an association with one path
// and no IP header fields there is nothing to remember: every message
// comes from that path.
func (a *Association) rxEndIP(tsn chunk.TSN, flags chunk.DataFlags) {
	if (a.rxIP.Has != 0 || len(a.paths) > 1) && flags.Has(chunk.FlagEnd) {
		a.rxEnd, a.rxEndTSN = true, tsn
	}
}

// holdEndIP keeps what rxEndIP noted and deliver did not take (the message
// waits for others, or for its earlier fragments) until the message is
// delivered.
func (a *Association) holdEndIP() {
	if !a.rxEnd {
		return
	}
	a.rxEnd = false
	if a.heldIP == nil {
		a.heldIP = make(map[chunk.TSN]heldEnd)
	}
	a.heldIP[a.rxEndTSN] = heldEnd{a.rxIP, a.rxFrom}
}

// endIP returns the IP header fields and the source of the packet that
// carried the last DATA chunk of m, a message or the piece that ends one;
// zero for other pieces. The source is the only path's address when
// nothing was remembered.
func (a *Association) endIP(lastTSN chunk.TSN, end bool) (IPInfo, netip.AddrPort) {
	switch {
	case !end:
		return IPInfo{}, netip.AddrPort{}
	case a.rxEnd && lastTSN == a.rxEndTSN:
		a.rxEnd = false
		return a.rxIP, a.rxFrom
	case len(a.heldIP) > 0:
		if e, ok := a.heldIP[lastTSN]; ok {
			delete(a.heldIP, lastTSN)
			return e.ip, e.from
		}
	}
	if len(a.paths) == 1 {
		return IPInfo{}, a.paths[0].remote
	}
	return IPInfo{}, netip.AddrPort{}
}

// pruneHeldIP forgets the IP header fields of message ends that will
// never be delivered (a partial delivery aborted, a restart): when
// reassembly holds no chunk at all, nothing held can be delivered.
func (a *Association) pruneHeldIP() {
	if len(a.heldIP) > 0 && a.reasm.Chunks() == 0 {
		clear(a.heldIP)
	}
}
