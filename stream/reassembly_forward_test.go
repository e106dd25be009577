package stream

import (
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// RFC 3758 Section 3.6: on a FORWARD TSN, the receiver "MUST remove any
// partially reassembled message, which is still missing one or more TSNs
// earlier than or equal to the new cumulative TSN point", and "MUST use
// the stream sequence information to examine all of the listed stream
// reordering queues, and immediately make available for delivery stream
// sequence numbers earlier than or equal to the stream sequence number
// listed". Messages held behind the skipped ones follow in SSN order;
// what is above the New Cumulative TSN stays.
// https://www.rfc-editor.org/rfc/rfc3758#section-3.6
func TestReassemblyForward(t *testing.T) {
	r := NewReassembly(4)
	got := feed(t, r, []in{
		// Stream 0: SSN 0 abandoned (TSN 10, never arrived), SSN 1 held,
		// SSN 2 abandoned with its first fragment in (TSN 12), SSN 3
		// held, SSN 4 above the new cumulative TSN, held too.
		{tsn: 11, sid: 0, ssn: 1, flags: "BE", data: "one"},
		{tsn: 12, sid: 0, ssn: 2, flags: "B", data: "tw"},
		{tsn: 14, sid: 0, ssn: 3, flags: "BE", data: "three"},
		{tsn: 21, sid: 0, ssn: 4, flags: "BE", data: "four"},
		// Stream 1: an unordered message missing its first fragment,
		// abandoned; one above the new cumulative TSN, missing its end.
		{tsn: 16, sid: 1, flags: "UE", data: "lost"},
		{tsn: 22, sid: 1, flags: "UB", data: "keep"},
		// Stream 2: SSN 1 held, not listed.
		{tsn: 18, sid: 2, ssn: 1, flags: "BE", data: "s2"},
	})
	require.Empty(t, got)
	type span struct{ first, last chunk.TSN }
	var drops []span
	aborted := r.Forward(20, 20, []chunk.ForwardTSNStream{{StreamID: 0, SSN: 2}, {StreamID: 0, SSN: 0}},
		func(first, last chunk.TSN) { drops = append(drops, span{first, last}) })
	require.Empty(t, aborted, "no partial delivery was under way")
	require.Equal(t, []span{{12, 12}, {16, 16}}, drops)
	// Stream 2 is not listed, but its SSN 1 at TSN 18 shows that its SSN
	// 0, sent earlier, was skipped too.
	require.Equal(t, []out{whole(0, 1, "one"), whole(0, 3, "three"), whole(0, 4, "four"), whole(2, 1, "s2")},
		popAll(t, r))
	require.Equal(t, len("keep"), r.Buffered())
	require.Equal(t, []out{unord(1, "keep!")},
		feed(t, r, []in{{tsn: 23, sid: 1, flags: "UE", data: "!"}}))
	feed(t, r, []in{{tsn: 24, sid: 2, ssn: 0, flags: "BE", data: "s2-0", err: ErrInvalidFragment}})
	require.Zero(t, r.Buffered())
	require.Zero(t, r.Chunks())
	require.Zero(t, r.Records())
	require.Zero(t, r.BusyStreams())
}

// A FORWARD TSN that skips a message under partial delivery ends it: the
// abort is reported (with the bytes the user saw, for the
// SCTP_PARTIAL_DELIVERY_ABORTED event), and the stream goes on with what
// waited behind it.
func TestReassemblyForwardAbortsPartialDelivery(t *testing.T) {
	for _, u := range []bool{false, true} {
		r := NewReassembly(2)
		r.SetPartialDeliveryPoint(4)
		flags := func(f string) string {
			if u {
				return "U" + f
			}
			return f
		}
		got := feed(t, r, []in{
			{tsn: 10, sid: 1, ssn: 0, flags: flags("B"), data: "part"},
			{tsn: 11, sid: 1, ssn: 0, flags: flags(""), data: "ial"},
			{tsn: 14, sid: 1, ssn: 1, flags: flags("BE"), data: "next"},
		})
		require.Len(t, got, 2, "unordered %v: two pieces", u)
		var skipped []chunk.ForwardTSNStream
		if !u {
			skipped = []chunk.ForwardTSNStream{{StreamID: 1, SSN: 0}}
		}
		aborted := r.Forward(12, 12, skipped, nil)
		require.Equal(t, []PartialAbort{{Stream: 1, Unordered: u, Delivered: len("partial")}}, aborted)
		want := whole(1, 1, "next")
		if u {
			want = unord(1, "next")
		}
		require.Equal(t, []out{want}, popAll(t, r), "unordered %v", u)
		require.Zero(t, r.Buffered())
		require.Zero(t, r.Records())
		require.Zero(t, r.BusyStreams())
	}
}

// Entries for unknown streams, SSNs already delivered and repeated
// streams change nothing beyond what the highest entry of each stream
// says; a nil Reassembly takes a FORWARD TSN.
func TestReassemblyForwardEntries(t *testing.T) {
	var nilR *Reassembly
	require.Nil(t, nilR.Forward(5, 5, []chunk.ForwardTSNStream{{StreamID: 1, SSN: 1}}, nil))

	r := NewReassembly(2)
	require.Equal(t, []out{whole(0, 0, "a")}, feed(t, r, []in{{tsn: 1, sid: 0, ssn: 0, flags: "BE", data: "a"}}))
	require.Empty(t, feed(t, r, []in{
		{tsn: 4, sid: 0, ssn: 3, flags: "BE", data: "d"},
		{tsn: 6, sid: 0, ssn: 5, flags: "BE", data: "f"},
	}))
	r.Forward(3, 3, []chunk.ForwardTSNStream{
		{StreamID: 9, SSN: 7}, // no such stream
		{StreamID: 0, SSN: 0}, // delivered already
		{StreamID: 0, SSN: 2}, // the highest of the stream
		{StreamID: 0, SSN: 1},
	}, nil)
	require.Equal(t, []out{whole(0, 3, "d")}, popAll(t, r))
	require.Equal(t, []out{whole(0, 4, "e"), whole(0, 5, "f")},
		feed(t, r, []in{{tsn: 5, sid: 0, ssn: 4, flags: "BE", data: "e"}}))
	// An SSN before the stream's next one is stale: a chunk of SSN 5
	// again would be one already delivered.
	r.Forward(6, 6, []chunk.ForwardTSNStream{{StreamID: 0, SSN: 2}}, nil)
	require.Equal(t, []out{whole(0, 6, "g")}, feed(t, r, []in{{tsn: 7, sid: 0, ssn: 6, flags: "BE", data: "g"}}))
}

// With SetAbandonable, a message that begins right after a fragment that
// does not end its message is not a framing error: the message before was
// abandoned (RFC 3758), its fragments are held until the FORWARD TSN
// drops them, and the new message is delivered in its turn. Without it,
// the chunk is refused.
func TestReassemblyAbandonable(t *testing.T) {
	r := NewReassembly(1)
	feed(t, r, []in{{tsn: 10, sid: 0, ssn: 0, flags: "B", data: "ab"}})
	feed(t, r, []in{{tsn: 11, sid: 0, ssn: 1, flags: "BE", data: "next", err: ErrInvalidFragment}})
	feed(t, r, []in{{tsn: 9, sid: 0, ssn: 7, flags: "U", data: "x", err: ErrInvalidFragment}})

	r.SetAbandonable(true)
	require.Empty(t, feed(t, r, []in{
		{tsn: 11, sid: 0, ssn: 1, flags: "BE", data: "next"},
		{tsn: 9, sid: 0, ssn: 7, flags: "U", data: "x"}, // no E before 10's B
	}))
	r.Forward(10, 10, []chunk.ForwardTSNStream{{StreamID: 0, SSN: 0}}, nil)
	require.Equal(t, []out{whole(0, 1, "next")}, popAll(t, r))
	require.Zero(t, r.Buffered())
	require.Zero(t, r.Records())
}

// A FORWARD TSN that leaves out a stream it skipped on (RFC 3758 Section
// 3.2 says it MUST list it) does not stall the stream: the fragments
// after the New Cumulative TSN whose first fragment it skipped go, and
// their SSN with them; the next message is delivered.
func TestReassemblyForwardUnlistedStream(t *testing.T) {
	r := NewReassembly(1)
	require.Empty(t, feed(t, r, []in{
		{tsn: 11, sid: 0, ssn: 0, data: "mid"}, // SSN 0 began at TSN 10, skipped
		{tsn: 12, sid: 0, ssn: 0, flags: "E", data: "end"},
		{tsn: 13, sid: 0, ssn: 1, flags: "BE", data: "next"},
	}))
	var drops []chunk.TSN
	r.Forward(10, 10, nil, func(first, last chunk.TSN) { drops = append(drops, first, last) })
	require.Equal(t, []chunk.TSN{11, 12}, drops)
	require.Equal(t, []out{whole(0, 1, "next")}, popAll(t, r))
	require.Zero(t, r.Buffered())
	require.Zero(t, r.Records())
}

// Skip (and Forward) dropping the last thing a stream held releases the
// stream's record: what skipTo does afterwards must not use it, or the
// record goes to the free list twice, two streams then share it and the
// next SSN of one of them advances for a message of the other (seen in a
// lossy PR-SCTP transfer as "SSN already delivered" and an ABORT). Here
// the stream records released by the skip serve streams 0 and 2 at once:
// each must deliver its own messages, in order.
func TestReassemblySkipReleasesStreamOnce(t *testing.T) {
	r := NewReassembly(4)
	require.Empty(t, feed(t, r, []in{{tsn: 1, sid: 1, ssn: 0, flags: "B", data: "lost"}}))
	require.Empty(t, r.Skip(1, 0))
	got := feed(t, r, []in{
		{tsn: 30, sid: 0, ssn: 0, flags: "B", data: "a"},
		{tsn: 40, sid: 2, ssn: 0, flags: "B", data: "b"},
		{tsn: 31, sid: 0, ssn: 0, flags: "E", data: "c"},
		{tsn: 41, sid: 2, ssn: 0, flags: "E", data: "d"},
		{tsn: 50, sid: 0, ssn: 1, flags: "BE", data: "e"},
		{tsn: 51, sid: 1, ssn: 1, flags: "BE", data: "f"},
	})
	require.Equal(t, []out{whole(0, 0, "ac"), whole(2, 0, "bd"), whole(0, 1, "e"), whole(1, 1, "f")}, got)
	require.Zero(t, r.Records())
	require.Zero(t, r.BusyStreams())
}

// Nothing of a stream overtakes its partial delivery in progress, not
// even the messages a FORWARD TSN (or skipped SSNs) makes deliverable:
// they follow once the partial delivery ends. Here an unordered message
// of stream 1 is being delivered in pieces when the FORWARD TSN skips SSN
// 0, which lets the complete SSN 1 go; it comes after the last piece.
func TestReassemblyForwardWaitsForPartialDelivery(t *testing.T) {
	r := NewReassembly(2)
	r.SetPartialDeliveryPoint(4)
	got := feed(t, r, []in{
		{tsn: 12, sid: 1, ssn: 1, flags: "BE", data: "later"},
		{tsn: 30, sid: 1, flags: "UB", data: "part"},
	})
	require.Equal(t, []out{{sid: 1, u: true, data: "part", partial: true}}, got)
	require.Empty(t, r.Forward(11, 12, []chunk.ForwardTSNStream{{StreamID: 1, SSN: 0}}, nil))
	require.Empty(t, popAll(t, r), "behind the partial delivery")
	require.Equal(t, []out{{sid: 1, u: true, data: "ial", partial: true, eom: true}, whole(1, 1, "later")},
		feed(t, r, []in{{tsn: 31, sid: 1, flags: "UE", data: "ial"}}))
	require.Zero(t, r.Records())
	require.Zero(t, r.BusyStreams())
}
