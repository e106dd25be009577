package udpencap

import (
	"net"
	"net/netip"
)

// recvIPSupported: the sockets report no IP header fields here, only
// the destination address of datagrams on wildcard sockets (pktinfo).
const recvIPSupported = false

// ctrlSpace is the control buffer of one received datagram: room for its
// IP_PKTINFO or IPV6_PKTINFO, with as much again to spare.
const ctrlSpace = 2 * pktinfoSpace

func setRecvIP(*net.UDPConn, bool, RecvIP, RecvIP) error { return nil }

// parseIPInfo returns no IP header fields and the destination address of
// the datagram from its IP_PKTINFO or IPV6_PKTINFO control message (the
// zero Addr without), without allocating.
func parseIPInfo(oob []byte) (IPInfo, netip.Addr) {
	var dst netip.Addr
	it := cmsgs{b: oob}
	for {
		level, typ, data, ok := it.next()
		if !ok {
			return IPInfo{}, dst
		}
		if a, ok := parseDst(level, typ, data); ok {
			dst = a
		}
	}
}
