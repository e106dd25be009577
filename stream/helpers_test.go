package stream

import (
	"strings"
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// fl parses flags written as letters: "B", "E", "U" in any combination.
func fl(s string) chunk.DataFlags {
	var f chunk.DataFlags
	if strings.Contains(s, "U") {
		f |= chunk.FlagUnordered
	}
	if strings.Contains(s, "B") {
		f |= chunk.FlagBeginning
	}
	if strings.Contains(s, "E") {
		f |= chunk.FlagEnd
	}
	return f
}

// in is one DATA chunk fed to Reassembly.Add, with the error expected.
type in struct {
	tsn   chunk.TSN
	sid   chunk.StreamID
	ssn   chunk.SSN
	flags string
	data  string
	err   error
}

// out is one message or piece expected from Reassembly.Pop.
type out struct {
	sid     chunk.StreamID
	ssn     chunk.SSN
	u       bool
	data    string
	partial bool
	eom     bool
}

// whole is the expected delivery of a whole ordered message.
func whole(sid chunk.StreamID, ssn chunk.SSN, data string) out {
	return out{sid: sid, ssn: ssn, data: data, eom: true}
}

// unord is the expected delivery of a whole unordered message.
func unord(sid chunk.StreamID, data string) out {
	return out{sid: sid, u: true, data: data, eom: true}
}

// feed adds every chunk, checks the errors and Buffered, pops after each
// chunk and returns everything delivered.
func feed(t *testing.T, r *Reassembly, chunks []in) []out {
	t.Helper()
	var got []out
	for i, c := range chunks {
		before := r.Buffered()
		d := &chunk.Data{StreamID: c.sid, SSN: c.ssn, Flags: fl(c.flags),
			PPID: chunk.PPID(c.sid), UserData: []byte(c.data)}
		err := r.Add(c.tsn, d)
		if c.err != nil {
			require.ErrorIs(t, err, c.err, "chunk %d", i)
			require.Equal(t, before, r.Buffered(), "chunk %d refused but counted", i)
			continue
		}
		require.NoError(t, err, "chunk %d", i)
		require.Equal(t, before+len(c.data), r.Buffered(), "chunk %d", i)
		// The packet buffer is reused after Add: Reassembly must have
		// copied it.
		for j := range d.UserData {
			d.UserData[j] = '#'
		}
		got = append(got, popAll(t, r)...)
	}
	return got
}

// popAll pops every deliverable message and checks the accounting.
func popAll(t *testing.T, r *Reassembly) []out {
	t.Helper()
	var got []out
	for {
		before := r.Buffered()
		m, ok := r.Pop()
		if !ok {
			return got
		}
		require.NotEmpty(t, m.Data)
		require.Equal(t, before-len(m.Data), r.Buffered())
		require.Equal(t, chunk.PPID(m.Stream), m.PPID)
		require.True(t, m.FirstTSN.LE(m.LastTSN))
		o := out{sid: m.Stream, u: m.Unordered, data: string(m.Data),
			partial: m.Partial, eom: m.EndOfMessage}
		if !m.Unordered {
			o.ssn = m.SSN
		}
		got = append(got, o)
		r.Release(m.Data)
	}
}
