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

// pollAll drains association id with PollAssoc, checking that PeekAssoc
// shows each delivery before PollAssoc takes it, and none after the last.
func pollAll(t *testing.T, ep *endpoint.Endpoint, id endpoint.AssocID) []association.Delivery {
	t.Helper()
	var out []association.Delivery
	for {
		p, pok := ep.PeekAssoc(id)
		again, _ := ep.PeekAssoc(id)
		require.Equal(t, p, again, "a peek takes nothing")
		d, ok := ep.PollAssoc(id)
		require.Equal(t, ok, pok)
		if !ok {
			return out
		}
		require.Equal(t, d, p)
		out = append(out, d)
	}
}

// A detached association's deliveries come only from PollAssoc, in order;
// Poll keeps serving the others; the detached association is forgotten
// once closed and its last delivery (the final AssocChange) was read.
func TestDetachPollAssoc(t *testing.T) {
	w, err := endpointtest.New(11, link)
	require.NoError(t, err)
	s, err := endpoint.New(endpointtest.Config(1, 7), w.Now)
	require.NoError(t, err)
	s.Listen(true)
	w.Add(addrS, s)
	clients, _ := hosts(t, w, 2)
	cids := make([]endpoint.AssocID, 2)
	for i, c := range clients {
		cids[i], err = c.Connect(w.Now, []netip.AddrPort{addrS}, 7, nil)
		require.NoError(t, err)
	}
	require.True(t, w.RunUntil(time.Minute, func() bool { return s.Len() == 2 }))
	w.Run(time.Second)
	ids := s.Associations()
	require.Len(t, ids, 2)
	// Which server association belongs to clients[0] is not fixed: send
	// on both and detach the one that carried "zero".
	for i, c := range clients {
		a, ok := c.Assoc(cids[i])
		require.True(t, ok)
		require.NoError(t, a.Send(w.Now, association.SendInfo{}, []byte{byte('0' + i)}))
	}
	w.Touch()
	w.Run(time.Second)
	require.False(t, s.Detach(99), "unknown association")
	det := ids[0]
	require.True(t, s.Detach(det))
	var rest []endpointtest.Delivered
	rest = append(rest, endpointtest.Drain(s)...)
	for _, d := range rest {
		require.NotEqual(t, det, d.ID, "Poll never reports a detached association")
	}
	got := pollAll(t, s, det)
	require.NotEmpty(t, got)
	require.Equal(t, association.CommUp, got[0].Event.(*association.AssocChange).State, "order kept")
	last := got[len(got)-1]
	require.Nil(t, last.Event)
	require.Len(t, last.Message.Data, 1)

	// The peer ends it: the final AssocChange arrives through PollAssoc,
	// then the endpoint forgets the association.
	for i, c := range clients {
		a, _ := c.Assoc(cids[i])
		require.NoError(t, a.Shutdown(w.Now))
	}
	w.Touch()
	var detGot []association.Delivery
	require.True(t, w.RunUntil(time.Minute, func() bool {
		detGot = append(detGot, pollAll(t, s, det)...)
		rest = append(rest, endpointtest.Drain(s)...)
		_, held := s.Assoc(det)
		return !held && s.Len() == 0
	}), "held %d", s.Len())
	require.Equal(t, association.ShutdownComp, detGot[len(detGot)-1].Event.(*association.AssocChange).State)
	for _, d := range rest {
		require.NotEqual(t, det, d.ID)
	}
	_, ok := s.PollAssoc(det)
	require.False(t, ok, "forgotten")
	_, ok = s.PeekAssoc(det)
	require.False(t, ok, "forgotten")
}

// SetBacklog changes a one-to-one listener's backlog: a larger one admits
// the associations whose COOKIE ECHO was dropped, at their retransmission
// (RFC 9260 Section 5.1.6); a backlog association cannot be detached or
// polled before Accept.
func TestSetBacklog(t *testing.T) {
	w, err := endpointtest.New(12, link)
	require.NoError(t, err)
	cfg := endpointtest.Config(1, 7)
	cfg.Style, cfg.Backlog = endpoint.OneToOne, 1
	s, err := endpoint.New(cfg, w.Now)
	require.NoError(t, err)
	s.Listen(true)
	w.Add(addrS, s)
	clients, _ := hosts(t, w, 3)
	for _, c := range clients {
		_, err := c.Connect(w.Now, []netip.AddrPort{addrS}, 7, nil)
		require.NoError(t, err)
	}
	w.Run(500 * time.Millisecond)
	require.Equal(t, 1, s.Len())
	id := s.Associations()[0]
	require.False(t, s.Detach(id), "in the backlog")
	_, ok := s.PollAssoc(id)
	require.False(t, ok, "in the backlog")

	require.ErrorIs(t, s.SetBacklog(-1), endpoint.ErrInvalidConfig)
	require.NoError(t, s.SetBacklog(3))
	require.Equal(t, 3, s.Config().Backlog)
	require.True(t, w.RunUntil(time.Minute, func() bool { return s.Len() == 3 }))
	require.NoError(t, s.SetBacklog(0))
	require.Equal(t, endpoint.DefaultBacklog, s.Config().Backlog)
}
