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
		got = append(got, checkAdded(t, r, i, before, r.Add(c.tsn, d), c.err, d.UserData)...)
	}
	return got
}

// checkAdded checks what adding chunk i with user data data did to r,
// whose Buffered was before: err is wantErr and nothing counted, or no
// error and data counted. It then scribbles over data (the packet buffer
// is reused after Add: Reassembly must have copied it) and pops every
// deliverable message.
func checkAdded(t *testing.T, r *Reassembly, i, before int, err, wantErr error, data []byte) []out {
	t.Helper()
	if wantErr != nil {
		require.ErrorIs(t, err, wantErr, "chunk %d", i)
		require.Equal(t, before, r.Buffered(), "chunk %d refused but counted", i)
		return nil
	}
	require.NoError(t, err, "chunk %d", i)
	require.Equal(t, before+len(data), r.Buffered(), "chunk %d", i)
	for j := range data {
		data[j] = '#'
	}
	return popAll(t, r)
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

// deliverOrdered adds and pops n single-chunk ordered messages on stream
// sid, SSNs (or MIDs) from 0, from TSN tsn on, as DATA or I-DATA as r
// takes, and returns the next TSN.
func deliverOrdered(t *testing.T, r *Reassembly, sid chunk.StreamID, n int, tsn chunk.TSN) chunk.TSN {
	t.Helper()
	one := []byte{1}
	for i := range n {
		var err error
		if r.IData() {
			err = r.AddI(tsn, &chunk.IData{StreamID: sid, MID: chunk.MID(i), Flags: fl("BE"), UserData: one})
		} else {
			err = r.Add(tsn, &chunk.Data{StreamID: sid, SSN: chunk.SSN(i), Flags: fl("BE"), UserData: one})
		}
		require.NoError(t, err)
		m, ok := r.Pop()
		require.True(t, ok)
		require.Equal(t, chunk.SSN(i), m.SSN)
		r.Release(m.Data)
		tsn++
	}
	return tsn
}
