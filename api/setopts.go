package api

import (
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
)

// SetOpts sets socket options (inet:setopts/2). Record fields left zero
// take the type default, as in gen_sctp (only Connect merges them with
// the current values); for the records whose zero fields the sockets API
// defines as "keep the current value" (RFC 6458 Sections 8.1.1, 8.1.2 and
// 8.1.12: sctp_rtoinfo, sctp_associnfo, sctp_peer_addr_params) the type
// default is that. Options naming an association (AssocID != 0) need one
// of this socket; AssocID 0 names the endpoint: the template of the
// associations set up later (on a one-to-one socket with an association,
// that association).
//
// Deviation from gen_sctp, which stops at the first failing option with
// the earlier ones applied: SetOpts applies all or none of them. Every
// option is validated first; an invalid value is an *Error (reason
// einval) wrapping ErrInvalidOption and a cause naming the option, and
// nothing changes. Only a refusal by the operating system of an IP-level
// option (tos, tclass, ttl, dontroute, priority, bind_to_device) is found
// while applying; then the IP-level options are restored and nothing else
// changes.
func (s *Socket) SetOpts(opts ...Option) error {
	return opError("setopts", 0, -1, s.do(func(now timer.Time) error {
		return s.setOptsLocked(now, modeSet, opts)
	}))
}

// setOptsLocked applies opts to a copy of the settings and commits the
// copy (see commitLocked).
func (s *Socket) setOptsLocked(now timer.Time, mode applyMode, opts []Option) error {
	if len(opts) == 0 {
		return nil
	}
	s.direct.Store(false) // Conn.Read looks at the settings again (active mode, say)
	st := s.st.clone()
	c := &optCtx{st: &st, mode: mode, s: s, now: now}
	if err := applyOptions(c, opts); err != nil {
		return err
	}
	return s.commitLocked(c)
}

// commitLocked makes the settings c.st the socket's: it checks the whole
// result once more, pushes the IP-level options to the UDP sockets (the
// only step that can fail, and which is undone then), the template of new
// associations to the endpoint, the new configurations to the live
// associations (Reconfigure), runs the other effects on them, and queues
// a passive notice due (active count 0) for the channel.
func (s *Socket) commitLocked(c *optCtx) error {
	st := c.st
	if st.templateChanged {
		if err := checkConfig(st.assoc); err != nil {
			return err
		}
	}
	for _, l := range c.live {
		if err := checkConfig(*l.cfg); err != nil {
			return err
		}
	}
	if err := st.checkTransportOpts(s.stk.Transport()); err != nil {
		return err
	}
	if err := pushIP(s.stk.Transport(), st.ip, c.ipChanged); err != nil {
		return err
	}
	if st.templateChanged && !s.peeled { // a peeled socket has no future associations
		if err := s.share.ep.SetAssocConfig(onTransport(st.inNamespace(st.assoc), s.stk.Transport())); err != nil {
			return err // not reached: checked above
		}
	}
	if st.backlog != s.st.backlog && !s.peeled {
		_ = s.share.ep.SetBacklog(st.backlog) // checked by the option
	}
	s.commitLimitsLocked(st)
	for _, l := range c.live {
		_ = l.a.Reconfigure(c.now, onTransport(st.inNamespace(*l.cfg), s.stk.Transport())) // checked above
	}
	for _, fn := range c.effects {
		if err := fn(c.now); err != nil {
			return err // not reached: every effect was checked
		}
	}
	notify := st.passiveDue
	st.passiveDue, st.templateChanged = false, false
	s.st = *st
	s.syncRecvIPLocked()
	if notify {
		s.outbox.push(Delivery{Kind: KindPassive, Socket: s})
	}
	s.kickLocked() // the mode, the buffers, the filters may have changed
	return nil
}

// pushIP sets the IP-level options of mask on the UDP sockets of the
// transport t; on a refusal it restores the ones already set.
func pushIP(t packetio.Transport, o udpencap.IPOptions, mask ipMask) error {
	if mask == 0 {
		return nil
	}
	conn, ok := t.(ipOptioner)
	if !ok {
		return unsupported("IP-level options")
	}
	old := conn.IPOptions()
	setters := []struct {
		bit ipMask
		set func(udpencap.IPOptions) error
	}{
		{ipTOS, func(o udpencap.IPOptions) error { return conn.SetTOS(o.TOS) }},
		{ipTClass, func(o udpencap.IPOptions) error { return conn.SetTrafficClass(o.TrafficClass) }},
		{ipTTL, func(o udpencap.IPOptions) error { return conn.SetTTL(o.TTL) }},
		{ipDontRoute, func(o udpencap.IPOptions) error { return conn.SetDontRoute(o.DontRoute) }},
		{ipPriority, func(o udpencap.IPOptions) error { return conn.SetPriority(o.Priority) }},
		{ipBindToDevice, func(o udpencap.IPOptions) error { return conn.SetBindToDevice(o.BindToDevice) }},
		{ipDontFragment, func(o udpencap.IPOptions) error { return conn.SetDontFragment(o.DontFragment) }},
	}
	for i, x := range setters {
		if mask&x.bit == 0 {
			continue
		}
		if err := x.set(o); err != nil {
			for _, y := range setters[:i] {
				if mask&y.bit != 0 {
					_ = y.set(old)
				}
			}
			return err
		}
	}
	return nil
}
