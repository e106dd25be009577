package packetio

// RecvIP is a set of IP header fields of received packets: what
// [IPReporter].AddRecvIP asks a transport for, and what the [IPInfo] of a
// received [Message] holds.
type RecvIP uint8

// The IP header fields a transport can report with each received packet.
const (
	// RecvTOS is the type-of-service byte of IPv4 datagrams (IP_RECVTOS).
	RecvTOS RecvIP = 1 << iota
	// RecvTClass is the traffic class of IPv6 datagrams
	// (IPV6_RECVTCLASS).
	RecvTClass
	// RecvTTL is the time to live of IPv4 datagrams (IP_RECVTTL).
	RecvTTL
	// RecvHopLimit is the hop limit of IPv6 datagrams
	// (IPV6_RECVHOPLIMIT).
	RecvHopLimit
)

// IPInfo is what a transport reported about the IP header of a received
// packet ([Message].IP). A field is valid only when its bit is in Has: a
// transport reports a field only while it is requested (see
// [IPReporter]) and it can. An IPv4 datagram may carry TOS and TTL, an
// IPv6 one TClass and HopLimit.
type IPInfo struct {
	// TOS is the IPv4 type-of-service byte (DSCP and ECN), RecvTOS.
	TOS uint8
	// TClass is the IPv6 traffic class (DSCP and ECN), RecvTClass.
	TClass uint8
	// TTL is the IPv4 time to live, RecvTTL.
	TTL uint8
	// HopLimit is the IPv6 hop limit, RecvHopLimit.
	HopLimit uint8
	// Has says which of the fields above are valid.
	Has RecvIP
}
