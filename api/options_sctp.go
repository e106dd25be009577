package api

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
)

// This file holds the SCTP-level options of inet:sctp_options/0 beyond
// those of options_core.go.

// ms converts milliseconds of a record to a duration.
func ms(v uint32) time.Duration { return time.Duration(v) * time.Millisecond }

// toMS converts a duration to the milliseconds of a record, clamped.
func toMS(d time.Duration) uint32 { return uint32(min(max(d.Milliseconds(), 0), math.MaxUint32)) }

// SCTPRtoInfo sets RTO.Initial, RTO.Max and RTO.Min (gen_sctp
// {sctp_rtoinfo, #sctp_rtoinfo{}}, RFC 9260 Section 6.3.1; defaults 1000,
// 60000 and 1000 ms, RFC 9260 Section 16, where Linux has 3000 for
// RTO.Initial): of the association AssocID, or with AssocID 0 of
// the associations set up later. A zero field keeps the current value
// (RFC 6458 Section 8.1.1: "A value of 0, when modifying the parameters,
// indicates that the current value should not be changed"). The result
// must satisfy 0 < Min <= Initial <= Max. Changing a live association
// restarts its RTO estimates from the new Initial.
func SCTPRtoInfo(r RtoInfo) Option {
	return Option{name: "sctp_rtoinfo", apply: func(c *optCtx) error {
		return c.changeTarget(r.AssocID, func(cfg *association.Config) {
			rto := cfg.WithDefaults().RTO
			if r.Initial != 0 {
				rto.Initial = ms(r.Initial)
			}
			if r.Max != 0 {
				rto.Max = ms(r.Max)
			}
			if r.Min != 0 {
				rto.Min = ms(r.Min)
			}
			cfg.RTO = rto
		})
	}}
}

// SCTPAssocInfo sets Association.Max.Retrans (AssocMaxRxt, default 10)
// and Valid.Cookie.Life (CookieLife in milliseconds, default 60000, at
// most association.MaxCookieLife, 2147483647 ms, so that a Cookie
// Preservative cannot make the cookie's 32-bit life span wrap) of the
// association AssocID, or with AssocID 0 of the associations set up later
// (gen_sctp {sctp_associnfo, #sctp_assocparams{}}). A zero field keeps the
// current value; NumberPeerDestinations, PeerRwnd and LocalRwnd are read
// only and ignored (RFC 6458 Section 8.1.2). A value out of range is an
// error wrapping ErrInvalidOption and association.ErrInvalidConfig.
func SCTPAssocInfo(p AssocParams) Option {
	return Option{name: "sctp_associnfo", apply: func(c *optCtx) error {
		return c.changeTarget(p.AssocID, func(cfg *association.Config) {
			if p.AssocMaxRxt != 0 {
				cfg.MaxRetrans = int(p.AssocMaxRxt)
			}
			if p.CookieLife != 0 {
				cfg.CookieLife = ms(p.CookieLife)
			}
		})
	}}
}

// SCTPAutoclose closes associations idle (no user data sent or received)
// for secs seconds with a graceful shutdown (gen_sctp {sctp_autoclose,
// Secs}; 0, the default, never). RFC 6458 Section 8.1.8: it "is
// applicable to the one-to-many style socket only" (on a one-to-one
// socket it is refused with ErrNotSupported), and applies to the existing
// associations of the socket as well as to later ones.
func SCTPAutoclose(secs int) Option {
	return Option{name: "sctp_autoclose", apply: func(c *optCtx) error {
		if secs < 0 || secs > math.MaxUint32 {
			return badValue(secs)
		}
		if c.st.typ == Stream {
			return errAutocloseStream
		}
		return c.changeAll(func(cfg *association.Config) { cfg.Autoclose = time.Duration(secs) * time.Second })
	}}
}

// errAutocloseStream: sctp_autoclose on a one-to-one socket.
var errAutocloseStream = fmt.Errorf("%w: sctp_autoclose on a one-to-one socket", ErrNotSupported)

// SCTPDisableFragments makes Send refuse messages that do not fit in one
// DATA chunk (ErrMessageTooLarge, reason emsgsize) instead of fragmenting
// them (gen_sctp {sctp_disable_fragments, B}, default false, RFC 9260
// Section 6.9), for the existing associations of the socket and later
// ones.
func SCTPDisableFragments(on bool) Option {
	return Option{name: "sctp_disable_fragments", apply: func(c *optCtx) error {
		return c.changeAll(func(cfg *association.Config) { cfg.DisableFragments = on })
	}}
}

// MinMaxseg is the smallest non-zero value of SCTPMaxseg.
const MinMaxseg = 64

// SCTPMaxseg caps the user data of a DATA chunk, in bytes (gen_sctp
// {sctp_maxseg, N}, RFC 6458 Section 8.1.16; 0, the default, leaves it to
// the path MTU, and so do values larger than the path allows), for the
// existing associations of the socket and later ones. Values from 1 to
// MinMaxseg-1 are refused: every DATA chunk costs 16 bytes of header.
func SCTPMaxseg(n int) Option {
	return Option{name: "sctp_maxseg", apply: func(c *optCtx) error {
		if n < 0 || n > 0 && n < MinMaxseg || n > math.MaxInt32 {
			return badValue(n)
		}
		return c.changeAll(func(cfg *association.Config) { cfg.MaxSeg = n })
	}}
}

// SCTPIWantMappedV4Addr makes an inet6 socket report IPv4 peer and local
// addresses as IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) in deliveries,
// events, PeerNames, SockNames and the option records (gen_sctp
// {sctp_i_want_mapped_v4_addr, B}; default false, as RFC 6458 Section
// 8.1.15 puts it). Addresses given to the socket may take either form. On
// an inet socket turning it on is an error (RFC 6458 Section 8.1.15: "If
// this socket option is used on a socket of type PF_INET, an error is
// returned").
func SCTPIWantMappedV4Addr(on bool) Option {
	return Option{name: "sctp_i_want_mapped_v4_addr", apply: func(c *optCtx) error {
		if on && c.mode != modeOpen && c.st.family == FamilyInet {
			return errMappedInet
		}
		c.st.mappedV4 = on
		return nil
	}}
}

// errMappedInet: sctp_i_want_mapped_v4_addr on an inet socket.
var errMappedInet = errors.New("sctp_i_want_mapped_v4_addr on an inet socket")

// SCTPPrimaryAddr makes the path to p.Addr, a peer address of the
// association p.AssocID, its primary path (gen_sctp {sctp_primary_addr,
// #sctp_prim{}}, RFC 9260 Section 6.4): new data goes there from now on,
// and an address event (addr_made_prim) is delivered. An address of
// another peer, or a port other than the peer's SCTP port (0 matches), is
// an error.
func SCTPPrimaryAddr(p Prim) Option {
	return Option{name: "sctp_primary_addr", apply: func(c *optCtx) error {
		_, a, err := c.target(p.AssocID)
		if err != nil {
			return err
		}
		if a == nil {
			return fmt.Errorf("%w: sctp_primary_addr needs an association", ErrNoAssociation)
		}
		addr, err := peerPath(a, p.Addr)
		if err != nil {
			return err
		}
		c.effect(func(timer.Time) error {
			a.SetPrimary(addr)
			return nil
		})
		return nil
	}}
}

// errNotPeerAddr: an address that is not one of the association's peer.
var errNotPeerAddr = errors.New("not a peer address of the association")

// peerPath checks that ap names a peer address of a (its port, when not
// 0, the peer's SCTP port) and returns the IP address.
func peerPath(a *association.Association, ap netip.AddrPort) (netip.Addr, error) {
	addr := ap.Addr().Unmap()
	if !addr.IsValid() || addr.IsUnspecified() {
		return netip.Addr{}, errNotPeerAddr
	}
	if ap.Port() != 0 && ap.Port() != a.Config().PeerPort {
		return netip.Addr{}, errNotPeerAddr
	}
	if _, err := a.GetPathParams(addr); err != nil {
		return netip.Addr{}, errNotPeerAddr
	}
	return addr, nil
}

// SCTPSetPeerPrimaryAddr asks the peer of the association p.AssocID to
// make p.Addr, a local address of the association, its primary path to
// this end (gen_sctp {sctp_set_peer_primary_addr, #sctp_setpeerprim{}}):
// an ASCONF chunk with a Set Primary Address parameter (RFC 5061 Section
// 4.2.4), which the peer may decline. The port of p.Addr is ignored. An
// association that did not negotiate ASCONF (SCTPAsconfSupported) refuses
// it with ErrNotSupported (reason enotsup); an address that is not one of
// the association's is reason einval. It is write-only: GetOpts leaves it
// out, as gen_sctp does when the operating system cannot read it.
func SCTPSetPeerPrimaryAddr(p SetPeerPrim) Option {
	return Option{name: "sctp_set_peer_primary_addr", apply: func(c *optCtx) error {
		_, a, err := c.target(p.AssocID)
		if err != nil {
			return err
		}
		if a == nil {
			return fmt.Errorf("%w: sctp_set_peer_primary_addr needs an association", ErrNoAssociation)
		}
		if !a.ASCONF() {
			return fmt.Errorf("%w: %w", ErrNotSupported, association.ErrASCONFNotSupported)
		}
		addr := p.Addr.Addr().Unmap()
		if !slices.Contains(a.LocalAddrsRequested(), addr) {
			return fmt.Errorf("%w: %v", association.ErrNotLocalAddr, addr)
		}
		c.effect(func(now timer.Time) error { return a.SetPeerPrimary(now, addr) })
		return nil
	}}
}

// SCTPAdaptationLayer sets the Adaptation Layer Indication sent in the
// INIT and INIT ACK of the associations set up later (gen_sctp
// {sctp_adaptation_layer, #sctp_setadaptation{}}, RFC 5061 Section
// 4.2.6); 0, the default, sends none, as on Linux.
func SCTPAdaptationLayer(a SetAdaptation) Option {
	return Option{name: "sctp_adaptation_layer", apply: func(c *optCtx) error {
		return c.changeTemplate(func(cfg *association.Config) {
			cfg.Adaptation, cfg.HasAdaptation = a.AdaptationInd, a.AdaptationInd != 0
		})
	}}
}

// SCTPDelayedAckTime sets the delayed SACK timeout of the association
// v.AssocID, or with AssocID 0 of the associations set up later (gen_sctp
// {sctp_delayed_ack_time, #sctp_assoc_value{}}; default 200 ms): 1 to 500
// ms (RFC 9260 Section 6.2: "the ACK delay MUST NOT be more than 500
// ms"), or 0 to acknowledge every packet at once, as Linux does for this
// form of the option.
func SCTPDelayedAckTime(v AssocValue) Option {
	return Option{name: "sctp_delayed_ack_time", apply: func(c *optCtx) error {
		if ms(v.AssocValue) > association.MaxSACKDelay {
			return badValue(v.AssocValue)
		}
		return c.changeTarget(v.AssocID, func(cfg *association.Config) {
			if v.AssocValue == 0 {
				cfg.SACKDelayDisabled = true
				return
			}
			cfg.SACKDelay, cfg.SACKDelayDisabled = ms(v.AssocValue), false
		})
	}}
}

// SCTPStatus is the read-only option sctp_status: SetOpts refuses it
// with an error wrapping ErrReadOnly and ErrInvalidOption (reason einval,
// as gen_sctp's setopts). Read it with Socket.Status or GetOpts.
func SCTPStatus(Status) Option { return readOnly("sctp_status") }

// SCTPGetPeerAddrInfo is the read-only option sctp_get_peer_addr_info:
// SetOpts refuses it (see SCTPStatus). Read it with Socket.PeerAddrInfo
// or GetOpts.
func SCTPGetPeerAddrInfo(PaddrInfo) Option { return readOnly("sctp_get_peer_addr_info") }

func readOnly(name string) Option {
	return Option{name: name, apply: func(*optCtx) error { return ErrReadOnly }}
}
