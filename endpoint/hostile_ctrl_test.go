package endpoint_test

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// heapInUse returns the bytes of live heap objects after a collection
// (two: what sync.Pools hold survives one).
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// A HEARTBEAT whose Heartbeat Info does not fit the path MTU cannot be
// answered within it (RFC 9260 Section 6.10: "The total size of the
// resultant SCTP packet MUST be less that or equal to the current PMTU"),
// so it goes unanswered, as a lost HEARTBEAT would (Section 8.3). 10,000
// of them, each in its own datagram and the output drained after each as
// a stack does, leave the heap within 4 MiB of where it was (before: each
// left an unsendable 2 KB HEARTBEAT ACK in the control queue, 20 MB in
// all) and draw no reply.
func TestHostileCtrlHeartbeatFloodHeap(t *testing.T) {
	st := newSetup(t, 401, nil)
	_, sid := st.connect(t)
	sa, ok := st.s.Assoc(sid)
	require.True(t, ok)
	sTag, _ := sa.Tags()
	pkt := build(5000, 7, sTag, &chunk.Heartbeat{Info: bytes.Repeat([]byte{7}, 2000)})
	now := st.w.Now
	before := heapInUse()
	replies := 0
	for range 10000 {
		_ = st.s.HandleDatagram(&association.Datagram{Now: now, From: addrC, To: addrS.Addr(), Data: pkt})
		replies += len(outputs(now, st.s))
	}
	grown := int64(heapInUse()) - int64(before)
	runtime.KeepAlive(st) // the endpoints hold what is measured
	require.Less(t, grown, int64(4<<20), "heap growth in bytes")
	require.Zero(t, replies)
}
