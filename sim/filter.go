package sim

import (
	"time"

	"github.com/gensctp/gensctp/chunk"
)

// Filter inspects a datagram at Send time and decides its fate. It sees
// the network's copy of the datagram (At is zero) and may modify it:
// rewrite From or To (the datagram then travels on the rewritten link),
// change Data in place, or replace Data, in which case the network takes
// ownership of the new slice. A filter must not call Send or Receive.
type Filter func(d *Datagram) Verdict

// Verdict is a filter's decision: Pass, Drop, or a hold-back made by Delay.
type Verdict int64

const (
	// Pass lets the datagram continue through the link.
	Pass Verdict = 0
	// Drop discards the datagram (counted in DroppedFilter).
	Drop Verdict = -1
)

// Delay returns a verdict that lets the datagram continue but holds it back
// by d extra on top of the link's latency; a held datagram may be overtaken
// by later ones (it leaves the link's FIFO order). Delays of several
// filters add up. Delay(d) for d <= 0 is Pass.
func Delay(d time.Duration) Verdict {
	if d <= 0 {
		return Pass
	}
	return Verdict(d)
}

// String returns "pass", "drop" or "delay(<duration>)".
func (v Verdict) String() string {
	switch {
	case v == Pass:
		return "pass"
	case v < 0:
		return "drop"
	}
	return "delay(" + time.Duration(v).String() + ")"
}

type filterEntry struct {
	id uint64
	f  Filter
}

// AddFilter appends f to the filters consulted, in the order they were
// added, for every datagram passed to Send; the first Drop verdict stops
// the chain. The returned function removes f; calling it again, or from
// inside a filter, is safe.
func (n *Network) AddFilter(f Filter) (remove func()) {
	n.filterID++
	id := n.filterID
	n.filters = append(n.filters, filterEntry{id: id, f: f})
	return func() {
		for i := range n.filters {
			if n.filters[i].id == id {
				n.filters[i].f = nil
				n.filtersDirty = true
			}
		}
		if !n.inFilter {
			n.compactFilters()
		}
	}
}

// compactFilters removes the entries of removed filters.
func (n *Network) compactFilters() {
	if !n.filtersDirty {
		return
	}
	k := 0
	for _, e := range n.filters {
		if e.f != nil {
			n.filters[k] = e
			k++
		}
	}
	clear(n.filters[k:])
	n.filters = n.filters[:k]
	n.filtersDirty = false
}

// runFilters consults the filters about d and returns the total hold-back
// and whether d is dropped.
func (n *Network) runFilters(d *Datagram) (hold time.Duration, drop bool) {
	n.compactFilters()
	n.inFilter = true
	defer func() { n.inFilter = false }()
	for i, k := 0, len(n.filters); i < k; i++ {
		f := n.filters[i].f
		if f == nil {
			continue
		}
		v := f(d)
		if v < 0 {
			return 0, true
		}
		if hold += time.Duration(v); hold < 0 {
			hold = time.Duration(1<<63 - 1) // saturate
		}
	}
	return hold, false
}

// sctpCommonHeaderLen is the length of the SCTP common header (RFC 9260
// Section 3.1), after which the first chunk starts.
const sctpCommonHeaderLen = 12

// FirstChunkType returns the type of the first chunk of the SCTP packet b,
// the byte that follows the 12-byte common header (RFC 9260 Section 3). It
// returns false if b is too short to hold a chunk header. It does not
// validate the packet.
func FirstChunkType(b []byte) (chunk.Type, bool) {
	if len(b) < sctpCommonHeaderLen+4 {
		return 0, false
	}
	return chunk.Type(b[sctpCommonHeaderLen]), true
}

// DropFirstChunk returns a filter that drops the next count datagrams
// whose first SCTP chunk has type t (see FirstChunkType), then passes
// everything; count <= 0 drops every such datagram. For example,
// DropFirstChunk(chunk.TypeCookieEcho, 1) drops the next COOKIE ECHO.
func DropFirstChunk(t chunk.Type, count int) Filter {
	left := count
	return func(d *Datagram) Verdict {
		if ct, ok := FirstChunkType(d.Data); !ok || ct != t {
			return Pass
		}
		if count <= 0 {
			return Drop
		}
		if left > 0 {
			left--
			return Drop
		}
		return Pass
	}
}
