package endpoint_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/stretchr/testify/require"
)

// changedOf returns what TakeChanged reports for id in cs (0: not there),
// checking that no association is reported twice.
func changedOf(t *testing.T, cs []endpoint.Change, id endpoint.AssocID) endpoint.Readiness {
	t.Helper()
	var what endpoint.Readiness
	seen := map[endpoint.AssocID]bool{}
	for _, c := range cs {
		require.False(t, seen[c.ID], "association %d reported twice", c.ID)
		seen[c.ID] = true
		if c.ID == id {
			what = c.What
		}
	}
	return what
}

// A message on one association of a server with many idle ones reports
// that association only, as Readable; polling it is no change.
func TestTakeChangedOnlyWhatChanged(t *testing.T) {
	w, s, clients, sids, _ := serverWith(t, 21, 8, nil)
	s.TakeChanged(nil)
	endpointtest.Drain(s)
	require.Empty(t, s.TakeChanged(nil), "polling is no change")

	send(t, w.Now, clients[3], clients[3].Associations()[0], "hello")
	w.Touch()
	w.Run(100 * time.Millisecond)
	cs := s.TakeChanged(nil)
	require.Len(t, cs, 1, "the idle associations are not reported")
	require.Equal(t, endpoint.Change{ID: sids[3], What: endpoint.Readable}, cs[0])
	require.Equal(t, []string{"hello"}, messages(endpointtest.Drain(s), sids[3]))
	require.Empty(t, s.TakeChanged(nil))
}

// A Send that found the buffer full is worth retrying once queued data
// went out: the sender's association is reported Writable, and queueing
// data is no change.
func TestTakeChangedWritable(t *testing.T) {
	st := newSetup(t, 22, func(c, _ *endpoint.Config) { c.Assoc.SendBuffer = 4000 })
	cid, _ := st.connect(t)
	st.c.TakeChanged(nil)
	a, ok := st.c.Assoc(cid)
	require.True(t, ok)
	msg := make([]byte, 1000)
	blocked := false
	for range 10 {
		if err := a.Send(st.w.Now, association.SendInfo{}, msg); err == association.ErrWouldBlock {
			blocked = true
			break
		}
	}
	require.True(t, blocked, "the send buffer fills")
	require.Empty(t, st.c.TakeChanged(nil), "queueing is no change")
	st.w.Touch()
	st.w.Exchange()
	require.Equal(t, endpoint.Writable, changedOf(t, st.c.TakeChanged(nil), cid)&endpoint.Writable)
}

// An abort reports the state change and the comm_lost to poll on both
// sides; once the last delivery is polled the association is reported
// Removed.
func TestTakeChangedClosedRemoved(t *testing.T) {
	st := newSetup(t, 23, nil)
	cid, sid := st.connect(t)
	st.poll()
	st.c.TakeChanged(nil)
	st.s.TakeChanged(nil)
	a, ok := st.c.Assoc(cid)
	require.True(t, ok)
	a.Abort(st.w.Now, nil)
	st.w.Touch()
	st.w.Run(100 * time.Millisecond)
	want := endpoint.Readable | endpoint.StateChanged
	require.Equal(t, want, changedOf(t, st.c.TakeChanged(nil), cid))
	require.Equal(t, want, changedOf(t, st.s.TakeChanged(nil), sid))
	st.poll()
	require.True(t, endpointtest.HasEvent(st.ds, sid, association.CommLost))
	require.Equal(t, 0, st.s.Len())
	require.Equal(t, endpoint.Removed, changedOf(t, st.s.TakeChanged(nil), sid))
}

// A one-to-one listener reports an association entering its backlog (for
// Accept), though it delivers nothing before Accept.
func TestTakeChangedBacklogged(t *testing.T) {
	st := newSetup(t, 24, func(_, s *endpoint.Config) { s.Style = endpoint.OneToOne })
	st.s.TakeChanged(nil)
	_, err := st.c.Connect(st.w.Now, []netip.AddrPort{addrS}, 7, nil)
	require.NoError(t, err)
	require.True(t, st.w.RunUntil(time.Minute, func() bool { return st.s.Len() == 1 }))
	cs := st.s.TakeChanged(nil)
	require.Len(t, cs, 1)
	require.Equal(t, endpoint.Backlogged, cs[0].What&endpoint.Backlogged)
	_, _, ok := st.s.Poll()
	require.False(t, ok, "nothing to poll before Accept")
	id, ok := st.s.Accept()
	require.True(t, ok)
	require.Equal(t, cs[0].ID, id)
}

// An endpoint records changes only once TakeChanged was called: one whose
// user never calls it keeps nothing, however many associations come and
// go.
func TestTakeChangedOptIn(t *testing.T) {
	st := newSetup(t, 25, nil)
	cid, _ := st.connect(t)
	a, ok := st.c.Assoc(cid)
	require.True(t, ok)
	a.Abort(st.w.Now, nil)
	st.w.Touch()
	require.True(t, st.w.RunUntil(time.Minute, func() bool { st.poll(); return st.s.Len() == 0 }))
	require.Empty(t, st.s.TakeChanged(nil), "nothing recorded before the first call")
}

// SetNotify: the endpoint calls its function once when it records a
// change with none left to report, and again only after TakeChanged took
// them; an endpoint that nothing changed never calls it.
func TestSetNotify(t *testing.T) {
	st := newSetup(t, 26, nil)
	cid, _ := st.connect(t)
	st.poll()
	var nc, ns int
	st.c.SetNotify(func() { nc++ })
	st.s.SetNotify(func() { ns++ })
	for range 3 {
		send(t, st.w.Now, st.c, cid, "x")
		st.w.Touch()
		st.w.Run(100 * time.Millisecond)
	}
	require.Equal(t, 1, ns, "three messages, one notice until taken")
	require.Len(t, st.s.TakeChanged(nil), 1)
	st.poll()
	require.Empty(t, st.s.TakeChanged(nil))
	send(t, st.w.Now, st.c, cid, "y")
	st.w.Touch()
	st.w.Run(100 * time.Millisecond)
	require.Equal(t, 2, ns, "notified again after TakeChanged")
	require.Equal(t, 1, nc, "the sender: its queued data went out, never taken")
	require.Equal(t, []endpoint.Change{{ID: cid, What: endpoint.Writable}}, st.c.TakeChanged(nil))
}
