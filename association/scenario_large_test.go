package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/stretchr/testify/require"
)

// RFC 9260 Section 6.9: "If its peer is able to reassemble ... the
// receiver ... MUST reassemble" the fragments of a message; RFC 6458
// Section 8.1.21 (SCTP_PARTIAL_DELIVERY_POINT) lets the receiver hand a
// message larger than its receive buffer to the user in pieces, so that a
// message larger than a_rwnd can be delivered at all. The pieces of one
// message come in order, EndOfRecord false until the last.
// https://www.rfc-editor.org/rfc/rfc9260#section-6.9
func TestScenarioLargeMessagesPartialDelivery(t *testing.T) {
	for i, unordered := range []bool{false, true} {
		name := "ordered"
		if unordered {
			name = "unordered"
		}
		t.Run(name, func(t *testing.T) {
			seed := uint64(140 + i)
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgZ.ReceiveBuffer = 256 << 10
			link := sim.LinkConfig{Delay: 10 * time.Millisecond, Loss: 0.01}
			logSeedOnFailure(t, seed)
			p, err := associationtest.NewPair(seed, cfgA, cfgZ, link)
			require.NoError(t, err)
			require.NoError(t, p.Handshake(), "seed %d", seed)
			sizes := []int{1 << 20, 3<<19 + 12345}
			msgs := make([][]byte, len(sizes))
			for j, n := range sizes {
				msgs[j] = numbered(j+1, n)
				for k := range msgs[j] {
					msgs[j][k] ^= byte(k >> 10) // not periodic: misplaced pieces show
				}
			}
			info := association.SendInfo{Stream: 3, PPID: 42, Unordered: unordered}
			next := 0
			var got [][]byte
			var pieces []int
			var cur []byte
			n := 0
			p.OnDeliver = func(toZ bool, d association.Delivery) {
				if !toZ || d.Event != nil {
					return
				}
				m := d.Message
				require.Equal(t, info.Stream, m.Stream)
				require.Equal(t, info.PPID, m.PPID)
				require.Equal(t, unordered, m.Unordered)
				cur = append(cur, m.Data...)
				n++
				if m.EndOfRecord {
					got, pieces = append(got, cur), append(pieces, n)
					cur, n = nil, 0
				}
			}
			require.True(t, p.RunUntil(10*time.Minute, func() bool {
				if next < len(msgs) && p.A.Buffered() == 0 {
					require.NoError(t, p.A.Send(p.Now, info, msgs[next]))
					next++
				}
				return len(got) == len(msgs)
			}), "seed %d: %d/%d messages", seed, len(got), len(msgs))
			for j := range msgs {
				require.Equal(t, len(msgs[j]), len(got[j]), "seed %d: message %d length", seed, j)
				require.True(t, string(msgs[j]) == string(got[j]), "seed %d: message %d corrupted", seed, j)
				// At least size / receive buffer pieces.
				require.GreaterOrEqual(t, pieces[j], sizes[j]/cfgZ.ReceiveBuffer, "seed %d: message %d", seed, j)
			}
			require.LessOrEqual(t, p.Z.Status().PendData, cfgZ.ReceiveBuffer)
			require.Equal(t, uint64(len(msgs)), p.Z.Stats().ReceivedMessages)
		})
	}
}
