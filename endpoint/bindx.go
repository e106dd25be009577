package endpoint

import (
	"fmt"
	"net/netip"
	"slices"
)

// SetLocalAddrs replaces the specific local addresses of the endpoint
// (Config.Assoc.LocalAddrs: those it takes packets for and that the
// associations set up later list), as sctp_bindx does on a live socket.
// The associations already set up keep theirs: each changes them with
// ASCONF (association.Association.AddLocalAddr, DeleteLocalAddr). An
// address removed still takes packets: RFC 5061 Section 5.3 F4, an
// address being deleted "MUST be considered a valid destination address
// for the reception of SCTP packets until the ASCONF-ACK arrives", and
// what arrives on it is not out of the blue. An endpoint bound to the
// wildcard, or an empty addrs, is ErrInvalidConfig; an address added that
// another endpoint of the port in the Mux takes packets for is
// ErrPortInUse. On error nothing changes.
func (e *Endpoint) SetLocalAddrs(addrs []netip.Addr) error {
	old := e.cfg.Assoc.LocalAddrs
	if len(old) == 0 || len(addrs) == 0 {
		return fmt.Errorf("%w: local addresses of an endpoint bound to the wildcard, or none", ErrInvalidConfig)
	}
	addrs = slices.Clone(addrs)
	for i, a := range addrs {
		addrs[i] = a.Unmap()
		if !addrs[i].IsValid() || addrs[i].IsUnspecified() {
			return fmt.Errorf("%w: local address %v", ErrInvalidConfig, a)
		}
	}
	if m := e.link.m; m != nil {
		for _, a := range addrs {
			for _, x := range m.eps[e.Port()] {
				if x != e && x.bound(a, netip.Addr{}) {
					return ErrPortInUse
				}
			}
		}
	}
	cfg := e.acceptor.Config()
	cfg.LocalAddrs = addrs
	if err := e.acceptor.SetConfig(cfg); err != nil {
		return err
	}
	e.cfg.Assoc = e.acceptor.Config()
	for _, a := range old {
		if a = a.Unmap(); !slices.Contains(addrs, a) && !slices.Contains(e.retired, a) {
			e.retired = append(e.retired, a)
		}
	}
	e.retired = slices.DeleteFunc(e.retired, func(a netip.Addr) bool { return slices.Contains(addrs, a) })
	return nil
}
