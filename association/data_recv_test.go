package association

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The average user data of the DATA chunks arriving, which the window is
// computed for (notePayload): a full-size chunk's before any DATA, then the
// size of the chunks arriving once they are alike, within seven eighths of
// a change after 16 chunks, near their mean by count over a mix, at least
// one byte and at most a full-size chunk's, and a full-size chunk's again
// after a restart.
func TestPayloadEstimate(t *testing.T) {
	cfg := Config{}.WithDefaults()
	a := &Association{cfg: &cfg}
	full := cfg.MTU - 12 - 16 // common header, DATA chunk header
	feed := func(k int, sizes ...int) {
		for i := range k {
			a.notePayload(sizes[i%len(sizes)])
		}
	}
	require.Equal(t, full, a.payloadEstimate())
	feed(16, 100)
	require.Less(t, a.payloadEstimate(), 100+(full-100)/8)
	feed(100, 100)
	require.Equal(t, 100, a.payloadEstimate())
	// Alternating sizes: the average swings between (1200 + 7/8 100) / (15/8)
	// and (100 + 7/8 1200) / (15/8), about their mean.
	feed(200, 1200, 100)
	require.InDelta(t, 650, a.payloadEstimate(), 50)
	feed(200, 0)
	require.Equal(t, 1, a.payloadEstimate())
	feed(200, 1<<16)
	require.Equal(t, full, a.payloadEstimate(), "no larger than a full-size chunk")
	feed(100, 100)
	a.resetTransfer()
	require.Equal(t, full, a.payloadEstimate(), "a restart starts again")
}
