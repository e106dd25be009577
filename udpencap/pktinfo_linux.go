package udpencap

import "golang.org/x/sys/unix"

// recvPktinfo4 is the option that asks an IPv4 socket for IP_PKTINFO
// control messages.
const recvPktinfo4 = unix.IP_PKTINFO
