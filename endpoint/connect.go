package endpoint

import (
	"net/netip"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
)

// maxTagTries bounds the attempts to draw a local tag that is neither in
// use nor reserved.
const maxTagTries = 8

// Connect creates an association to the peer at the addresses peers (IP
// and UDP encapsulation port each; the first is the primary path) and SCTP
// port peerPort, registers it and starts the handshake (RFC 9260 Section
// 5.1 A). The outcome arrives through Poll as an AssocChange event: CommUp
// or CantAssoc. cfg nil means the endpoint's template (Config.Assoc);
// either way LocalPort, PeerPort, Cookies and Shard are the endpoint's,
// and a nil Rand is the template's. A sharded endpoint should be the one
// of Router.ShardOfPeer for the primary address (see Router).
//
// The local tag is drawn again if it is in use or reserved (RFC 9260
// Section 5.3.1). Errors: ErrClosed, ErrNoPeer, ErrAssociationExists,
// ErrTooManyAssociations (MaxAssociations or AssocQuota), ErrTagsExhausted,
// or the association's configuration error.
func (e *Endpoint) Connect(now timer.Time, peers []netip.AddrPort, peerPort uint16, cfg *association.Config) (AssocID, error) {
	e.tick(now)
	switch {
	case e.closed:
		return 0, ErrClosed
	case len(peers) == 0 || peerPort == 0:
		return 0, ErrNoPeer
	case e.peerExists(peerPort, peers):
		return 0, ErrAssociationExists
	case !e.admit():
		return 0, ErrTooManyAssociations
	}
	c := e.cfg.Assoc
	if cfg != nil {
		c = *cfg
		if c.Rand == nil {
			c.Rand = e.cfg.Assoc.Rand
		}
	}
	c.LocalPort, c.PeerPort, c.Cookies, c.Shard = e.cfg.Port, peerPort, e.acceptor.Cookies(), e.cfg.Shard
	c.Buffers = e.cfg.Assoc.Buffers
	id, err := e.connect(now, peers, peerPort, &c)
	if err != nil {
		e.release()
	}
	return id, err
}

// connect creates, registers and connects the association of Connect
// with configuration c.
func (e *Endpoint) connect(now timer.Time, peers []netip.AddrPort, peerPort uint16, c *association.Config) (AssocID, error) {
	for range maxTagTries {
		a, err := association.New(*c, now, peers...)
		if err != nil {
			return 0, err
		}
		if err := a.Connect(now); err != nil {
			return 0, err
		}
		if local, _ := a.Tags(); !e.tagFree(local) {
			continue // nothing was sent: drop it and draw again
		}
		en := e.add(a, peerPort, peers)
		e.sync(en)
		return en.id, nil
	}
	return 0, ErrTagsExhausted
}
