package endpoint

import (
	"encoding/binary"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
)

// HandlePTB hands a Packet Too Big report (ICMP Fragmentation Needed,
// ICMPv6 Packet Too Big) for a packet sent to ptb.To to the association
// of that peer and the SCTP port the quoted common header names, which
// validates it (association.Association.HandlePTB: RFC 9260 Appendix C,
// RFC 8899 Section 4.6.1). A report that names no association of the
// endpoint, or quotes less than the ports and the verification tag, is
// refused with association.ErrInvalidPTB.
func (e *Endpoint) HandlePTB(now timer.Time, ptb association.PTB) error {
	e.tick(now)
	e.flushDirty()
	q := ptb.Quoted
	if len(q) < 8 || binary.BigEndian.Uint16(q) != e.cfg.Port {
		return association.ErrInvalidPTB
	}
	en := e.byPeer[keyOf(ptb.To.Addr(), binary.BigEndian.Uint16(q[2:]))]
	if en == nil {
		return association.ErrInvalidPTB
	}
	err := en.a.HandlePTB(now, ptb)
	e.sync(en)
	return err
}

// HandlePTB hands a Packet Too Big report to the endpoints of the SCTP
// port the quoted common header names as its source (see
// Endpoint.HandlePTB); association.ErrInvalidPTB when none takes it.
func (m *Mux) HandlePTB(now timer.Time, ptb association.PTB) error {
	if len(ptb.Quoted) < 8 {
		return association.ErrInvalidPTB
	}
	err := association.ErrInvalidPTB
	for _, ep := range m.eps[binary.BigEndian.Uint16(ptb.Quoted)] {
		if err = ep.HandlePTB(now, ptb); err == nil {
			ep.touch()
			return nil
		}
	}
	return err
}
