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

// Fail, when the packet transport is gone, ends every association with
// the error and sends nothing: the peer's association stays up (it will
// find out by its own timers). The endpoint stops listening and refuses
// Connect.
func TestFailAll(t *testing.T) {
	st := newSetup(t, 16, nil)
	cid, sid := st.connect(t)
	gone := errors.New("transport gone")
	st.s.Fail(st.w.Now, gone)
	require.False(t, st.s.Listening())
	require.True(t, st.w.RunUntil(time.Second, func() bool {
		st.poll()
		return st.s.Len() == 0
	}))
	var lost *association.AssocChange
	for _, d := range st.ds {
		if ac, ok := d.Event.(*association.AssocChange); ok && d.ID == sid && ac.State == association.CommLost {
			lost = ac
		}
	}
	require.NotNil(t, lost)
	require.ErrorIs(t, lost.Err, gone)
	a, ok := st.c.Assoc(cid)
	require.True(t, ok)
	require.Equal(t, association.StateEstablished, a.State(), "no ABORT was sent")
	require.False(t, endpointtest.HasEvent(st.dc, cid, association.CommLost))
	_, err := st.s.Connect(st.w.Now, []netip.AddrPort{addrC}, 5000, nil)
	require.ErrorIs(t, err, endpoint.ErrClosed)
}
