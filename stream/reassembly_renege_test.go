package stream

import (
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// RFC 9260 Section 6.2: "If the new incoming DATA chunk holds a TSN value
// less than the largest TSN received so far, then the receiver SHOULD drop
// the largest TSN held for reordering and accept the new incoming DATA
// chunk." Renege drops a run of consecutive TSNs of one message at a
// time, the highest first, whatever holds it (an incomplete message, a
// complete one waiting for an earlier SSN, one waiting behind a partial
// delivery), never what Pop handed out, and stops at the bound it is
// given. What it dropped is taken again when the peer retransmits it, and
// every message is delivered once.
// https://www.rfc-editor.org/rfc/rfc9260#section-6.2
func TestReassemblyRenege(t *testing.T) {
	r := NewReassembly(4)
	r.SetPartialDeliveryPoint(5)
	sent := []in{
		{tsn: 10, sid: 0, ssn: 0, flags: "BE", data: "m0"}, // the hole
		{tsn: 11, sid: 0, ssn: 1, flags: "BE", data: "m1"}, // waits for SSN 0
		{tsn: 12, sid: 1, ssn: 0, flags: "B", data: "pd-"},
		{tsn: 13, sid: 1, ssn: 0, data: "part"}, // partial delivery starts: popped
		{tsn: 14, sid: 1, ssn: 0, flags: "E", data: "end"},
		{tsn: 15, sid: 1, flags: "UBE", data: "u"}, // behind the partial delivery
		{tsn: 16, sid: 2, ssn: 0, flags: "B", data: "ab"},
		{tsn: 17, sid: 2, ssn: 0, data: "cd"}, // message incomplete
		{tsn: 19, sid: 3, ssn: 0, data: "xy"}, // a middle fragment
	}
	got := feed(t, r, []in{sent[1], sent[2], sent[3], sent[5], sent[6], sent[7], sent[8]})
	require.Equal(t, []out{{sid: 1, data: "pd-part", partial: true}}, got)
	require.Equal(t, 2+1+4+2, r.Buffered())

	type dropped struct{ first, last chunk.TSN }
	var drops []dropped
	for {
		first, last, ok := r.Renege(10, 19)
		if !ok {
			break
		}
		drops = append(drops, dropped{first, last})
	}
	require.Equal(t, []dropped{{19, 19}, {16, 17}, {15, 15}, {11, 11}}, drops)
	require.Zero(t, r.Buffered())
	require.Zero(t, r.Chunks())
	require.Equal(t, 1, r.BusyStreams(), "the partial delivery goes on")

	// The bounds: nothing at or below after, nothing above upTo.
	got = feed(t, r, []in{sent[1], sent[8]})
	require.Empty(t, got)
	_, _, ok := r.Renege(11, 19)
	require.True(t, ok, "19")
	_, _, ok = r.Renege(11, 19)
	require.False(t, ok, "11 is not above 11")
	got = feed(t, r, []in{sent[8]})
	require.Empty(t, got)
	_, _, ok = r.Renege(10, 18)
	require.False(t, ok, "19 is above 18")

	// Retransmitted, everything is delivered once, in order per stream.
	got = feed(t, r, []in{sent[0], sent[4], sent[5], sent[6], sent[7]})
	require.Equal(t, []out{
		whole(0, 0, "m0"), whole(0, 1, "m1"),
		{sid: 1, data: "end", partial: true, eom: true}, unord(1, "u"),
	}, got, "SSN 0 of stream 2 is not complete")
	require.Equal(t, 4+2, r.Buffered(), "stream 2's fragments and stream 3's")
	first, last, ok := r.Renege(10, 19)
	require.True(t, ok)
	require.Equal(t, [2]chunk.TSN{19, 19}, [2]chunk.TSN{first, last})
}
