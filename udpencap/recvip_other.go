//go:build !linux && !darwin

package udpencap

import (
	"net"
	"net/netip"
)

// BUG(gensctp): IP header fields of received datagrams ([Message].IP, see
// [Conn.AddRecvIP]) are reported on Linux only; elsewhere requests are
// counted and nothing is reported.

// recvIPSupported: the sockets report no IP header fields.
const recvIPSupported = false

// ctrlSpace is 0: no control data is read.
const ctrlSpace = 0

func setRecvIP(*net.UDPConn, bool, RecvIP, RecvIP) error { return nil }

func parseIPInfo([]byte) (IPInfo, netip.Addr) { return IPInfo{}, netip.Addr{} }
