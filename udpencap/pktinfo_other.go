//go:build !linux && !darwin

package udpencap

import (
	"net"
	"net/netip"
)

// BUG(gensctp): The destination address of datagrams received on a
// wildcard socket, and the source address of those sent from one, are
// known on Linux and macOS only (IP_PKTINFO, IPV6_RECVPKTINFO); not on
// Windows (which would need WSARecvMsg's own control message layout) nor
// on the other systems. There a wildcard socket
// reports the wildcard as [Message].To, the kernel picks the source of
// what it sends, and [Conn.Bind] binds a socket of its own for every
// specific address, beside the wildcard.

// pktinfoSupported: no per-datagram addresses here.
const pktinfoSupported = false

// pktinfoSpace is 0: no control message is written.
const pktinfoSpace = 0

func setPktinfo(*net.UDPConn, bool) error { return nil }

func putPktinfo([]byte, netip.Addr) int { return 0 }
