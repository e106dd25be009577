package association

// AuthIndication is the indication of an AuthEvent (RFC 6458 Section
// 6.1.8, auth_indication).
type AuthIndication uint8

// The indications of SCTP_AUTHENTICATION_EVENT (RFC 6458 Section 6.1.8).
const (
	// AuthNewKey (SCTP_AUTH_NEW_KEY): the peer authenticated a chunk
	// with a key other than the one it used before ("a new key has been
	// made active (used for the first time by the peer)"); KeyNumber is
	// its identifier.
	AuthNewKey AuthIndication = iota + 1
	// AuthNoAuth (SCTP_AUTH_NO_AUTH): the peer does not support AUTH
	// (RFC 4895); delivered when the association comes up.
	AuthNoAuth
	// AuthFreeKey (SCTP_AUTH_FREE_KEY): the association no longer uses
	// the deactivated key KeyNumber, which may now be deleted.
	AuthFreeKey
)

// String returns the RFC 6458 name, for example "SCTP_AUTH_NEW_KEY".
func (i AuthIndication) String() string {
	switch i {
	case AuthNewKey:
		return "SCTP_AUTH_NEW_KEY"
	case AuthNoAuth:
		return "SCTP_AUTH_NO_AUTH"
	case AuthFreeKey:
		return "SCTP_AUTH_FREE_KEY"
	}
	return "undefined"
}

// AuthEvent is the SCTP_AUTHENTICATION_EVENT of RFC 6458 Section 6.1.8
// (struct sctp_authkey_event).
type AuthEvent struct {
	Indication AuthIndication
	// KeyNumber is the Shared Key Identifier the indication is about (0
	// with AuthNoAuth).
	KeyNumber uint16
}

func (*AuthEvent) isEvent() {}

// authEvent queues an AuthEvent when Config.Auth.Events asks for them.
func (a *Association) authEvent(i AuthIndication, key uint16) {
	if a.cfg.Auth.Events {
		a.pushEvent(&AuthEvent{Indication: i, KeyNumber: key})
	}
}
