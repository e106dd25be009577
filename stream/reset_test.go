package stream

import (
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// ResetSSNs sets the next SSN of the listed streams to 0 (RFC 6525
// Section 5.2.2 E3), or of all streams when none is listed; others keep
// theirs, and a stream beyond Streams is ignored.
func TestReassemblyResetSSNs(t *testing.T) {
	r := NewReassembly(3)
	got := feed(t, r, []in{
		{tsn: 1, sid: 0, ssn: 0, flags: "BE", data: "a0"},
		{tsn: 2, sid: 1, ssn: 0, flags: "BE", data: "b0"},
		{tsn: 3, sid: 0, ssn: 1, flags: "BE", data: "a1"},
	})
	require.Len(t, got, 3)
	require.Equal(t, chunk.SSN(2), r.NextSSN(0))
	r.ResetSSNs([]chunk.StreamID{0, 7})
	require.Equal(t, chunk.SSN(0), r.NextSSN(0))
	require.Equal(t, chunk.SSN(1), r.NextSSN(1))
	got = feed(t, r, []in{
		{tsn: 4, sid: 0, ssn: 0, flags: "BE", data: "a0 again"},
		{tsn: 5, sid: 1, ssn: 0, flags: "BE", data: "b0 again", err: ErrInvalidFragment},
	})
	require.Equal(t, []out{whole(0, 0, "a0 again")}, got)
	r.ResetSSNs(nil)
	require.Equal(t, chunk.SSN(0), r.NextSSN(0))
	require.Equal(t, chunk.SSN(0), r.NextSSN(1))
	got = feed(t, r, []in{{tsn: 6, sid: 1, ssn: 0, flags: "BE", data: "b0 again"}})
	require.Equal(t, []out{whole(1, 0, "b0 again")}, got)
	var nilR *Reassembly
	nilR.ResetSSNs(nil)
	require.Equal(t, chunk.SSN(0), nilR.NextSSN(0))
}
