package api

import "github.com/gensctp/gensctp/association"

// The flags of sctp_enable_stream_reset (RFC 6525 Section 6.3.1), the
// kinds of the peer's stream reconfiguration requests performed: a
// request of a kind not enabled is answered "Denied".
const (
	// EnableResetStreamReq (SCTP_ENABLE_RESET_STREAM_REQ): the peer's
	// Outgoing and Incoming SSN Reset Requests.
	EnableResetStreamReq = uint32(association.ResetStreamRequests)
	// EnableResetAssocReq (SCTP_ENABLE_RESET_ASSOC_REQ): the peer's
	// SSN/TSN Reset Requests.
	EnableResetAssocReq = uint32(association.ResetAssocRequests)
	// EnableChangeAssocReq (SCTP_ENABLE_CHANGE_ASSOC_REQ): the peer's Add
	// Outgoing and Add Incoming Streams Requests.
	EnableChangeAssocReq = uint32(association.ChangeAssocRequests)
)

// SCTPEnableStreamReset sets the kinds of the peer's stream
// reconfiguration requests the association v.AssocID performs, or with
// AssocID 0 those of the associations set up later (RFC 6525 Section
// 6.3.1 sctp_enable_stream_reset, a gensctp addition): v.AssocValue is
// an OR of EnableResetStreamReq, EnableResetAssocReq and
// EnableChangeAssocReq; the requests of the other kinds are answered
// "Denied" (association.Config.ResetRequestsDenied is its complement).
// The default is every kind enabled, so that a WebRTC peer can close its
// data channels; note that Linux's default, as RFC 6525's, is none. A
// flag RFC 6525 does not define is an error wrapping ErrInvalidOption.
// GetOpts reads it as an AssocValue.
func SCTPEnableStreamReset(v AssocValue) Option {
	return Option{name: "sctp_enable_stream_reset", apply: func(c *optCtx) error {
		if v.AssocValue&^uint32(association.AllResetRequests) != 0 {
			return badValue(v.AssocValue)
		}
		return c.changeTarget(v.AssocID, func(cfg *association.Config) {
			cfg.ResetRequestsDenied = association.AllResetRequests &^ association.ResetRequests(v.AssocValue)
		})
	}}
}

func getEnableStreamReset(s *Socket, q OptionQuery) (any, error) {
	id, _, cfg, err := s.targetCfgLocked(q.AssocID)
	if err != nil {
		return nil, err
	}
	return AssocValue{AssocID: id, AssocValue: uint32(association.AllResetRequests &^ cfg.ResetRequestsDenied)}, nil
}
