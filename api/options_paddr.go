package api

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
)

// Errors of SCTPPeerAddrParams.
var (
	errFlagPair     = errors.New("an enable and a disable flag of one feature together")
	errDemandAnyway = errors.New("hb_demand needs a peer address")
	errAddrNoAssoc  = errors.New("a peer address but no association")
)

// sackFlags are the flags of SCTPPeerAddrParams that are per association
// here (one SACK timer per association).
const sackFlags = SACKDelayEnable | SACKDelayDisable

// SCTPPeerAddrParams sets the parameters of peer addresses (gen_sctp
// {sctp_peer_addr_params, #sctp_paddrparams{}}, RFC 6458 Section 8.1.12):
// HbInterval (HB.interval, ms), PathMaxRxt (Path.Max.Retrans), PathMtu
// (the SCTP packet budget of the path: the path MTU less the IP and UDP
// headers, association.MinMTU to 65535), SackDelay (ms, at most 500) and
// Flags. A zero field keeps the current value.
//
// Address names one peer address (its port, when not 0, must be the
// peer's SCTP port); the zero Address (gen_sctp {any, 0}) means every
// address of the association, current and future. AssocID names the
// association; AssocID 0 with an Address is the association of this
// socket that has that peer address (as the sockets API does), and
// AssocID 0 without one the associations set up later.
//
// Flags: hb_enable / hb_disable switch heartbeats, hb_demand sends one now
// (it needs an Address), sackdelay_enable / sackdelay_disable switch
// delayed SACKs. pmtud_enable starts path MTU discovery (RFC 8899,
// DPLPMTUD with HEARTBEAT and PAD probes) and sets the Don't Fragment bit
// on the socket's UDP sockets (udpencap.Conn.SetDontFragment; a transport
// without IP-level options refuses it): each path starts at 1200 bytes
// less the IP and UDP headers and searches up to its interface's MTU, or
// up to PathMtu when given; PaddrInfo.Mtu reports what it found.
// pmtud_disable stops it and keeps PathMtu (or the MTU found) fixed.
// Without either flag, PathMtu is the fixed MTU, or the search's limit
// while discovery runs. An enable and a disable of one feature together
// are invalid (gen_sctp's einval). Deviation from RFC 6458: the
// SACK delay and its flags apply to the whole association, which has one
// SACK timer.
func SCTPPeerAddrParams(p PaddrParams) Option {
	return Option{name: "sctp_peer_addr_params", apply: func(c *optCtx) error {
		if err := checkPaddrParams(p); err != nil {
			return err
		}
		hasAddr := p.Address.Addr().IsValid() && !p.Address.Addr().Unmap().IsUnspecified()
		if p.Flags&HBDemand != 0 && !hasAddr {
			return errDemandAnyway
		}
		id, a, err := c.paddrTarget(p.AssocID, p.Address, hasAddr)
		if err != nil {
			return err
		}
		if p.Flags&PMTUDEnable != 0 {
			c.setIP(ipDontFragment, func() { c.st.ip.DontFragment = true })
		}
		if a == nil {
			if hasAddr {
				return errAddrNoAssoc
			}
			return c.changeTemplate(func(cfg *association.Config) { applyPaddrParams(cfg, p, true) })
		}
		var addr netip.Addr
		if hasAddr {
			if addr, err = peerPath(a, p.Address); err != nil {
				return err
			}
		}
		// The association-wide part (all of it for the zero Address) goes
		// to its configuration, the per-path part to SetPathParams.
		if err := c.changeLive(id, a, func(cfg *association.Config) { applyPaddrParams(cfg, p, !hasAddr) }); err != nil {
			return err
		}
		pp := association.PathParams{HeartbeatInterval: ms(p.HbInterval), PathMaxRetrans: int(p.PathMaxRxt),
			PathMTU: int(p.PathMtu), Flags: p.Flags &^ sackFlags}
		c.effect(func(now timer.Time) error {
			err := a.SetPathParams(now, addr, pp)
			return err
		})
		return nil
	}}
}

// checkPaddrParams validates the values and flags of p (what
// association.SetPathParams checks, so that the change cannot fail).
func checkPaddrParams(p PaddrParams) error {
	f := p.Flags
	switch {
	case f&(HBEnable|HBDisable) == HBEnable|HBDisable, f&(PMTUDEnable|PMTUDDisable) == PMTUDEnable|PMTUDDisable,
		f&sackFlags == sackFlags:
		return errFlagPair
	case ms(p.SackDelay) > association.MaxSACKDelay:
		return fmt.Errorf("sackdelay %d ms above 500: %w", p.SackDelay, badValue(p.SackDelay))
	case p.PathMtu != 0 && (p.PathMtu < association.MinMTU || p.PathMtu > 65535):
		return fmt.Errorf("pathmtu: %w", badValue(p.PathMtu))
	case f > SACKDelayDisable<<1-1:
		return fmt.Errorf("flags: %w", badValue(uint16(f)))
	}
	return nil
}

// applyPaddrParams applies p to a configuration: everything when
// wholeAssoc (the template, or an association with the zero Address),
// else only the SACK settings, which are per association.
func applyPaddrParams(cfg *association.Config, p PaddrParams, wholeAssoc bool) {
	if p.SackDelay != 0 {
		cfg.SACKDelay = ms(p.SackDelay)
	}
	switch {
	case p.Flags&SACKDelayEnable != 0:
		cfg.SACKDelayDisabled = false
	case p.Flags&SACKDelayDisable != 0:
		cfg.SACKDelayDisabled = true
	}
	if !wholeAssoc {
		return
	}
	if p.HbInterval != 0 {
		cfg.HeartbeatInterval = ms(p.HbInterval)
	}
	switch {
	case p.Flags&HBEnable != 0:
		cfg.HeartbeatDisabled = false
	case p.Flags&HBDisable != 0:
		cfg.HeartbeatDisabled = true
	}
	if p.PathMaxRxt != 0 {
		cfg.PathMaxRetrans = int(p.PathMaxRxt)
	}
	if p.PathMtu != 0 {
		cfg.MTU = int(p.PathMtu)
	}
	applyPMTUD(cfg, p)
}

// paddrTarget resolves the association of a record with an address
// (sctp_peer_addr_params, sctp_get_peer_addr_info): AssocID 0 with an
// address is the association that has that peer address.
func (c *optCtx) paddrTarget(id AssocID, ap netip.AddrPort, hasAddr bool) (AssocID, *association.Association, error) {
	if c.s == nil {
		return c.target(id)
	}
	return c.s.paddrTargetLocked(id, ap, hasAddr)
}

// paddrTargetLocked is optCtx.paddrTarget for a running socket.
func (s *Socket) paddrTargetLocked(id AssocID, ap netip.AddrPort, hasAddr bool) (AssocID, *association.Association, error) {
	id, a, err := s.targetLocked(id)
	if err != nil || a != nil || !hasAddr {
		return id, a, err
	}
	for _, oid := range s.ownedLocked() {
		if oa, ok := s.share.ep.Assoc(oid); ok {
			if _, err := peerPath(oa, ap); err == nil {
				return oid, oa, nil
			}
		}
	}
	return 0, nil, fmt.Errorf("%w: no association with peer address %v", ErrNoAssociation, ap)
}
