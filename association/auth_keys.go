package association

import (
	"slices"

	"github.com/gensctp/gensctp/chunk"
)

// AuthActive reports whether the association authenticates chunks (RFC
// 4895): both ends offered AUTH. Before the handshake completes it is
// false.
func (a *Association) AuthActive() bool { return a.state >= StateEstablished && a.authOn() }

// PeerAuthChunks returns the chunk types the peer requires to be
// authenticated (RFC 6458 Section 8.2.3, SCTP_PEER_AUTH_CHUNKS), in its
// order, without the types RFC 4895 Section 3.2 has ignored; nil without
// AUTH.
func (a *Association) PeerAuthChunks() []chunk.Type {
	if !a.authOn() {
		return nil
	}
	var ts []chunk.Type
	var seen typeSet
	walkAuthVec(a.authOf().peerVec, func(t chunk.Type) {
		if !seen.has(t) {
			seen.add(t)
			ts = append(ts, t)
		}
	}, nil)
	return ts
}

// LocalAuthChunks returns the chunk types this end requires to be
// authenticated (RFC 6458 Section 8.2.4, SCTP_LOCAL_AUTH_CHUNKS): those
// of our CHUNKS parameter; nil with AUTH off.
func (a *Association) LocalAuthChunks() []chunk.Type {
	if a.cfg.Auth.Disabled {
		return nil
	}
	if a.authOn() {
		return a.authOf().localChunks.list()
	}
	return a.cfg.Auth.LocalChunks()
}

// AuthKeys returns the endpoint-pair shared keys of the association and
// the identifier of the active one (ErrAuthDisabled without AUTH).
func (a *Association) AuthKeys() (AuthKeys, uint16, error) {
	if !a.authOn() {
		return nil, 0, ErrAuthDisabled
	}
	s := a.authOf()
	return slices.Clone(s.keys), s.active, nil
}

// SetAuthKey sets the endpoint-pair shared key id of the association to
// secret (RFC 6458 Section 8.3.3, SCTP_AUTH_KEY; see AuthKeys.Set). It
// returns ErrAuthDisabled without AUTH.
func (a *Association) SetAuthKey(id uint16, secret []byte) error {
	if !a.authOn() {
		return ErrAuthDisabled
	}
	s := a.authOf()
	s.setKeys(s.keys.Set(id, secret))
	return nil
}

// SetActiveAuthKey makes the key id the one that authenticates the
// chunks sent from now on (RFC 6458 Section 8.1.18, SCTP_AUTH_ACTIVE_KEY;
// errors: AuthKeys.CheckActive). It returns ErrAuthDisabled without AUTH.
func (a *Association) SetActiveAuthKey(id uint16) error {
	if !a.authOn() {
		return ErrAuthDisabled
	}
	s := a.authOf()
	if err := s.keys.CheckActive(id); err != nil {
		return err
	}
	s.active = id
	return nil
}

// DeactivateAuthKey stops the key id from authenticating what is sent
// (RFC 6458 Section 8.3.4, SCTP_AUTH_DEACTIVATE_KEY; errors:
// AuthKeys.Deactivate); chunks the peer authenticates with it are still
// accepted. The association signs each packet when it sends it, so no
// packet waits on the key: the AuthFreeKey event follows at once. It
// returns ErrAuthDisabled without AUTH.
func (a *Association) DeactivateAuthKey(id uint16) error {
	if !a.authOn() {
		return ErrAuthDisabled
	}
	s := a.authOf()
	was := s.keys.index(id) >= 0 && s.keys[s.keys.index(id)].Deactivated
	keys, err := s.keys.Deactivate(s.active, id)
	if err != nil {
		return err
	}
	s.keys = keys // the secrets, and so the HMACs, are unchanged
	if !was {
		a.authEvent(AuthFreeKey, id)
	}
	return nil
}

// DeleteAuthKey deletes the deactivated key id (RFC 6458 Section 8.3.5,
// SCTP_AUTH_DELETE_KEY; errors: AuthKeys.Delete). Chunks the peer
// authenticates with it are then discarded (RFC 4895 Section 6.3). It
// returns ErrAuthDisabled without AUTH.
func (a *Association) DeleteAuthKey(id uint16) error {
	if !a.authOn() {
		return ErrAuthDisabled
	}
	s := a.authOf()
	keys, err := s.keys.Delete(s.active, id)
	if err != nil {
		return err
	}
	s.setKeys(keys)
	return nil
}
