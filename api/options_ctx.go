package api

import (
	"fmt"
	"math/rand/v2"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
)

// This file holds what the options that reach associations share: which
// association an assoc_id names, the pending configurations of live
// associations, and validation before anything changes.

// target resolves the assoc_id of an option record: the association it
// names (nil for the endpoint, meaning the template of new associations)
// and its id. assoc_id 0 is the endpoint, except on a one-to-one socket
// with an association, where it is that association (RFC 6458 Section
// 8.1.1: the assoc_id "is ignored for one-to-one style sockets").
func (c *optCtx) target(id AssocID) (AssocID, *association.Association, error) {
	if c.s == nil {
		if id != 0 {
			return id, nil, ErrNoAssociation // nothing exists at Open
		}
		return 0, nil, nil
	}
	return c.s.targetLocked(id)
}

// targetLocked is optCtx.target for a running socket (GetOpts too).
func (s *Socket) targetLocked(id AssocID) (AssocID, *association.Association, error) {
	if id == 0 && !(s.typ == Stream && (s.peeled || s.assoc1 != 0)) {
		return 0, nil, nil
	}
	return s.assocLocked(id)
}

// liveCfg returns the pending configuration of live association a,
// starting from its current one.
func (c *optCtx) liveCfg(id AssocID, a *association.Association) *association.Config {
	for _, l := range c.live {
		if l.id == id {
			return l.cfg
		}
	}
	cfg := a.Config()
	c.live = append(c.live, liveConfig{id: id, a: a, cfg: &cfg})
	return &cfg
}

// owned returns the live associations of the socket (none at Open).
func (c *optCtx) owned() []AssocID {
	if c.s == nil {
		return nil
	}
	return c.s.ownedLocked()
}

// changeTemplate applies fn to the template of new associations and
// validates the result; on error nothing is kept.
func (c *optCtx) changeTemplate(fn func(*association.Config)) error {
	t := c.st.assoc
	fn(&t)
	if err := checkConfig(t); err != nil {
		return err
	}
	c.st.assoc = t
	c.st.templateChanged = true
	return nil
}

// changeLive applies fn to the pending configuration of live association
// a and validates the result; on error nothing is kept.
func (c *optCtx) changeLive(id AssocID, a *association.Association, fn func(*association.Config)) error {
	cfg := c.liveCfg(id, a)
	t := *cfg
	fn(&t)
	if err := checkConfig(t); err != nil {
		return err
	}
	*cfg = t
	return nil
}

// changeTarget applies fn to the association named by id, or to the
// template for the endpoint.
func (c *optCtx) changeTarget(id AssocID, fn func(*association.Config)) error {
	id, a, err := c.target(id)
	if err != nil {
		return err
	}
	if a == nil {
		return c.changeTemplate(fn)
	}
	return c.changeLive(id, a, fn)
}

// changeAll applies a socket-wide setting: to the template and to every
// live association of the socket (RFC 6458 Section 8.1.7 for sndbuf: it
// "applies to one or all associations ... bound to the socket
// descriptor").
func (c *optCtx) changeAll(fn func(*association.Config)) error {
	if err := c.changeTemplate(fn); err != nil {
		return err
	}
	for _, id := range c.owned() {
		if a, ok := c.s.share.ep.Assoc(id); ok && a.State() != association.StateClosed {
			if err := c.changeLive(id, a, fn); err != nil {
				return fmt.Errorf("association %d: %w", id, err)
			}
		}
	}
	return nil
}

// effect queues a change of a live association that is not a
// configuration (it must have been validated already).
func (c *optCtx) effect(fn func(now timer.Time) error) { c.effects = append(c.effects, fn) }

// checkConfig validates an association configuration as Reconfigure or
// the endpoint would, defaults applied, without changing anything.
func checkConfig(cfg association.Config) error {
	if cfg.Rand == nil {
		cfg.Rand = rand.NewPCG(1, 2) // Validate only checks that there is one
	}
	cfg = cfg.WithDefaults()
	return cfg.Validate()
}
