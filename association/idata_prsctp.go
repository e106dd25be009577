package association

import (
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/stream"
)

// outstandingOf reports whether a fragment of m handed out so far waits
// above the Cumulative TSN Ack Point. With I-DATA the fragments of
// messages of different streams interleave, so the latest TSN assigned
// need not be m's (allAcked). The work is a step per TSN outstanding.
func (a *Association) outstandingOf(m *stream.OutMessage) bool {
	for tsn := a.cumAckPoint + 1; tsn != a.nextTSN; tsn++ {
		if c := a.out.at(tsn); c != nil && c.frag.Msg == m {
			return true
		}
	}
	return false
}

// iforwardKey is a stream and U bit of an I-FORWARD-TSN entry.
type iforwardKey struct {
	stream    chunk.StreamID
	unordered bool
}

// buildIForward fills the scratch I-FORWARD-TSN for the Advanced.Peer.
// Ack.Point within room bytes, or returns nil if not even an empty one
// fits: buildForward with RFC 8260 Section 2.3.1, each stream listed
// once for its ordered and once for its unordered messages abandoned,
// with "the largest Message Identifier for ordered or unordered messages
// indicated by the U bit that was skipped for the stream". Like rule C4
// of RFC 3758 Section 3.5, the New Cumulative TSN is lowered to the last
// TSN whose entry fits.
func (a *Association) buildIForward(room int) *chunk.IForwardTSN {
	maxEntries := (room - 4 - 4) / 8 // chunk header, New Cumulative TSN
	if maxEntries < 0 {
		return nil
	}
	seen := make(map[iforwardKey]int)
	f := &a.scr().iforwardOut
	f.Flags, f.Streams = 0, f.Streams[:0]
	f.NewCumTSN = a.forwardWalk(func(fr *stream.Fragment) bool {
		k := iforwardKey{fr.Stream, fr.Flags.Has(chunk.FlagUnordered)}
		if i, ok := seen[k]; ok {
			if fr.MID.GT(f.Streams[i].MID) {
				f.Streams[i].MID = fr.MID
			}
			return true
		}
		if len(f.Streams) == maxEntries {
			return false
		}
		seen[k] = len(f.Streams)
		e := chunk.IForwardTSNStream{StreamID: fr.Stream, MID: fr.MID}
		if k.unordered {
			e.Flags = chunk.IForwardTSNUnordered
		}
		f.Streams = append(f.Streams, e)
		return true
	})
	if f.NewCumTSN == a.cumAckPoint {
		return nil
	}
	return f
}

// closeIData is closeRun for I-DATA: the message m, abandoned after some
// of its fragments were sent and before the rest were, takes one more
// TSN for a last fragment that is never sent, abandoned with the others
// (abandonSent). The fragments of other messages interleave with m's, so
// that its fragments sent may all arrive and be acknowledged
// cumulatively: without a TSN the peer lacks, no I-FORWARD-TSN would be
// due (RFC 3758 Section 3.5 C3), and the peer would hold the beginning
// of m for ever, an ordered stream stalled behind it. The TSN makes one
// due, and its entry lists m's stream, U bit and MID (buildIForward), so
// that the peer drops what it holds of m (RFC 8260 Section 2.3.1).
func (a *Association) closeIData(m *stream.OutMessage) {
	f := stream.Fragment{Stream: m.Stream, PPID: m.PPID, Flags: chunk.FlagEnd, MID: m.MID(), Msg: m}
	if m.Unordered {
		f.Flags |= chunk.FlagUnordered
	}
	a.out.push(txChunk{tsn: a.nextTSN, frag: f})
	a.nextTSN++
}
