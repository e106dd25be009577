package association

// The link between ASCONF (RFC 5061) and AUTH (RFC 4895, auth*.go). RFC
// 5061 Section 4.1.1: the ASCONF chunk "MUST be sent in an authenticated
// way by using the mechanism defined in [RFC4895]. If this chunk is
// received unauthenticated it MUST be silently discarded"; Section 4.1.2
// says the same of the ASCONF-ACK. Our CHUNKS parameter always lists both
// (see AuthConfig), so that a peer sends them authenticated, and
// Association.authenticated tells whether a received one was.

// authOffered reports whether cfg offers AUTH in its INIT and INIT ACK.
func authOffered(cfg *Config) bool { return !cfg.Auth.Disabled }

// authNegotiated reports whether both ends offered AUTH: the association
// authenticates the chunks each asked for, ASCONF and ASCONF-ACK among
// ours.
func (a *Association) authNegotiated() bool { return a.authOn() }
