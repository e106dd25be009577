package udpencap

import (
	"slices"

	"github.com/gensctp/gensctp/packetio"
)

// RecvIP is a set of IP header fields of received datagrams:
// [packetio.RecvIP], what [Conn.AddRecvIP] asks the sockets to report.
type RecvIP = packetio.RecvIP

// The IP header fields a [Conn] can report with each received datagram
// (see [packetio.RecvTOS] and the others).
const (
	RecvTOS      = packetio.RecvTOS
	RecvTClass   = packetio.RecvTClass
	RecvTTL      = packetio.RecvTTL
	RecvHopLimit = packetio.RecvHopLimit

	recvIPFields = 4
)

// IPInfo is what the operating system reported about the IP header of a
// received datagram ([Message].IP): [packetio.IPInfo]. The sockets
// report a field only while it is requested (see [Conn.AddRecvIP]) and
// the platform supports it (Linux; elsewhere, and on a [Config].Net that
// is not the standard library, Has is always 0).
type IPInfo = packetio.IPInfo

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
	for _, s := range slices.Concat(c.sockets(), c.group) {
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
