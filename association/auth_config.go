package association

import (
	"errors"
	"fmt"
	"slices"

	"github.com/gensctp/gensctp/chunk"
)

// AuthConfig configures the authentication of chunks (AUTH, RFC 4895).
// It is on by default, as in usrsctp and Linux: the INIT and INIT ACK
// carry the RANDOM, CHUNKS and HMAC-ALGO parameters (RFC 4895 Section 3),
// and the association authenticates the chunks the peer asks for when the
// peer offered AUTH too. With a peer that did not, the association runs
// without AUTH, as one with Disabled set does.
type AuthConfig struct {
	// Disabled turns AUTH off: the INIT and INIT ACK offer none of its
	// parameters, and an AUTH chunk from the peer is an unrecognized
	// chunk (its packet is discarded, RFC 9260 Section 3.2).
	Disabled bool
	// Chunks are the chunk types the peer must authenticate (the CHUNKS
	// parameter, RFC 4895 Section 3.2; SCTP_AUTH_CHUNK of RFC 6458
	// Section 8.3.2), besides ASCONF and ASCONF-ACK, which are always
	// listed (RFC 5061 Section 4.1). INIT, INIT ACK, SHUTDOWN COMPLETE
	// and AUTH cannot be listed (Validate refuses them).
	Chunks []chunk.Type
	// SendChunks are chunk types this end authenticates when it sends
	// them whether or not the peer asked for it (RFC 4895 Section 6.2:
	// "The other chunks MAY be sent whether or not they have been
	// authenticated"); a peer that verifies AUTH chunks then discards
	// them if the HMAC is wrong. Validate refuses the types Chunks may
	// not list.
	SendChunks []chunk.Type
	// Keys are the endpoint-pair shared keys of new associations (RFC
	// 4895 Section 6.1; SCTP_AUTH_KEY of RFC 6458 Section 8.3.3). Nil
	// means the null key, identifier 0 with an empty secret, alone; a
	// non-nil empty slice means no key at all (the null key deleted).
	// The slices are shared, never written through.
	Keys AuthKeys
	// ActiveKey is the identifier of the key that authenticates what
	// new associations send (RFC 6458 Section 8.1.18); 0 by default. It
	// must name a key of Keys that is not deactivated.
	ActiveKey uint16
	// Events turns on the AuthEvent deliveries (SCTP_AUTHENTICATION_EVENT,
	// RFC 6458 Section 6.1.8): off by default, as the authentication_event
	// subscription of gen_sctp's sctp_event_subscribe is.
	Events bool
}

// AuthKey is an endpoint-pair shared key (RFC 4895 Section 6.1).
type AuthKey struct {
	// ID is the Shared Key Identifier.
	ID uint16
	// Secret is the key; empty is the null key.
	Secret []byte
	// Deactivated: the key no longer authenticates what is sent (RFC
	// 6458 Section 8.3.4); received chunks are still verified with it.
	Deactivated bool
}

// nullKeys is the key list of AuthConfig.Keys nil.
var nullKeys = AuthKeys{{ID: 0, Secret: []byte{}}}

// Errors of the AUTH key operations (RFC 6458 Sections 8.1.18 and 8.3.3
// to 8.3.5); they wrap ErrInvalidConfig when returned by Validate.
var (
	// ErrAuthNoKey: no endpoint-pair key has the identifier given.
	ErrAuthNoKey = errors.New("association: no AUTH key with this identifier")
	// ErrAuthKeyActive: the active key cannot be deactivated or deleted.
	ErrAuthKeyActive = errors.New("association: the AUTH key is the active key")
	// ErrAuthKeyInUse: only a deactivated key can be deleted, and a
	// deactivated key cannot be made active.
	ErrAuthKeyInUse = errors.New("association: the AUTH key is not deactivated")
	// ErrAuthDisabled: AUTH is off (AuthConfig.Disabled) or the peer did
	// not negotiate it.
	ErrAuthDisabled = errors.New("association: AUTH not in use")
)

// validate checks c (see Config.Validate).
func (c *AuthConfig) validate() error {
	for _, t := range c.Chunks {
		if !authListable(t) {
			return fmt.Errorf("%w: Auth.Chunks lists %v", ErrInvalidConfig, t)
		}
	}
	for _, t := range c.SendChunks {
		if !authListable(t) || t == chunk.TypeCookieEcho {
			// An AUTH chunk before a COOKIE ECHO the peer did not ask
			// for would be verified by a peer without the association.
			return fmt.Errorf("%w: Auth.SendChunks lists %v", ErrInvalidConfig, t)
		}
	}
	if len(c.Keys.orNull()) > 0 && c.Keys.CheckActive(c.ActiveKey) != nil {
		return fmt.Errorf("%w: Auth.ActiveKey = %d", ErrInvalidConfig, c.ActiveKey)
	}
	return nil
}

// authListable reports whether chunk type t may be listed in a CHUNKS
// parameter. RFC 4895 Section 3.2: "if a CHUNKS parameter is received
// then the types for INIT, INIT-ACK, SHUTDOWN-COMPLETE, and AUTH chunks
// MUST be ignored"; RFC 6458 Section 8.3.2: "If they are used, an error
// must be returned."
func authListable(t chunk.Type) bool {
	switch t {
	case chunk.TypeInit, chunk.TypeInitAck, chunk.TypeShutdownComplete, chunk.TypeAuth:
		return false
	}
	return true
}

// AuthKeys are endpoint-pair shared keys (AuthConfig.Keys). Its methods
// return a new list and leave the receiver as it is: lists are shared.
type AuthKeys []AuthKey

// index returns the index of the key id in ks (nil: the null key alone),
// or -1.
func (ks AuthKeys) index(id uint16) int {
	return slices.IndexFunc(ks.orNull(), func(k AuthKey) bool { return k.ID == id })
}

// orNull returns ks, or the null key alone for nil.
func (ks AuthKeys) orNull() AuthKeys {
	if ks == nil {
		return nullKeys
	}
	return ks
}

// Set returns ks with the key id set to secret (RFC 6458 Section 8.3.3:
// "If a key of the specified index already exists, then this new key will
// replace the old existing key"), active again if it was deactivated.
func (ks AuthKeys) Set(id uint16, secret []byte) AuthKeys {
	out := make(AuthKeys, 0, len(ks.orNull())+1)
	for _, k := range ks.orNull() {
		if k.ID != id {
			out = append(out, k)
		}
	}
	return append(out, AuthKey{ID: id, Secret: slices.Clone(secret)})
}

// CheckActive reports whether id may become the active key (RFC 6458
// Section 8.1.18: "The key identifier must correspond to an existing
// shared key"): ErrAuthNoKey, or ErrAuthKeyInUse for a deactivated key,
// which is not used for sending again.
func (ks AuthKeys) CheckActive(id uint16) error {
	switch i := ks.index(id); {
	case i < 0:
		return ErrAuthNoKey
	case ks.orNull()[i].Deactivated:
		return ErrAuthKeyInUse
	}
	return nil
}

// other returns the index of the key id, which must exist and not be the
// active key (RFC 6458 Sections 8.3.4 and 8.3.5).
func (ks AuthKeys) other(active, id uint16) (int, error) {
	switch i := ks.index(id); {
	case i < 0:
		return i, ErrAuthNoKey
	case id == active:
		return i, ErrAuthKeyActive
	default:
		return i, nil
	}
}

// Deactivate returns ks with the key id deactivated (RFC 6458 Section
// 8.3.4: "The currently active key cannot be deactivated"), or
// ErrAuthNoKey, or ErrAuthKeyActive when id is active.
func (ks AuthKeys) Deactivate(active, id uint16) (AuthKeys, error) {
	i, err := ks.other(active, id)
	if err != nil {
		return ks, err
	}
	out := slices.Clone(ks.orNull())
	out[i].Deactivated = true
	return out, nil
}

// Delete returns ks without the key id (RFC 6458 Section 8.3.5: "Only
// deactivated keys that are no longer used by an association can be
// deleted"), or ErrAuthNoKey, ErrAuthKeyActive, or ErrAuthKeyInUse when it
// is not deactivated.
func (ks AuthKeys) Delete(active, id uint16) (AuthKeys, error) {
	i, err := ks.other(active, id)
	switch {
	case err != nil:
		return ks, err
	case !ks.orNull()[i].Deactivated:
		return ks, ErrAuthKeyInUse
	}
	return slices.Delete(slices.Clone(ks.orNull()), i, i+1), nil
}

// LocalChunks returns the chunk types of our CHUNKS parameter with c
// (RFC 6458 Section 8.2.4, SCTP_LOCAL_AUTH_CHUNKS): Chunks, ASCONF and
// ASCONF-ACK, in increasing order; nil with AUTH off.
func (c *AuthConfig) LocalChunks() []chunk.Type {
	if c.Disabled {
		return nil
	}
	return ourAuthChunks(c, nil)
}
