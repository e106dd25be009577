package endpoint_test

import (
	"runtime"
	"testing"

	"github.com/gensctp/gensctp/endpoint"
	"github.com/stretchr/testify/require"
)

// 2,000 associations set up and closed (half aborted by their peer, half
// shut down by the server) leave nothing behind: once their last events
// are polled they are out of every table, their tags stay reserved for
// TagReuseDelay (RFC 9260 Section 5.3.1) and no longer, and the live heap
// is back within 64 bytes per association of where it was before the
// first INIT: what stays does not depend on how many associations there
// were (some 40 KB of buffers for the endpoint's own replies). The tables
// and queues, grown to 2,000 entries, shrink (before they did, some 290
// bytes per association stayed).
func TestClosedAssociationsLeaveNothing(t *testing.T) {
	const n = 2000
	c := newCrowd(t, n, nil)
	before := heapInUse()
	for k := 0; k < n; k += endpoint.MaxPendingReplies / 2 {
		c.connect(t, k, min(k+endpoint.MaxPendingReplies/2, n))
	}
	require.Len(t, c.ids, n)
	require.Empty(t, outputs(c.now, c.s))
	require.Equal(t, endpoint.TableSizes{IDs: n, ByTag: n, ByPeer: n, Deadlines: n}, c.s.Tables())

	c.closeAll(t)
	require.Empty(t, c.ids)
	require.Empty(t, outputs(c.now, c.s))
	require.Equal(t, endpoint.TableSizes{Reserved: n}, c.s.Tables(), "only the reserved tags are left")
	c.now = c.now.Add(endpoint.DefaultTagReuseDelay - 1)
	c.s.HandleTimeout(c.now)
	require.Equal(t, n, c.s.Tables().Reserved, "reserved for TagReuseDelay")
	c.now++
	c.s.HandleTimeout(c.now)
	require.Equal(t, endpoint.TableSizes{}, c.s.Tables())

	left := int64(heapInUse()) - int64(before)
	runtime.KeepAlive(c)
	require.Less(t, left, int64(64*n), "heap left: %d bytes", left)
}
