package udpencap

// ECN (RFC 3168) over the UDP sockets: the ECN field of each datagram
// sent comes from [OutMessage].ECN, set per datagram with an IP_TOS or
// IPV6_TCLASS control message whose DSCP bits are the socket's (IP_TOS,
// IPV6_TCLASS: [Conn.SetTOS], [Conn.SetTrafficClass]); the field of the
// datagrams received is in the TOS byte or traffic class that
// [Conn.AddRecvIP] asks for. RFC 6951 Section 5.8: "If the
// implementation supports the sending and receiving of the ECN bits for
// the IP protocols being used by an SCTP association, the ECN bits MUST
// NOT be changed during sending and receiving."

// ECNCapable reports whether the Conn sets the ECN field of the datagrams
// it sends ([OutMessage].ECN) and reports that of those it receives
// (RecvTOS, RecvTClass): on Linux with the standard library's sockets.
// Elsewhere, and on a [Config].Net that is not the operating system's,
// [OutMessage].ECN is ignored.
func (c *Conn) ECNCapable() bool {
	if !ecnSupported || !recvIPSupported {
		return false
	}
	for _, s := range c.sockets() {
		if s.std == nil {
			return false
		}
	}
	return true
}

// storeTOSLocked publishes the DSCP bits of the sockets' TOS and traffic
// class for the writers (tosFor). The caller holds c.ipmu.
func (c *Conn) storeTOSLocked() {
	c.tos.Store(uint32(c.ipo.TOS&0xFF) | uint32(c.ipo.TrafficClass&0xFF)<<8)
}

// tosFor returns the TOS byte (IPv4, is4) or traffic class of a datagram
// with ECN field ecn: the socket's DSCP bits and ecn.
func (c *Conn) tosFor(is4 bool, ecn uint8) int {
	v := c.tos.Load()
	if !is4 {
		v >>= 8
	}
	return int(v&0xFC) | int(ecn&3)
}
