package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/stretchr/testify/require"
)

// Hostile peers that send TSNs outside what the windows allow: DATA far beyond the receive window, SACKs acknowledging what
// was never sent, and both at the 2^31 boundary of serial number
// arithmetic (RFC 9260 Section 1.6, RFC 1982).

// lastSACKOfZ sends what Z has to send, without letting it reach A (Z's
// SACKs of forged DATA would acknowledge TSNs A never sent), and returns
// the last SACK Z sent.
func lastSACKOfZ(t *testing.T, p *associationtest.Pair, c *capture) chunk.SACK {
	t.Helper()
	remove := p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if d.From == p.AddrZ {
			return sim.Drop
		}
		return sim.Pass
	})
	defer remove()
	p.Exchange()
	sacks := c.with(p.AddrZ, chunk.TypeSACK)
	require.NotEmpty(t, sacks)
	r, _ := sacks[len(sacks)-1].chunk(chunk.TypeSACK)
	var s chunk.SACK
	parseChunk(t, r, &s)
	return s
}

// DATA whose TSN is far beyond what the receive window allows (the
// Cumulative TSN Ack + 10^6 with a receive buffer of 1 MiB) is dropped, not
// held: the genuine message with the same stream sequence number is
// delivered. Held, the forged message was delivered in its place (ordered
// delivery goes by SSN), and the genuine one, its SSN already delivered,
// then aborted the association as a protocol violation. RFC 9260 Section
// 6.2: "The SCTP endpoint MUST always acknowledge the reception of each
// valid DATA chunk when the DATA chunk received is inside its receive
// window."
func TestHostileTSNDataBeyondWindow(t *testing.T) {
	p, cum := hostilePair(t, 930, nil)
	require.Equal(t, association.DefaultReceiveBuffer, p.Z.Config().ReceiveBuffer)
	hand(p, p.Z, &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: cum + 1_000_000,
		SSN: 1, UserData: []byte("forged")})
	msg := sendAndDeliver(t, p, []byte("genuine"))
	require.Equal(t, []byte("genuine"), msg.Data)
	require.Equal(t, chunk.SSN(1), msg.SSN)
	p.Run(time.Second)
	require.Equal(t, association.StateEstablished, p.Z.State())
	require.Equal(t, association.StateEstablished, p.A.State())
	require.Zero(t, p.A.Status().UnackData)
}

// The receive window reaches as many TSNs above the Cumulative TSN Ack
// Point as the receive buffer could hold chunks of one byte, each charged
// ChunkOverhead, and at most 2^15 (so that the stream sequence numbers a
// peer can have in flight stay within half their space of the next one
// expected): the last TSN inside is held and reported in a Gap Ack Block,
// the next one is dropped and not reported ("The dropped DATA chunk(s)
// MUST NOT be included in the SACK chunk", RFC 9260 Section 6.2).
func TestHostileTSNDataWindowBound(t *testing.T) {
	for _, tc := range []struct {
		name   string
		buffer int
		window uint16
	}{
		{"buffer", 100 * (association.ChunkOverhead + 1), 100},
		{"cap", 64 << 20, 1 << 15},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, cum := hostilePair(t, 931, func(_, z *association.Config) { z.ReceiveBuffer = tc.buffer })
			c := capturePackets(p)
			hand(p, p.Z, oneByte(cum+chunk.TSN(tc.window)), oneByte(cum+chunk.TSN(tc.window)+1))
			s := lastSACKOfZ(t, p, c)
			require.Equal(t, cum, s.CumTSNAck)
			require.Equal(t, []chunk.GapBlock{{Start: tc.window, End: tc.window}}, s.GapBlocks)
			require.Equal(t, association.StateEstablished, p.Z.State())
		})
	}
}

// DATA exactly half the TSN space above the Cumulative TSN Ack Point is
// neither a duplicate nor inside the window: it is dropped. One TSN
// further is 2^31-1 below the point: a duplicate, reported as such (RFC
// 9260 Section 6.2: "The duplicate TSN number(s) SHOULD be reported in the
// SACK chunk as duplicate").
func TestHostileTSNDataHalfSpace(t *testing.T) {
	p, cum := hostilePair(t, 932, nil)
	c := capturePackets(p)
	hand(p, p.Z, oneByte(cum+1<<31))
	s := lastSACKOfZ(t, p, c)
	require.Equal(t, cum, s.CumTSNAck)
	require.Empty(t, s.GapBlocks)
	require.Empty(t, s.DupTSNs)
	hand(p, p.Z, oneByte(cum+1<<31+1))
	s = lastSACKOfZ(t, p, c)
	require.Equal(t, []chunk.TSN{cum + 1<<31 + 1}, s.DupTSNs)
	require.Empty(t, s.GapBlocks)
	require.Equal(t, association.StateEstablished, p.Z.State())
	require.Len(t, messagesOf(p.DeliveredZ), 1)
}

// A SACK acknowledging a TSN that was never sent aborts the association
// with a Protocol Violation cause (RFC 9260 Section 12.4: "An SCTP
// implementation MUST abort the association if it receives a SACK chunk
// acknowledging a TSN that has not been sent"; RFC 5062 Section 5.3: it
// makes TSN guessing hard). The distances are serial: a Cumulative TSN Ack
// exactly 2^31 ahead of the point is not "less than" it, and was accepted
// as acknowledging nothing, after which every genuine SACK was dropped as
// stale. One 2^31-1 behind the point is stale (rule D i) and dropped.
func TestHostileTSNSACKAhead(t *testing.T) {
	for _, tc := range []struct {
		name        string
		outstanding int
		cum         uint32 // the Cumulative TSN Ack, above the point
		gap         []chunk.GapBlock
		abort       bool
		unack       int // chunks not cumulatively acknowledged after it
	}{
		{name: "half-the-space-ahead", cum: 1 << 31, abort: true},
		{name: "just-under-half-ahead", cum: 1<<31 - 1, abort: true},
		{name: "one-ahead", cum: 1, abort: true},
		{name: "one-ahead-of-the-last-sent", outstanding: 5, cum: 6, abort: true},
		{name: "the-last-sent", outstanding: 5, cum: 5},
		{name: "gap-block-beyond-the-last-sent", outstanding: 5, gap: []chunk.GapBlock{{Start: 2, End: 6}}, abort: true},
		{name: "gap-block-to-the-last-sent", outstanding: 5, gap: []chunk.GapBlock{{Start: 2, End: 5}}, unack: 5},
		{name: "stale-half-the-space-behind", cum: 1<<31 + 1},
		{name: "the-point", cum: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, point := hostilePair(t, 933, manyOutstanding)
			c := capturePackets(p) // sees what outstandingChunks drops
			if tc.outstanding > 0 {
				outstandingChunks(t, p, point, tc.outstanding)
			}
			hand(p, p.A, &chunk.SACK{CumTSNAck: point + chunk.TSN(tc.cum), ARwnd: 1 << 20, GapBlocks: tc.gap})
			if !tc.abort {
				require.Equal(t, association.StateEstablished, p.A.State())
				require.Equal(t, tc.unack, p.A.Status().UnackData)
				if tc.outstanding == 0 {
					// The genuine SACKs that follow are taken.
					sendAndDeliver(t, p, []byte("next"))
					p.Run(time.Second)
					require.Zero(t, p.A.Status().UnackData)
				}
				require.Empty(t, c.with(p.AddrA, chunk.TypeAbort))
				return
			}
			require.Equal(t, association.StateClosed, p.A.State())
			p.Run(time.Second)
			evA := eventsOf[*association.AssocChange](p.DeliveredA)
			require.Equal(t, association.CommLost, evA[len(evA)-1].State)
			require.Equal(t, chunk.CauseProtocolViolation, evA[len(evA)-1].Error)
			aborts := c.with(p.AddrA, chunk.TypeAbort)
			require.Len(t, aborts, 1)
			r, _ := aborts[0].chunk(chunk.TypeAbort)
			var ab chunk.Abort
			parseChunk(t, r, &ab)
			require.Len(t, ab.Causes, 1)
			require.Equal(t, chunk.CauseProtocolViolation, ab.Causes[0].CauseCode())
			if tc.outstanding == 0 {
				require.Equal(t, association.StateClosed, p.Z.State(), "Z got the ABORT")
			}
		})
	}
}

// A SHUTDOWN's Cumulative TSN Ack acknowledges data as a SACK's does (RFC
// 9260 Section 9.2), and one acknowledging a TSN never sent aborts the
// association as a SACK does (Section 12.4; Linux does the same), the
// distances serial: half the TSN space ahead aborts, half minus one behind
// is stale and ignored.
func TestHostileTSNShutdownAhead(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cum   uint32 // the Cumulative TSN Ack, above the point
		abort bool
	}{
		{name: "half-the-space-ahead", cum: 1 << 31, abort: true},
		{name: "one-ahead", cum: 1, abort: true},
		{name: "stale-half-the-space-behind", cum: 1<<31 + 1},
		{name: "the-point", cum: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, point := hostilePair(t, 934, manyOutstanding)
			c := capturePackets(p)
			hand(p, p.A, &chunk.Shutdown{CumTSNAck: point + chunk.TSN(tc.cum)})
			if !tc.abort {
				require.Equal(t, association.StateShutdownAckSent, p.A.State())
				require.Empty(t, c.with(p.AddrA, chunk.TypeAbort))
				return
			}
			require.Equal(t, association.StateClosed, p.A.State())
			p.Run(time.Second)
			evA := eventsOf[*association.AssocChange](p.DeliveredA)
			require.Equal(t, association.CommLost, evA[len(evA)-1].State)
			require.Equal(t, chunk.CauseProtocolViolation, evA[len(evA)-1].Error)
			require.Len(t, c.with(p.AddrA, chunk.TypeAbort), 1)
		})
	}
}
