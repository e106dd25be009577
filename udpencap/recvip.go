package udpencap

// RecvIP is a set of IP header fields of received datagrams: what
// [Conn.AddRecvIP] asks the sockets to report, and what [IPInfo] of a
// received [Message] holds.
type RecvIP uint8

// The IP header fields a [Conn] can report with each received datagram.
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

	recvIPFields = 4
)

// IPInfo is what the operating system reported about the IP header of a
// received datagram ([Message].IP). A field is valid only when its bit is
// in Has: the sockets report a field only while it is requested (see
// [Conn.AddRecvIP]) and the platform supports it (Linux; elsewhere, and on
// a [Config].Net that is not the standard library, Has is always 0). An
// IPv4 datagram may carry TOS and TTL, an IPv6 one TClass and HopLimit.
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

// recvIPState counts the requests for each field of RecvIP; the sockets
// report a field while its count is positive. Guarded by Conn.ipmu.
type recvIPState struct {
	refs [recvIPFields]int
	on   RecvIP // the fields the sockets were last told to report
}

// AddRecvIP adds one request for the IP header fields what: from now on
// [Conn.ReadBatch] reports them with each datagram ([Message].IP) where the
// platform can, until as many [Conn.RemoveRecvIP] calls withdraw the
// request. Requests are counted per field, so that several users of one
// Conn can ask independently. The error, if any, is the operating
// system's refusal for one of the sockets; the request counts anyway, and
// the other sockets report what they can. Outside Linux it does nothing
// and returns nil: no field is reported there.
func (c *Conn) AddRecvIP(what RecvIP) error {
	c.ipmu.Lock()
	defer c.ipmu.Unlock()
	for i := range recvIPFields {
		if what&(1<<i) != 0 {
			c.rip.refs[i]++
		}
	}
	return c.applyRecvIPLocked()
}

// RemoveRecvIP withdraws one request of [Conn.AddRecvIP] for the fields
// what; a field without requests is no longer reported. Withdrawing a
// request that was never added is harmless.
func (c *Conn) RemoveRecvIP(what RecvIP) error {
	c.ipmu.Lock()
	defer c.ipmu.Unlock()
	for i := range recvIPFields {
		if what&(1<<i) != 0 && c.rip.refs[i] > 0 {
			c.rip.refs[i]--
		}
	}
	return c.applyRecvIPLocked()
}

// RecvIP returns the fields requested by [Conn.AddRecvIP] at the moment:
// those the sockets report where the platform can.
func (c *Conn) RecvIP() RecvIP {
	c.ipmu.Lock()
	defer c.ipmu.Unlock()
	return c.wantedRecvIPLocked()
}

func (c *Conn) wantedRecvIPLocked() RecvIP {
	var want RecvIP
	for i, n := range c.rip.refs {
		if n > 0 {
			want |= 1 << i
		}
	}
	return want
}

// applyRecvIPLocked turns the socket options on or off for the fields
// whose request count crossed zero.
func (c *Conn) applyRecvIPLocked() error {
	want := c.wantedRecvIPLocked()
	if want == c.rip.on || !recvIPSupported {
		c.rip.on = want
		return nil
	}
	var first error
	for _, s := range c.socks {
		if s.std == nil {
			continue
		}
		if err := setRecvIP(s.std, s.is4, c.rip.on, want); err != nil && first == nil {
			first = c.opError("setsockopt", err)
		}
	}
	c.rip.on = want
	return first
}
