package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// A message of the timed policy whose lifetime ends after its first
// fragments were sent and before the rest had TSNs (the peer's window
// closed): the message is abandoned with one more TSN for a last
// fragment never sent, so that its TSNs still run from a B to an E
// fragment (RFC 9260 Section 6.9). The FORWARD TSN skips that TSN too, and
// the next message starts after it. Before, the next message took the TSN
// right after the B fragment, which usrsctp took for part of the
// abandoned message: it lost later messages it had acknowledged.
func TestPRSCTPAbandonMidMessageEndsRun(t *testing.T) {
	r := newPRRun(t, 1440, lossy(0), func(_, z *association.Config) { z.ReceiveBuffer = 4000 })
	r.p.HoldZ = true
	timed := association.SendInfo{PRPolicy: association.PRTimed, PRValue: 300}
	require.NoError(t, r.send(timed, 20000))
	r.p.Run(time.Second)
	require.Equal(t, uint64(1), r.p.A.PRStatus().Abandoned[association.PRTimed].Sent)
	r.p.ReleaseZ()
	require.NoError(t, r.send(association.SendInfo{}, 300))
	r.settle(time.Minute)
	require.Equal(t, 1, r.check())
	require.Contains(t, r.delivered, uint32(1), "the next message")

	// A's DATA on the wire: the first message's fragments (B, then middle
	// ones, never an E), then the next message whole.
	var first []chunk.Data
	var next *chunk.Data
	for _, sp := range r.c.with(r.p.AddrA, chunk.TypeData) {
		it := sp.pkt.Chunks()
		for raw, ok := it.Next(); ok; raw, ok = it.Next() {
			if raw.Type != chunk.TypeData {
				continue
			}
			var d chunk.Data
			parseChunk(t, raw, &d)
			switch {
			case d.PPID == 0:
				first = append(first, d)
			case next == nil:
				next = &d
			}
		}
	}
	require.NotEmpty(t, first)
	require.NotNil(t, next)
	last := first[0].TSN
	for _, d := range first {
		require.False(t, d.Flags.Has(chunk.FlagEnd), "TSN %v: the first message's E fragment was sent", d.TSN)
		last = max(last, d.TSN)
	}
	fs, _ := r.forwards()
	require.NotEmpty(t, fs)
	require.Equal(t, last+1, fs[len(fs)-1].NewCumTSN, "the FORWARD TSN skips the TSN of the E fragment never sent")
	require.Equal(t, last+2, next.TSN, "the next message starts after the abandoned message's last TSN")
}
