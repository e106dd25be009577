package sim

import (
	"hash"
	"hash/fnv"
	"math/rand/v2"
	"net/netip"

	"github.com/gensctp/gensctp/timer"
)

// Addr is the address of a simulated endpoint: an IP address and a UDP
// port, for example 10.0.0.1:9899.
type Addr = netip.AddrPort

// Datagram is one datagram in the network.
//
// A Datagram returned by Receive owns Data (a buffer of the network's free
// list); the caller may keep it, or hand it back with Recycle once done.
type Datagram struct {
	// From and To are the sender and receiver addresses.
	From, To Addr
	// Data is the payload (possibly corrupted by the link).
	Data []byte
	// Sent is the time Send was called.
	Sent timer.Time
	// At is the arrival time (zero while filters inspect the datagram).
	At timer.Time
	// ECN is the ECN field of the datagram's IP header (RFC 3168 Section
	// 5): 0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE. SendECN sets it; a link
	// with a CEThreshold marks ECN-capable datagrams CE.
	ECN uint8
}

// linkKey identifies one direction of a link.
type linkKey struct{ from, to Addr }

// link is the state of one direction of a link.
type link struct {
	cfg         LinkConfig
	hasCfg      bool       // cfg was set explicitly; else the default applies
	busyUntil   timer.Time // when the bottleneck finishes the last datagram
	lastArrival timer.Time // latest FIFO arrival scheduled on this link
	inBurst     bool       // in a loss burst (LinkConfig.BurstLoss)
	rng         *rand.Rand // the link's own source (IsolateLinks), else nil
	// tie orders the link's datagrams among those of other links that
	// arrive at the same instant (IsolateLinks: the hash of its addresses;
	// else 0, and the order of the sends decides).
	tie   uint64
	stats Stats
}

// Network is a simulated datagram network on virtual time.
//
// A Network is not safe for concurrent use; the caller serialises.
type Network struct {
	rng      *rand.Rand
	r        *rand.Rand // the source of the datagram Send is working on
	seed     uint64
	isolated bool // each link has its own source (IsolateLinks)
	def      LinkConfig
	links    map[linkKey]*link
	last     *link   // one-entry cache of links
	lastKey  linkKey // key of last
	inflight inflightQueue
	seq      uint64 // scheduling order, breaks arrival-time ties
	free     [][]byte
	cur      Datagram // the datagram Send is working on
	stats    Stats

	partitions []*partition
	nextHeal   timer.Time // no partition heals before it (pruneHealed)

	filters      []filterEntry
	filterID     uint64
	inFilter     bool
	filtersDirty bool

	trace     func(Event)
	hash      hash.Hash
	hashLen   uint64
	hashStart bool
	scratch   []byte
}

// pcgStream is the second PCG word; the seed chooses the first.
const pcgStream = 0x9e3779b97f4a7c15

// New returns an empty network whose every random decision comes from a
// PCG source seeded with seed. Links default to the zero LinkConfig (a
// perfect link).
func New(seed uint64) *Network {
	return &Network{
		rng:   rand.New(rand.NewPCG(seed, pcgStream)),
		seed:  seed,
		links: make(map[linkKey]*link),
	}
}

// SetDefault sets the configuration of every link that has no
// configuration of its own (see SetLink). It returns cfg.Validate() and
// changes nothing if cfg is invalid.
func (n *Network) SetDefault(cfg LinkConfig) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	n.def = cfg
	return nil
}

// Default returns the default link configuration.
func (n *Network) Default() LinkConfig { return n.def }

// SetLink sets the configuration of the link from → to (one direction).
// It applies to datagrams sent from now on; datagrams in flight keep their
// schedule. It returns cfg.Validate() and changes nothing if cfg is
// invalid.
func (n *Network) SetLink(from, to Addr, cfg LinkConfig) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	l := n.link(from, to)
	l.cfg, l.hasCfg = cfg, true
	return nil
}

// SetLinkBoth sets the configuration of both directions between a and b.
func (n *Network) SetLinkBoth(a, b Addr, cfg LinkConfig) error {
	if err := n.SetLink(a, b, cfg); err != nil {
		return err
	}
	return n.SetLink(b, a, cfg)
}

// ResetLink makes the link from → to follow the default configuration
// again. Its statistics are kept.
func (n *Network) ResetLink(from, to Addr) {
	if l, ok := n.links[linkKey{from, to}]; ok {
		l.cfg, l.hasCfg = LinkConfig{}, false
	}
}

// SetDown cuts (down true) or restores (down false) the link from → to,
// leaving the rest of its configuration as it is.
func (n *Network) SetDown(from, to Addr, down bool) {
	l := n.link(from, to)
	if !l.hasCfg {
		l.cfg, l.hasCfg = n.def, true
	}
	l.cfg.Down = down
}

// Link returns the configuration in effect for the link from → to.
func (n *Network) Link(from, to Addr) LinkConfig {
	if l, ok := n.links[linkKey{from, to}]; ok && l.hasCfg {
		return l.cfg
	}
	return n.def
}

// link returns the state of from → to, creating it on first use.
func (n *Network) link(from, to Addr) *link {
	k := linkKey{from, to}
	if n.last != nil && n.lastKey == k {
		return n.last
	}
	l, ok := n.links[k]
	if !ok {
		l = &link{}
		if n.isolated {
			n.isolate(k, l)
		}
		n.links[k] = l
	}
	n.last, n.lastKey = l, k
	return l
}

// config returns the configuration in effect for l.
func (n *Network) config(l *link) *LinkConfig {
	if l.hasCfg {
		return &l.cfg
	}
	return &n.def
}

// InFlight returns the number of datagrams scheduled but not yet received.
func (n *Network) InFlight() int { return n.inflight.len() }

// IsolateLinks gives every link (one direction between two addresses) a
// random source of its own, derived from the seed and the link's
// addresses, instead of the one source of the network. The fate of a
// link's datagrams then depends only on the sequence of datagrams sent on
// that link, not on how the sends on different links interleave: what
// makes a run deterministic when the senders are goroutines whose order
// at one instant is not fixed (see Net). Call it before the first Send.
func (n *Network) IsolateLinks() {
	n.isolated = true
	for k, l := range n.links {
		if l.rng == nil {
			n.isolate(k, l)
		}
	}
}

// isolate gives link k, l, what IsolateLinks gives every link: a random
// source of its own, a PCG seeded with the network's seed and an FNV-1a
// hash of the addresses, and that hash as its tie, so that datagrams of
// different links arriving at the same instant come out of Receive in an
// order that does not depend on the order of their sends either (the
// trace hash, and which datagram a receiver gets first).
func (n *Network) isolate(k linkKey, l *link) {
	h := fnv.New64a()
	b, _ := k.from.AppendBinary(nil)
	b, _ = k.to.AppendBinary(append(b, '>'))
	h.Write(b)
	l.tie = h.Sum64()
	l.rng = rand.New(rand.NewPCG(n.seed, l.tie))
}
