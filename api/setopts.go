package api

import (
	"github.com/gensctp/gensctp/timer"
)

// SetOpts sets socket options (inet:setopts/2). Record fields left zero
// take the type default, as in gen_sctp (only Connect merges them with
// the current values). Deviation from gen_sctp, which stops at the first
// failing option with the earlier ones applied: SetOpts applies all or
// none of them. Options naming an association (AssocID != 0) need one of
// this socket.
func (s *Socket) SetOpts(opts ...Option) error {
	return opError("setopts", 0, -1, s.do(func(now timer.Time) error {
		return s.setOptsLocked(now, modeSet, opts)
	}))
}

// setOptsLocked applies opts to a copy of the settings and commits the
// copy: the template of new associations goes to the endpoint, and a
// passive notice due (active count 0) is queued for the channel.
func (s *Socket) setOptsLocked(now timer.Time, mode applyMode, opts []Option) error {
	if len(opts) == 0 {
		return nil
	}
	st := s.st.clone()
	c := &optCtx{st: &st, mode: mode, s: s, now: now}
	if err := applyOptions(c, opts); err != nil {
		return err
	}
	if st.templateChanged && !s.peeled { // a peeled socket has no future associations
		if err := s.share.ep.SetAssocConfig(st.assoc); err != nil {
			return err
		}
	}
	notify := st.passiveDue
	st.passiveDue, st.templateChanged = false, false
	s.st = st
	if notify {
		s.outbox.push(Delivery{Kind: KindPassive, Socket: s})
	}
	return nil
}
