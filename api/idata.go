package api

import "github.com/gensctp/gensctp/association"

// SCTPInterleavingSupported offers user message interleaving (I-DATA,
// RFC 8260; the SCTP_INTERLEAVING_SUPPORTED option of RFC 8260 Section
// 4.3.1, sctp_interleaving_supported) in the associations set up later,
// an addition to gen_sctp: off by default, as RFC 8260 Section 2.2.1
// asks. An association whose peer offers it too sends every message in
// I-DATA chunks, and the messages of its streams interleave: a large
// message no longer holds up the small ones of other streams. With
// PR-SCTP (SCTPPrSupported) I-FORWARD-TSN takes the place of FORWARD
// TSN. Associations already set up keep what they negotiated. RFC 8260
// Section 4.3.1 advises fragment interleave level 2 with it
// (SCTPFragmentInterleave, the default here). GetOpts reads it as a
// bool: with the AssocID of an association, whether that association
// negotiated it; otherwise the setting.
func SCTPInterleavingSupported(on bool) Option {
	return Option{name: "sctp_interleaving_supported", apply: func(c *optCtx) error {
		return c.changeTemplate(func(cfg *association.Config) { cfg.Interleaving = on })
	}}
}

// SCTPFragmentInterleave sets how a message delivered in pieces (partial
// delivery) interleaves with other messages, RFC 6458 Section 8.1.20
// (SCTP_FRAGMENT_INTERLEAVE, sctp_fragment_interleave), an addition to
// gen_sctp, for every association of the socket: at level 2 (the
// default) it holds up only the later messages of its own stream; at
// level 0 or 1 (the same for one association) every other message of the
// association waits until its last piece is delivered. Another level is
// an error wrapping ErrInvalidOption. GetOpts reads it as an int.
func SCTPFragmentInterleave(level int) Option {
	return Option{name: "sctp_fragment_interleave", apply: func(c *optCtx) error {
		if level < 0 || level > 2 {
			return badValue(level)
		}
		return c.changeAll(func(cfg *association.Config) {
			cfg.FragmentInterleave, cfg.HasFragmentInterleave = level, true
		})
	}}
}

// getInterleavingSupported reads sctp_interleaving_supported: RFC 8260
// Section 4.3.1, "For existing associations, it allows for querying
// whether or not user message interleaving support was negotiated on a
// particular association."
func getInterleavingSupported(s *Socket, q OptionQuery) (any, error) {
	_, a, cfg, err := s.targetCfgLocked(q.AssocID)
	if err != nil {
		return nil, err
	}
	if a != nil {
		return a.Interleaving(), nil
	}
	return cfg.Interleaving, nil
}

// getFragmentInterleave reads sctp_fragment_interleave.
func getFragmentInterleave(s *Socket, q OptionQuery) (any, error) {
	_, _, cfg, err := s.targetCfgLocked(q.AssocID)
	if err != nil {
		return nil, err
	}
	if !cfg.HasFragmentInterleave {
		return 2, nil
	}
	return cfg.FragmentInterleave, nil
}
