package endpoint_test

import (
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// An idle association keeps one timer running, its heartbeat (RFC 9260
// Section 8.3: "On an idle destination address that is allowed to
// heartbeat, it is RECOMMENDED that a HEARTBEAT chunk is sent once per RTO
// of that destination address plus the protocol parameter 'HB.interval',
// with jittering of +/- 50% of the RTO value"): one entry in the deadline
// heap, due after HB.interval, which HandleTimeout runs and moves one
// interval on in O(log n), and nothing earlier (no delayed SACK, T3-rtx or
// T1 left running by the handshake). With heartbeats off it keeps none,
// and the endpoint's next deadline is its cookie secret rotation.
func TestIdleAssociationTimers(t *testing.T) {
	const n = 100
	interval := association.DefaultHeartbeatInterval
	for _, off := range []bool{false, true} {
		c := newCrowd(t, n, func(cfg *endpoint.Config) { cfg.Assoc.HeartbeatDisabled = off })
		c.connect(t, 0, n)
		require.Zero(t, c.answer(t))
		first := timer.Never
		for id := range c.ids {
			a, ok := c.s.Assoc(id)
			require.True(t, ok)
			d := a.NextDeadline()
			if off {
				require.Equal(t, timer.Never, d)
				continue
			}
			require.GreaterOrEqual(t, d, c.now.Add(interval))
			require.Less(t, d, c.now.Add(2*interval))
			first = timer.Min(first, d)
		}
		rotation := c.s.Cookies().NextRotation()
		if off {
			require.Zero(t, c.s.Tables().Deadlines)
			require.Equal(t, rotation, c.s.NextDeadline())
			continue
		}
		require.Equal(t, n, c.s.Tables().Deadlines)
		require.Equal(t, first, c.s.NextDeadline())
		c.s.HandleTimeout(first - 1)
		require.Zero(t, c.answer(t), "nothing is due before the first heartbeat")
		c.now = c.now.Add(2 * interval)
		c.s.HandleTimeout(c.now)
		require.Equal(t, n, c.answer(t), "one HEARTBEAT each")
		require.Equal(t, n, c.s.Tables().Deadlines)
		require.GreaterOrEqual(t, c.s.NextDeadline(), c.now.Add(interval))
	}
}
