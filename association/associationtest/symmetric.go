package associationtest

import (
	"net/netip"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/sim"
)

// NewSymmetricPair returns a Pair of two active associations, A with cfgA
// towards AddrZ and Z with cfgZ towards AddrA, both created with
// association.New and neither connected yet: call Connect on each (at the
// same or at different times) to run an initialization collision (RFC 9260
// Section 5.2). The Pair has no Acceptor; packets for a closed side are
// handled as out of the blue. The ports of cfgA and cfgZ must mirror each
// other.
func NewSymmetricPair(seed uint64, cfgA, cfgZ association.Config, link sim.LinkConfig) (*Pair, error) {
	n := sim.New(seed)
	if err := n.SetDefault(link); err != nil {
		return nil, err
	}
	p := &Pair{Net: n, AddrA: AddrA, AddrZ: AddrZ, AddrsA: []netip.AddrPort{AddrA},
		AddrsZ: []netip.AddrPort{AddrZ}, Discards: map[string]int{}, buf: make([]byte, 0, 1<<16)}
	var err error
	if p.A, err = association.New(cfgA, p.Now, p.AddrZ); err != nil {
		return nil, err
	}
	if p.Z, err = association.New(cfgZ, p.Now, p.AddrA); err != nil {
		return nil, err
	}
	return p, nil
}
