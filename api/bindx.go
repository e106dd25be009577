package api

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/timer"
)

// errBindxWildcard: bindx on a socket bound to the wildcard, which
// already receives on every address.
var errBindxWildcard = errors.New("bindx on a socket bound to the wildcard")

// BindxAdd adds local addresses to a bound socket, live or not (RFC 6458
// Section 9.1 sctp_bindx with SCTP_BINDX_ADD_ADDR; gen_sctp binds several
// addresses at open only, with the IP option, so this is an addition): the
// socket receives on them from now on (its UDP sockets cover them), the
// associations it sets up later list them, and each of its associations
// that negotiated ASCONF (SCTPAsconfSupported) asks its peer to add them
// (RFC 5061 Section 4.2.1) and sends from them once the peer
// acknowledges; the others keep their addresses. Errors (an *Error):
// reason einval for an invalid or unspecified address, one of a family
// the socket does not have, or a socket bound to the wildcard; eaddrinuse
// when another socket holds an address; enotsup on a peeled-off socket or
// one over a transport of its own. Addresses bound already are skipped,
// also when concurrent calls add the same address: it is added once, and
// each call returns once it is bound.
func (s *Socket) BindxAdd(addrs ...netip.Addr) error {
	var add []netip.Addr
	var netns string
	err := s.do(func(timer.Time) error {
		var err error
		add, err = s.bindxCheckLocked(addrs)
		netns = s.st.netns
		return err
	})
	if err == nil && len(add) > 0 {
		_, err = inNetns(netns, func() (*stack.Stack, error) { return s.stk, s.stk.Bind(add, false) })
		switch {
		case errors.Is(err, stack.ErrNotUDP):
			err = ErrTransportUnsupported
		case err != nil:
			err = addrInUse(err)
		}
	}
	if err == nil && len(add) > 0 {
		err = s.do(func(now timer.Time) error {
			// Another BindxAdd may have added some of them while the
			// lock was released for the UDP sockets: they are bound
			// already, and skipped, so that each is added once.
			add = slices.DeleteFunc(add, func(a netip.Addr) bool { return slices.Contains(s.st.addrs, a) })
			if len(add) == 0 {
				return nil
			}
			return s.setAddrsLocked(now, append(slices.Clone(s.st.addrs), add...), add, nil)
		})
	}
	return opError("bindx", 0, -1, err)
}

// BindxRemove removes local addresses from a bound socket (sctp_bindx with
// SCTP_BINDX_REM_ADDR, an addition as BindxAdd is): the associations set
// up later no longer list them, and each association that negotiated
// ASCONF asks its peer to delete them (RFC 5061 Section 4.2.2) and stops
// sending from them at once. The socket still receives on them, for the
// packets its peers send before they learn of it, until no association
// of the socket has them any more (each peer acknowledged the deletion,
// or the association closed; one that did not negotiate ASCONF keeps
// them until it closes): then another socket of the SCTP port can bind
// them, and the stack closes its UDP sockets of an address that no socket
// sharing its UDP port binds, so that other sockets and processes can
// bind that UDP port on it (BindxAdd opens them again). The last address
// cannot go (reason einval; add another first), nor an address the
// socket does not have.
func (s *Socket) BindxRemove(addrs ...netip.Addr) error {
	return opError("bindx", 0, -1, s.do(func(now timer.Time) error {
		if _, err := s.bindxCheckLocked(nil); err != nil {
			return err
		}
		rest := slices.Clone(s.st.addrs)
		var del []netip.Addr
		for _, a := range addrs {
			a = a.Unmap()
			i := slices.Index(rest, a)
			if i < 0 {
				return fmt.Errorf("%w: %v is not an address of the socket", ErrInvalidOption, a)
			}
			rest = slices.Delete(rest, i, i+1)
			del = append(del, a)
		}
		if len(rest) == 0 {
			return fmt.Errorf("%w: the last address of the socket", ErrInvalidOption)
		}
		return s.setAddrsLocked(now, rest, nil, del)
	}))
}

// bindxCheckLocked checks that the socket can change its addresses and
// returns those of addrs it does not have yet.
func (s *Socket) bindxCheckLocked(addrs []netip.Addr) ([]netip.Addr, error) {
	switch {
	case s.peeled:
		return nil, fmt.Errorf("%w: bindx on a peeled-off socket", ErrNotSupported)
	case s.st.transport != nil:
		return nil, ErrTransportUnsupported
	case len(s.st.assoc.LocalAddrs) == 0:
		return nil, fmt.Errorf("%w: %w", ErrInvalidOption, errBindxWildcard)
	}
	var add []netip.Addr
	for _, a := range addrs {
		a = a.Unmap()
		switch {
		case !a.IsValid() || a.IsUnspecified() || a.IsMulticast():
			return nil, fmt.Errorf("%w: bindx address %v", ErrInvalidOption, a)
		case a.Is4() && s.st.family == FamilyInet6 && s.st.v6only, !a.Is4() && s.st.family != FamilyInet6:
			return nil, fmt.Errorf("%w: bindx address %v of another family", ErrInvalidOption, a)
		}
		if !slices.Contains(s.st.addrs, a) && !slices.Contains(add, a) {
			add = append(add, a)
		}
	}
	return add, nil
}

// setAddrsLocked makes addrs the socket's addresses (those of the
// endpoint, which takes packets for them, and of the associations set up
// later) and asks the peers of its associations to add the addresses of
// add and delete those of del.
func (s *Socket) setAddrsLocked(now timer.Time, addrs, add, del []netip.Addr) error {
	if err := s.share.ep.SetLocalAddrs(addrs); err != nil {
		return err
	}
	s.st.addrs = addrs
	s.st.assoc.LocalAddrs = slices.Clone(addrs)
	for _, id := range s.ownedLocked() {
		a, ok := s.share.ep.Assoc(id)
		if !ok || !a.ASCONF() {
			continue
		}
		// A refusal (queue full, the last address of the association)
		// leaves that association as it is: its peer keeps its addresses.
		for _, l := range add {
			_ = a.AddLocalAddr(now, l)
		}
		for _, l := range del {
			_ = a.DeleteLocalAddr(now, l)
		}
	}
	return nil
}

// SCTPAsconfSupported offers dynamic address reconfiguration (ASCONF, RFC
// 5061; FreeBSD's SCTP_ASCONF_SUPPORTED, Linux's net.sctp.addip_enable)
// in the associations set up later, an addition to gen_sctp, off by
// default: with a peer that offers it too, BindxAdd and BindxRemove change
// the addresses of live associations and SCTPSetPeerPrimaryAddr works.
// RFC 5061 Section 4.1 has ASCONF authenticated (AUTH, RFC 4895): it is
// offered only with AUTH (SCTPAuthSupported, on by default), or with
// SCTPAsconfNoAuth. A socket over a connected transport (OverConn,
// OverDTLS), whose associations are single-homed (RFC 8261 Section 6.1),
// refuses it with ErrTransportUnsupported. GetOpts reads it as a
// bool: with the AssocID of an association, whether that association
// negotiated it; otherwise the setting.
func SCTPAsconfSupported(on bool) Option {
	return Option{name: "sctp_asconf_supported", apply: func(c *optCtx) error {
		return c.changeTemplate(func(cfg *association.Config) { cfg.ASCONF = on })
	}}
}

// SCTPAsconfNoAuth offers and accepts ASCONF without AUTH (Linux's
// net.sctp.addip_noauth_enable), an addition to gen_sctp, off by default:
// anyone who sees the association's packets can then change its
// addresses (new ones are still confirmed by a HEARTBEAT before data goes
// there). For closed networks and tests. GetOpts reads it as a bool.
func SCTPAsconfNoAuth(on bool) Option {
	return Option{name: "sctp_asconf_noauth", apply: func(c *optCtx) error {
		return c.changeTemplate(func(cfg *association.Config) { cfg.ASCONFNoAuth = on })
	}}
}

// SCTPAsconfWildcard sends the addresses of ASCONF requests as the
// wildcard, each from the address it names (RFC 6951 Section 5.7: behind a
// NAT that rewrites addresses), an addition to gen_sctp, off by default,
// for the associations of the socket: BindxRemove then deletes every
// address but the one the request leaves from. GetOpts reads it as a
// bool.
func SCTPAsconfWildcard(on bool) Option {
	return Option{name: "sctp_asconf_wildcard", apply: func(c *optCtx) error {
		return c.changeAll(func(cfg *association.Config) { cfg.ASCONFWildcard = on })
	}}
}

// getAsconfSupported reads sctp_asconf_supported.
func getAsconfSupported(s *Socket, q OptionQuery) (any, error) {
	_, a, cfg, err := s.targetCfgLocked(q.AssocID)
	if err != nil {
		return nil, err
	}
	if a != nil {
		return a.ASCONF(), nil
	}
	return cfg.ASCONF, nil
}

// getAsconfNoAuth reads sctp_asconf_noauth.
func getAsconfNoAuth(s *Socket, _ OptionQuery) (any, error) { return s.st.assoc.ASCONFNoAuth, nil }

// getAsconfWildcard reads sctp_asconf_wildcard.
func getAsconfWildcard(s *Socket, _ OptionQuery) (any, error) { return s.st.assoc.ASCONFWildcard, nil }
