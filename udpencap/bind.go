package udpencap

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"syscall"

	"github.com/pion/transport/v3/stdnet"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// sockets returns the sockets of the Conn: a slice that is never changed
// (Bind replaces it).
func (c *Conn) sockets() []*socket {
	if p := c.socks.Load(); p != nil {
		return *p
	}
	return nil
}

// Bind makes the Conn receive on addrs as well, on its port: addrs as
// [Config].LocalAddrs has them (empty: the IPv4 wildcard, and the IPv6
// one with ipv6). It opens a socket for each address the Conn does not
// cover yet, with the buffers of the [Config] and the IP options set
// since, and starts its reader. An address is covered by a socket bound
// to it and, where the platform reports the destination of each datagram
// and takes the source of each one sent (Linux and macOS: IP_PKTINFO and
// IPV6_RECVPKTINFO), by the wildcard socket of its family. A wildcard
// address joins specific ones of the Conn on the port with SO_REUSEADDR
// set on the sockets concerned while it binds, and cleared then (not on
// Windows, see the BUGS section); the sockets of other processes keep
// their rights. Sockets stay bound until [Conn.Unbind] or [Conn.Close]. On failure the
// sockets opened by this call before it stay, and the error is the
// operating system's (EADDRINUSE when another socket holds an address).
// Bind is safe for concurrent use.
func (c *Conn) Bind(addrs []netip.Addr, ipv6 bool) error {
	_, want, err := normalise(Config{Net: c.cfg.Net, LocalAddrs: addrs, IPv6: ipv6})
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed.Load() {
		return c.opError("bind", net.ErrClosed)
	}
	for _, a := range want {
		if c.covers(a) {
			continue
		}
		if err := c.add(a); err != nil {
			return err
		}
	}
	return nil
}

// covers reports whether a socket of the Conn receives for a.
func (c *Conn) covers(a netip.Addr) bool {
	for _, s := range c.sockets() {
		if s.local.Addr() == a || s.wild && s.pktinfo && s.is4 == a.Is4() {
			return true
		}
	}
	return false
}

// overlaps reports whether a socket of the Conn of a's family is bound to
// the wildcard when a is specific or the other way round: what the
// kernel refuses on one port without SO_REUSEADDR.
func (c *Conn) overlaps(a netip.Addr) bool {
	for _, s := range c.sockets() {
		if s.is4 == a.Is4() && s.std != nil && s.wild != a.IsUnspecified() {
			return true
		}
	}
	return false
}

// add opens the socket of a on the Conn's port and starts it. The caller
// holds c.mu.
func (c *Conn) add(a netip.Addr) error {
	s, err := c.open(c.cfg, a, c.port, c.paths, nil)
	if err != nil && errors.Is(err, syscall.EADDRINUSE) && reuseSupported && c.overlaps(a) {
		if _, std := c.cfg.Net.(*stdnet.Net); std {
			s, err = c.openReusing(a)
		}
	}
	if err != nil {
		return err
	}
	c.ipmu.Lock()
	err = c.applyIPTo(s)
	c.ipmu.Unlock()
	if err != nil {
		_ = s.uc.Close()
		return c.opError("setsockopt", err)
	}
	c.pool.Grow(2 * s.nbuf)
	socks := append(c.sockets()[:len(c.sockets()):len(c.sockets())], s)
	c.socks.Store(&socks)
	c.wg.Add(1)
	go s.readLoop()
	return nil
}

// openReusing opens the socket of a with SO_REUSEADDR set on it and on
// the sockets of the Conn it overlaps, members of their groups included,
// while it binds (see listenReuse).
func (c *Conn) openReusing(a netip.Addr) (*socket, error) {
	var set []*socket
	defer func() {
		for _, s := range set {
			_ = setReuse(s.std, false)
		}
	}()
	for _, s := range slices.Concat(c.sockets(), c.group) {
		if s.is4 == a.Is4() && s.std != nil && s.wild != a.IsUnspecified() {
			if err := setReuse(s.std, true); err != nil {
				return nil, fmt.Errorf("udpencap: SO_REUSEADDR: %w", err)
			}
			set = append(set, s)
		}
	}
	return c.open(c.cfg, a, c.port, c.paths, listenReuse)
}

// applyIPTo gives the new socket s the IP options and the requests for IP
// header fields of the Conn. The caller holds c.ipmu.
func (c *Conn) applyIPTo(s *socket) error {
	if s.std == nil {
		return nil
	}
	o := c.ipo
	var errs []error
	if s.is4 {
		p := ipv4.NewConn(s.std)
		errs = append(errs, p.SetTOS(o.TOS), p.SetTTL(o.TTL))
	} else {
		errs = append(errs, ipv6.NewConn(s.std).SetTrafficClass(o.TrafficClass))
	}
	if o.DontRoute {
		errs = append(errs, setDontRoute(s.std, true))
	}
	if o.Priority != 0 {
		errs = append(errs, setPriority(s.std, o.Priority))
	}
	if o.BindToDevice != "" {
		errs = append(errs, setBindToDevice(s.std, o.BindToDevice))
	}
	if o.DontFragment {
		errs = append(errs, setDontFragment(s.std, s.is4, true))
	}
	if recvIPSupported && c.rip.on != 0 {
		errs = append(errs, setRecvIP(s.std, s.is4, 0, c.rip.on))
	}
	if c.ptb.Load() {
		errs = append(errs, setRecvErr(s.std, s.is4))
	}
	return errors.Join(errs...)
}
