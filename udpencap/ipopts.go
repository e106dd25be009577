package udpencap

import (
	"errors"
	"fmt"
	"math"
	"net"
	"strings"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// IPOptions are the IP-level options of the sockets of a [Conn]: what an
// SCTP socket's tos, tclass, ttl, dontroute and priority options (gen_sctp
// {tos, N}, ...) become once SCTP runs over UDP. Every socket of the Conn
// carries them, so every SCTP endpoint sharing the Conn does too.
type IPOptions struct {
	// TOS is the type-of-service byte of the IPv4 sockets (IP_TOS).
	TOS int
	// TrafficClass is the traffic class of the IPv6 sockets (IPV6_TCLASS).
	TrafficClass int
	// TTL is the time to live of unicast packets of the IPv4 sockets
	// (IP_TTL).
	TTL int
	// DontRoute bypasses the routing table (SO_DONTROUTE). Linux only:
	// elsewhere it is remembered and has no effect.
	DontRoute bool
	// Priority is the queueing priority of the packets (SO_PRIORITY).
	// Linux only: elsewhere it is remembered and has no effect.
	Priority int
	// DontFragment: the packets carry the Don't Fragment bit, as path MTU
	// discovery needs (SetDontFragment).
	DontFragment bool
	// BindToDevice is the network interface the sockets are bound to
	// (SO_BINDTODEVICE), "" for none. Linux only: elsewhere
	// [Conn.SetBindToDevice] fails with [errors.ErrUnsupported].
	BindToDevice string
}

// defaultTTL is what IPOptions reports for TTL when the operating system
// cannot be asked (a virtual network): Linux's default.
const defaultTTL = 64

// IPOptions returns the IP-level options of the sockets: the operating
// system's values read at Listen, as changed since through the setters.
// Sockets that are not the standard library's (a virtual network) report
// what was set, TTL 64 and zeros otherwise.
func (c *Conn) IPOptions() IPOptions {
	c.ipmu.Lock()
	defer c.ipmu.Unlock()
	return c.ipo
}

// readIPOptions fills c.ipo from the first socket of each family.
func (c *Conn) readIPOptions() {
	o := IPOptions{TTL: defaultTTL}
	var seen4, seen6 bool
	for _, s := range c.sockets() {
		switch {
		case s.std == nil:
		case s.is4 && !seen4:
			seen4 = true
			p := ipv4.NewConn(s.std)
			if v, err := p.TOS(); err == nil {
				o.TOS = v
			}
			if v, err := p.TTL(); err == nil {
				o.TTL = v
			}
			o.DontRoute, o.Priority = sysSockOpts(s.std, o.DontRoute, o.Priority)
			o.BindToDevice = boundDevice(s.std, o.BindToDevice)
		case !s.is4 && !seen6:
			seen6 = true
			if v, err := ipv6.NewConn(s.std).TrafficClass(); err == nil {
				o.TrafficClass = v
			}
			if !seen4 {
				o.DontRoute, o.Priority = sysSockOpts(s.std, o.DontRoute, o.Priority)
				o.BindToDevice = boundDevice(s.std, o.BindToDevice)
			}
		}
	}
	c.ipo = o
	c.storeTOSLocked()
}

// SetTOS sets IP_TOS (0 to 255) on the IPv4 sockets. On failure the
// sockets keep their previous value.
func (c *Conn) SetTOS(tos int) error {
	if tos < 0 || tos > 255 {
		return fmt.Errorf("udpencap: TOS %d out of range 0..255", tos)
	}
	return c.setIP(func(o *IPOptions) { o.TOS = tos }, func(s *socket, o IPOptions) error {
		if !s.is4 {
			return nil
		}
		return ipv4.NewConn(s.std).SetTOS(o.TOS)
	})
}

// SetTrafficClass sets IPV6_TCLASS (0 to 255) on the IPv6 sockets. On
// failure the sockets keep their previous value.
func (c *Conn) SetTrafficClass(tclass int) error {
	if tclass < 0 || tclass > 255 {
		return fmt.Errorf("udpencap: traffic class %d out of range 0..255", tclass)
	}
	return c.setIP(func(o *IPOptions) { o.TrafficClass = tclass }, func(s *socket, o IPOptions) error {
		if s.is4 {
			return nil
		}
		return ipv6.NewConn(s.std).SetTrafficClass(o.TrafficClass)
	})
}

// SetTTL sets IP_TTL (1 to 255) on the IPv4 sockets. On failure the
// sockets keep their previous value.
func (c *Conn) SetTTL(ttl int) error {
	if ttl < 1 || ttl > 255 {
		return fmt.Errorf("udpencap: TTL %d out of range 1..255", ttl)
	}
	return c.setIP(func(o *IPOptions) { o.TTL = ttl }, func(s *socket, o IPOptions) error {
		if !s.is4 {
			return nil
		}
		return ipv4.NewConn(s.std).SetTTL(o.TTL)
	})
}

// SetDontRoute sets SO_DONTROUTE on every socket (Linux; elsewhere the
// value is only remembered). On failure the sockets keep their previous
// value.
func (c *Conn) SetDontRoute(on bool) error {
	return c.setIP(func(o *IPOptions) { o.DontRoute = on }, func(s *socket, o IPOptions) error {
		return setDontRoute(s.std, o.DontRoute)
	})
}

// SetPriority sets SO_PRIORITY on every socket (Linux, where values above
// 6 need CAP_NET_ADMIN; elsewhere the value is only remembered). On
// failure the sockets keep their previous value.
func (c *Conn) SetPriority(prio int) error {
	if prio < 0 || prio > math.MaxInt32 {
		return fmt.Errorf("udpencap: priority %d out of range", prio)
	}
	return c.setIP(func(o *IPOptions) { o.Priority = prio }, func(s *socket, o IPOptions) error {
		return setPriority(s.std, o.Priority)
	})
}

// maxDeviceName is the longest interface name (IFNAMSIZ less the NUL).
const maxDeviceName = 15

// ValidDeviceName reports whether ifname can name a network interface for
// SetBindToDevice: at most 15 bytes (Linux's IFNAMSIZ less the NUL), no
// NUL.
func ValidDeviceName(ifname string) bool {
	return len(ifname) <= maxDeviceName && strings.IndexByte(ifname, 0) < 0
}

// SetBindToDevice binds every socket to the network interface ifname
// (SO_BINDTODEVICE), or unbinds them for "". Linux only: elsewhere it
// fails with an error wrapping [errors.ErrUnsupported]. An interface that
// does not exist is the operating system's refusal (ENODEV). On failure
// the sockets keep their previous binding. Sockets that are not the
// standard library's (a virtual network) only remember the name.
func (c *Conn) SetBindToDevice(ifname string) error {
	if !ValidDeviceName(ifname) {
		return fmt.Errorf("udpencap: bad interface name %q", ifname)
	}
	if !BindToDeviceSupported {
		return c.opError("setsockopt", fmt.Errorf("SO_BINDTODEVICE: %w", errors.ErrUnsupported))
	}
	return c.setIP(func(o *IPOptions) { o.BindToDevice = ifname }, func(s *socket, o IPOptions) error {
		return setBindToDevice(s.std, o.BindToDevice)
	})
}

// setIP applies the change mod to every standard-library socket with
// apply, and on the first failure restores the previous value on the
// sockets already changed.
func (c *Conn) setIP(mod func(*IPOptions), apply func(*socket, IPOptions) error) error {
	c.ipmu.Lock()
	defer c.ipmu.Unlock()
	if c.closed.Load() {
		return c.opError("setsockopt", net.ErrClosed)
	}
	old, o := c.ipo, c.ipo
	mod(&o)
	socks := c.sockets()
	for i, s := range socks {
		if s.std == nil {
			continue
		}
		if err := apply(s, o); err != nil {
			for _, done := range socks[:i] {
				if done.std != nil {
					_ = apply(done, old)
				}
			}
			return c.opError("setsockopt", err)
		}
	}
	c.ipo = o
	c.storeTOSLocked()
	return nil
}
