package api

import (
	"fmt"
	"slices"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
)

// The options of chunk authentication (AUTH, RFC 4895; RFC 6458 Sections
// 8.1.18, 8.2.3, 8.2.4 and 8.3.2 to 8.3.5), gensctp additions: gen_sctp
// has none. AUTH is on by default, as in Linux and usrsctp.

// AuthChunks is the sctp_authchunks record of RFC 6458 Sections 8.2.3
// and 8.2.4 (options sctp_peer_auth_chunks and sctp_local_auth_chunks,
// read only): chunk types that must be received authenticated.
type AuthChunks struct {
	AssocID AssocID
	Chunks  []uint8
}

// AuthKey is the sctp_authkey record of RFC 6458 Section 8.3.3 (option
// sctp_auth_key, write only): an endpoint-pair shared key.
type AuthKey struct {
	AssocID   AssocID
	KeyNumber uint16
	// Key is the secret; empty is the null key.
	Key []byte
}

// AuthKeyID is the sctp_authkeyid record of RFC 6458 Sections 8.1.18,
// 8.3.4 and 8.3.5 (options sctp_auth_active_key, sctp_auth_deactivate_key
// and sctp_auth_delete_key).
type AuthKeyID struct {
	AssocID   AssocID
	KeyNumber uint16
}

// SCTPAuthSupported offers AUTH (RFC 4895: the RANDOM, CHUNKS and
// HMAC-ALGO parameters) in the associations set up later (default true;
// SCTP_AUTH_SUPPORTED of Linux and FreeBSD). Off, an association neither
// offers nor accepts it, and the other AUTH options fail on it with an
// error wrapping association.ErrAuthDisabled. Associations already set
// up keep what they negotiated. GetOpts reads it as a bool.
func SCTPAuthSupported(on bool) Option {
	return Option{name: "sctp_auth_supported", apply: func(c *optCtx) error {
		return c.changeTemplate(func(cfg *association.Config) { cfg.Auth.Disabled = !on })
	}}
}

// SCTPAuthChunk adds the chunk type t to those the peers of the
// associations set up later must authenticate (RFC 6458 Section 8.3.2,
// SCTP_AUTH_CHUNK: "Changes to the list of chunks will only affect future
// associations on the socket"). ASCONF and ASCONF-ACK are always listed
// (RFC 5061 Section 4.1). INIT, INIT ACK, SHUTDOWN COMPLETE and AUTH are
// refused ("If they are used, an error must be returned"): an error
// wrapping ErrInvalidOption and association.ErrInvalidConfig.
func SCTPAuthChunk(t uint8) Option {
	return authChunkOption("sctp_auth_chunk", t, func(a *association.AuthConfig) *[]chunk.Type { return &a.Chunks })
}

// authChunkOption adds chunk type t to the list of the template's
// AuthConfig that list returns.
func authChunkOption(name string, t uint8, list func(*association.AuthConfig) *[]chunk.Type) Option {
	return Option{name: name, apply: func(c *optCtx) error {
		return c.changeTemplate(func(cfg *association.Config) {
			if l := list(&cfg.Auth); !slices.Contains(*l, chunk.Type(t)) {
				*l = append(slices.Clone(*l), chunk.Type(t))
			}
		})
	}}
}

// SCTPAuthKey sets an endpoint-pair shared key (RFC 6458 Section 8.3.3,
// SCTP_AUTH_KEY) of the association k.AssocID, or with AssocID 0 of the
// associations set up later: a key of the same number is replaced. Key
// number 0 is the null key by default.
func SCTPAuthKey(k AuthKey) Option {
	return authKeyOption("sctp_auth_key", k.AssocID,
		func(ks association.AuthKeys, _ uint16) (association.AuthKeys, error) {
			return ks.Set(k.KeyNumber, k.Key), nil
		},
		func(a *association.Association) error { return a.SetAuthKey(k.KeyNumber, k.Key) })
}

// SCTPAuthActiveKey makes key k.KeyNumber the one that authenticates
// what the association k.AssocID sends, or with AssocID 0 the
// associations set up later (RFC 6458 Section 8.1.18,
// SCTP_AUTH_ACTIVE_KEY). The key must exist and not be deactivated:
// otherwise an error wrapping association.ErrAuthNoKey or
// ErrAuthKeyInUse. GetOpts reads it as an AuthKeyID.
func SCTPAuthActiveKey(k AuthKeyID) Option {
	return Option{name: "sctp_auth_active_key", apply: func(c *optCtx) error {
		return authKeyApply(c, k.AssocID,
			func(cfg *association.Config) error {
				if err := cfg.Auth.Keys.CheckActive(k.KeyNumber); err != nil {
					return err
				}
				cfg.Auth.ActiveKey = k.KeyNumber
				return nil
			},
			func(a *association.Association) error { return a.SetActiveAuthKey(k.KeyNumber) })
	}}
}

// SCTPAuthDeactivateKey stops key k.KeyNumber from authenticating what
// the association k.AssocID sends, or with AssocID 0 the associations
// set up later (RFC 6458 Section 8.3.4, SCTP_AUTH_DEACTIVATE_KEY); the
// authkey event (authentication_event of sctp_events) then reports
// association.AuthFreeKey. The active key cannot be deactivated: an
// error wrapping association.ErrAuthKeyActive (ErrAuthNoKey for a key
// that does not exist).
func SCTPAuthDeactivateKey(k AuthKeyID) Option {
	return authKeyOption("sctp_auth_deactivate_key", k.AssocID,
		func(ks association.AuthKeys, active uint16) (association.AuthKeys, error) {
			return ks.Deactivate(active, k.KeyNumber)
		},
		func(a *association.Association) error { return a.DeactivateAuthKey(k.KeyNumber) })
}

// SCTPAuthDeleteKey deletes the deactivated key k.KeyNumber of the
// association k.AssocID, or with AssocID 0 of the associations set up
// later (RFC 6458 Section 8.3.5, SCTP_AUTH_DELETE_KEY): an error wrapping
// association.ErrAuthKeyInUse for a key not deactivated, ErrAuthKeyActive
// for the active key, ErrAuthNoKey for one that does not exist.
func SCTPAuthDeleteKey(k AuthKeyID) Option {
	return authKeyOption("sctp_auth_delete_key", k.AssocID,
		func(ks association.AuthKeys, active uint16) (association.AuthKeys, error) {
			return ks.Delete(active, k.KeyNumber)
		},
		func(a *association.Association) error { return a.DeleteAuthKey(k.KeyNumber) })
}

// authKeyOption is an option that changes the key list: onTemplate of the
// associations set up later, live of a live association.
func authKeyOption(name string, id AssocID,
	onTemplate func(association.AuthKeys, uint16) (association.AuthKeys, error),
	live func(*association.Association) error) Option {
	return Option{name: name, apply: func(c *optCtx) error {
		return authKeyApply(c, id, func(cfg *association.Config) error {
			keys, err := onTemplate(cfg.Auth.Keys, cfg.Auth.ActiveKey)
			cfg.Auth.Keys = keys
			return err
		}, live)
	}}
}

// authKeyApply applies a key operation to the template (onTemplate) or,
// for a live association, checks it on a copy of the association's keys
// and queues it (live) as an effect.
func authKeyApply(c *optCtx, id AssocID, onTemplate func(*association.Config) error,
	live func(*association.Association) error) error {
	id, a, err := c.target(id)
	if err != nil {
		return err
	}
	if a == nil {
		var opErr error
		err := c.changeTemplate(func(cfg *association.Config) { opErr = onTemplate(cfg) })
		if opErr != nil {
			return fmt.Errorf("%w: %w", ErrInvalidOption, opErr)
		}
		return err
	}
	keys, active, err := a.AuthKeys()
	if err != nil {
		return fmt.Errorf("%w: association %d: %w", ErrInvalidOption, id, err)
	}
	check := association.Config{Auth: association.AuthConfig{Keys: keys, ActiveKey: active}}
	if err := onTemplate(&check); err != nil {
		return fmt.Errorf("%w: association %d: %w", ErrInvalidOption, id, err)
	}
	c.effect(func(timer.Time) error { return live(a) })
	return nil
}

func getAuthSupported(s *Socket, _ OptionQuery) (any, error) { return !s.st.assoc.Auth.Disabled, nil }

// getPeerAuthChunks reads sctp_peer_auth_chunks: "Note that the
// predefined constants are not allowed with this option" (RFC 6458
// Section 8.2.3): an association is required.
func getPeerAuthChunks(s *Socket, q OptionQuery) (any, error) {
	id, a, err := s.targetLocked(q.AssocID)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, ErrNoAssociation
	}
	return AuthChunks{AssocID: id, Chunks: typeBytes(a.PeerAuthChunks())}, nil
}

// getLocalAuthChunks reads sctp_local_auth_chunks, of an association or
// of the associations set up later (RFC 6458 Section 8.2.4).
func getLocalAuthChunks(s *Socket, q OptionQuery) (any, error) {
	id, a, err := s.targetLocked(q.AssocID)
	if err != nil {
		return nil, err
	}
	if a != nil {
		return AuthChunks{AssocID: id, Chunks: typeBytes(a.LocalAuthChunks())}, nil
	}
	return AuthChunks{Chunks: typeBytes(s.st.assoc.Auth.LocalChunks())}, nil
}

// getAuthActiveKey reads sctp_auth_active_key.
func getAuthActiveKey(s *Socket, q OptionQuery) (any, error) {
	id, a, err := s.targetLocked(q.AssocID)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return AuthKeyID{KeyNumber: s.st.assoc.Auth.ActiveKey}, nil
	}
	_, active, err := a.AuthKeys()
	if err != nil {
		return nil, err
	}
	return AuthKeyID{AssocID: id, KeyNumber: active}, nil
}

// typeBytes converts chunk types to the bytes of a record.
func typeBytes(ts []chunk.Type) []uint8 {
	out := make([]uint8, len(ts))
	for i, t := range ts {
		out[i] = uint8(t)
	}
	return out
}

// AuthKeyEvent is the sctp_authkey_event of RFC 6458 Section 6.1.8
// (SCTP_AUTHENTICATION_EVENT), delivered when the authentication_event
// of the sctp_events option is on (off by default): the peer used a new
// key (association.AuthNewKey), the peer does not support AUTH
// (AuthNoAuth, when the association comes up), or a deactivated key is
// no longer used (AuthFreeKey).
type AuthKeyEvent struct {
	KeyNumber  uint16
	Indication association.AuthIndication
	AssocID    AssocID
}

// Record returns "sctp_authkey_event".
func (*AuthKeyEvent) Record() string { return "sctp_authkey_event" }

func (e *AuthKeyEvent) assoc() AssocID { return e.AssocID }

// String formats the record.
func (e *AuthKeyEvent) String() string {
	return fmt.Sprintf("#sctp_authkey_event{keynumber=%d,indication=%v,assoc_id=%d}", e.KeyNumber, e.Indication, e.AssocID)
}

// SCTPAuthSendChunk makes the associations set up later authenticate the
// chunks of type t they send whether or not the peer asked for it (RFC
// 4895 Section 6.2: "The other chunks MAY be sent whether or not they have
// been authenticated"), a gensctp addition: a peer that verifies AUTH
// chunks discards what a wrong HMAC covers. The types SCTPAuthChunk
// refuses, and COOKIE ECHO, are refused: an error wrapping
// ErrInvalidOption and association.ErrInvalidConfig.
func SCTPAuthSendChunk(t uint8) Option {
	return authChunkOption("sctp_auth_send_chunk", t, func(a *association.AuthConfig) *[]chunk.Type { return &a.SendChunks })
}
