package endpoint_test

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/stretchr/testify/require"
)

func TestHandshakeDataShutdown(t *testing.T) {
	st := newSetup(t, 1, nil)
	cid, sid := st.connect(t)
	send(t, st.w.Now, st.c, cid, "hello")
	require.True(t, st.w.RunUntil(time.Second, func() bool {
		st.poll()
		return len(messages(st.ds, sid)) == 1
	}))
	require.Equal(t, []string{"hello"}, messages(st.ds, sid))
	send(t, st.w.Now, st.s, sid, "world")
	require.True(t, st.w.RunUntil(time.Second, func() bool {
		st.poll()
		return len(messages(st.dc, cid)) == 1
	}))

	// Close: graceful shutdown of everything; both sides forget the
	// association after its last event was polled.
	st.c.Close(st.w.Now)
	require.True(t, st.w.RunUntil(10*time.Second, func() bool {
		st.poll()
		return st.c.Len() == 0 && st.s.Len() == 0
	}), "client %d server %d drops %v", st.c.Len(), st.s.Len(), st.w.Drops)
	require.True(t, hasState(st.dc, association.ShutdownComp))
	require.True(t, hasState(st.ds, association.ShutdownComp))
	_, ok := st.c.Assoc(cid)
	require.False(t, ok)
	require.Equal(t, 0, len(st.w.Drops), "drops %v", st.w.Drops)
}

func hasState(ds []endpointtest.Delivered, s association.AssocChangeState) bool {
	for _, d := range ds {
		if ac, ok := d.Event.(*association.AssocChange); ok && ac.State == s {
			return true
		}
	}
	return false
}

// A peer restart (RFC 9260 Section 5.2.4 action A) gives the server's
// association a new local tag: the endpoint routes by the new tag and no
// longer by the old one.
func TestPeerRestartRetags(t *testing.T) {
	st := newSetup(t, 13, nil)
	_, sid := st.connect(t)
	a, _ := st.s.Assoc(sid)
	oldTag, _ := a.Tags()

	// The client host restarts: a new endpoint at the same address.
	c2, err := endpoint.New(endpointtest.Config(99, 5000), st.w.Now)
	require.NoError(t, err)
	st.w.Add(addrC, c2)
	cid2, err := c2.Connect(st.w.Now, []netip.AddrPort{addrS}, 7, nil)
	require.NoError(t, err)
	var d2 []endpointtest.Delivered
	require.True(t, st.w.RunUntil(10*time.Second, func() bool {
		st.poll()
		d2 = append(d2, endpointtest.Drain(c2)...)
		return endpointtest.HasEvent(d2, cid2, association.CommUp)
	}), "drops %v", st.w.Drops)
	require.True(t, endpointtest.HasEvent(st.ds, sid, association.Restart))
	newTag, _ := a.Tags()
	require.NotEqual(t, oldTag, newTag)
	require.Equal(t, 1, st.s.Len())

	send(t, st.w.Now, c2, cid2, "after restart")
	require.True(t, st.w.RunUntil(time.Second, func() bool {
		st.poll()
		return len(messages(st.ds, sid)) == 1
	}))
	// A packet with the old tag is not the association's any more.
	err = st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: addrC, To: addrS.Addr(), Data: build(5000, 7, oldTag, dataChunk())})
	var de *endpoint.DropError
	require.True(t, errors.As(err, &de))
	require.Equal(t, endpoint.DropTag, de.Reason)
}

// Abort aborts every association; after the events are polled the
// endpoint holds none, and Connect fails.
func TestAbortAll(t *testing.T) {
	st := newSetup(t, 14, nil)
	cid, sid := st.connect(t)
	st.s.Abort(st.w.Now)
	require.False(t, st.s.Listening())
	require.True(t, st.w.RunUntil(time.Second, func() bool {
		st.poll()
		return st.c.Len() == 0 && st.s.Len() == 0
	}))
	require.True(t, endpointtest.HasEvent(st.dc, cid, association.CommLost))
	require.True(t, endpointtest.HasEvent(st.ds, sid, association.CommLost))
	_, err := st.s.Connect(st.w.Now, []netip.AddrPort{addrC}, 5000, nil)
	require.ErrorIs(t, err, endpoint.ErrClosed)
}

// Connect refuses a second association to the same peer transport address
// and bad arguments.
func TestConnectErrors(t *testing.T) {
	st := newSetup(t, 15, nil)
	st.connect(t)
	_, err := st.c.Connect(st.w.Now, []netip.AddrPort{addrS}, 7, nil)
	require.ErrorIs(t, err, endpoint.ErrAssociationExists)
	_, err = st.c.Connect(st.w.Now, nil, 7, nil)
	require.ErrorIs(t, err, endpoint.ErrNoPeer)
	_, err = st.c.Connect(st.w.Now, []netip.AddrPort{addrS}, 0, nil)
	require.ErrorIs(t, err, endpoint.ErrNoPeer)
	// Another port of the same host is another peer.
	_, err = st.c.Connect(st.w.Now, []netip.AddrPort{addrS}, 8, nil)
	require.NoError(t, err)

	_, err = endpoint.New(endpoint.Config{Port: 1}, 0)
	require.ErrorIs(t, err, endpoint.ErrInvalidConfig)
	_, err = endpoint.New(endpointtest.Config(1, 0), 0)
	require.ErrorIs(t, err, endpoint.ErrInvalidConfig)
}

// SetAssocConfig changes the associations created later, accepted or
// connected, and refuses an invalid configuration.
func TestSetAssocConfig(t *testing.T) {
	st := newSetup(t, 16, nil)
	cfg := st.s.Config().Assoc
	cfg.OutboundStreams = 3
	require.NoError(t, st.s.SetAssocConfig(cfg))
	cfg.SACKDelay = time.Hour
	require.ErrorIs(t, st.s.SetAssocConfig(cfg), association.ErrInvalidConfig)
	_, sid := st.connect(t)
	a, _ := st.s.Assoc(sid)
	out, _ := a.Streams()
	require.Equal(t, uint16(3), out)
	require.Equal(t, uint16(3), st.s.Config().Assoc.OutboundStreams)
}
