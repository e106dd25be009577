package udpencap

const (
	// IPv4HeaderLen is the length of an IPv4 header without options.
	IPv4HeaderLen = 20
	// IPv6HeaderLen is the length of the IPv6 base header.
	IPv6HeaderLen = 40
	// UDPHeaderLen is the length of the UDP header that encapsulation
	// adds (RFC 6951 Section 5.2).
	UDPHeaderLen = 8
)

// MaxSCTPPacket returns the largest SCTP packet that fits a path of MTU
// pathMTU once encapsulated: pathMTU less the IP header (20 bytes for
// IPv4, 40 for IPv6, no options or extension headers) and the 8-byte UDP
// header, per RFC 6951 Section 5.6: "If an SCTP endpoint starts to
// encapsulate the packets of a path, it MUST decrease the Path MTU of that
// path by the size of the UDP header." It returns 0 when nothing fits.
//
// The path MTU must come from the SCTP stack's own probing or
// configuration: this package ignores ICMP ("Packet Too Big" included), as
// RFC 6951 Section 5.6 warns that "one cannot rely on the feedback
// provided by ICMP or ICMPv6".
func MaxSCTPPacket(pathMTU int, ipv6 bool) int {
	n := pathMTU - IPv4HeaderLen - UDPHeaderLen
	if ipv6 {
		n = pathMTU - IPv6HeaderLen - UDPHeaderLen
	}
	return max(n, 0)
}
