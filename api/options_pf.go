package api

import "github.com/gensctp/gensctp/association"

// MaxPotentiallyFailed is the largest threshold SCTPPotentiallyFailed
// accepts: the range of Linux's spt_pathpfthld (RFC 7829 Section 7.2).
const MaxPotentiallyFailed = 65535

// SCTPPotentiallyFailed switches the potentially-failed (PF) path state
// of RFC 7829 (SCTP-PF), for the existing associations of the socket and
// later ones. An addition to gen_sctp, after Linux's pf_retrans and
// RFC 7829 Section 7.2's SCTP_PEER_ADDR_THLDS: pfmr is
// PotentiallyFailed.Max.Retrans (PFMR), the number of consecutive
// timeouts a path may take before it is potentially failed.
//
// pfmr >= 0 switches SCTP-PF on with that threshold; 0, the value RFC
// 7829 Section 3.2 recommends, makes a path PF at its first timeout. A
// negative pfmr switches it off, the default: a path is then active until
// its error count exceeds Path.Max.Retrans (RFC 9260 Section 8.2). Values
// above MaxPotentiallyFailed are invalid (ErrInvalidOption).
//
// A PF path gets no new data while another path is active, is probed with
// a HEARTBEAT at once and then once per RTO, and is active again on a
// HEARTBEAT ACK or an acknowledgement; after Path.Max.Retrans + 1
// timeouts it is inactive, with the addr_unreachable event. A pfmr of at
// least Path.Max.Retrans never reaches PF (RFC 7829 Section 3.2 rule 1).
// The PF state has no gen_sctp event: entering and leaving it delivers
// none; sctp_get_peer_addr_info reports it as
// association.PathPotentiallyFailed, whose atom is undefined.
//
// GetOpts reads it as an int: the threshold, or -1 when off.
func SCTPPotentiallyFailed(pfmr int) Option {
	return Option{name: "sctp_potentially_failed", apply: func(c *optCtx) error {
		if pfmr > MaxPotentiallyFailed {
			return badValue(pfmr)
		}
		return c.changeAll(func(cfg *association.Config) {
			cfg.PotentiallyFailed, cfg.PFMaxRetrans = pfmr >= 0, max(pfmr, 0)
		})
	}}
}

// getPotentiallyFailed reads sctp_potentially_failed: the PFMR, or -1
// when SCTP-PF is off.
func getPotentiallyFailed(s *Socket, _ OptionQuery) (any, error) {
	cfg := s.socketCfgLocked()
	if !cfg.PotentiallyFailed {
		return -1, nil
	}
	return cfg.PFMaxRetrans, nil
}
