package endpoint_test

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// hosts returns n client endpoints (SCTP port 5000) on hosts 10.0.1.x.
func hosts(t *testing.T, w *endpointtest.World, n int) ([]*endpoint.Endpoint, []netip.AddrPort) {
	t.Helper()
	var eps []*endpoint.Endpoint
	var addrs []netip.AddrPort
	for i := range n {
		c, err := endpoint.New(endpointtest.Config(uint64(1000+i), 5000), w.Now)
		require.NoError(t, err)
		a := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 1, byte(i + 1)}), 9899)
		w.Add(a, c)
		eps = append(eps, c)
		addrs = append(addrs, a)
	}
	return eps, addrs
}

// outcome returns the last AssocChange of the only association of ep.
func outcome(ds []endpointtest.Delivered) *association.AssocChange {
	var last *association.AssocChange
	for _, d := range ds {
		if ac, ok := d.Event.(*association.AssocChange); ok {
			last = ac
		}
	}
	return last
}

// MaxAssociations: beyond it, an INIT or COOKIE ECHO is answered with an
// ABORT with an "Out of Resource" cause. RFC 9260 Section 5.1: "If an
// endpoint receives an INIT, INIT ACK, or COOKIE ECHO chunk but decides not
// to establish the new association due to ... lack of local resources, it
// SHOULD respond with an ABORT chunk."
func TestMaxAssociations(t *testing.T) {
	w, err := endpointtest.New(4, link)
	require.NoError(t, err)
	cfg := endpointtest.Config(1, 7)
	cfg.MaxAssociations = 3
	s, err := endpoint.New(cfg, w.Now)
	require.NoError(t, err)
	s.Listen(true)
	w.Add(addrS, s)
	clients, _ := hosts(t, w, 6)
	// Five at once: all INITs get INIT ACKs (no state), the fourth and
	// fifth COOKIE ECHO are refused.
	for _, c := range clients[:5] {
		_, err := c.Connect(w.Now, []netip.AddrPort{addrS}, 7, nil)
		require.NoError(t, err)
	}
	got := make([][]endpointtest.Delivered, len(clients))
	drain := func() {
		for i, c := range clients {
			got[i] = append(got[i], endpointtest.Drain(c)...)
		}
		endpointtest.Drain(s)
	}
	count := func(st association.AssocChangeState) int {
		k := 0
		for i := range clients {
			if o := outcome(got[i]); o != nil && o.State == st {
				k++
			}
		}
		return k
	}
	require.True(t, w.RunUntil(time.Minute, func() bool {
		drain()
		return count(association.CommUp)+count(association.CantAssoc) == 5
	}))
	require.Equal(t, 3, count(association.CommUp))
	require.Equal(t, 3, s.Len())
	for i := range 5 {
		if o := outcome(got[i]); o.State == association.CantAssoc {
			require.Equal(t, chunk.CauseOutOfResource, o.Error)
		}
	}
	require.Equal(t, 2, w.Drops["too many associations"])

	// The sixth, later: its INIT is refused at once.
	_, err = clients[5].Connect(w.Now, []netip.AddrPort{addrS}, 7, nil)
	require.NoError(t, err)
	require.True(t, w.RunUntil(time.Minute, func() bool { drain(); return outcome(got[5]) != nil }))
	require.Equal(t, association.CantAssoc, outcome(got[5]).State)
	require.Equal(t, chunk.CauseOutOfResource, outcome(got[5]).Error)
	require.Equal(t, 1, w.Drops["too many associations (rule 3)"])

	// Connect beyond the limit fails locally.
	for range 3 {
		_, err = s.Connect(w.Now, []netip.AddrPort{netip.MustParseAddrPort("10.0.2.1:9899")}, 5000, nil)
	}
	require.ErrorIs(t, err, endpoint.ErrTooManyAssociations)
}

// A one-to-one listener keeps accepted associations in a backlog until
// Accept; a full backlog drops new COOKIE ECHOs, which the peers
// retransmit (RFC 9260 Section 5.1.6).
func TestOneToOneBacklog(t *testing.T) {
	w, err := endpointtest.New(5, link)
	require.NoError(t, err)
	cfg := endpointtest.Config(1, 7)
	cfg.Style, cfg.Backlog = endpoint.OneToOne, 2
	s, err := endpoint.New(cfg, w.Now)
	require.NoError(t, err)
	s.Listen(true)
	w.Add(addrS, s)
	clients, _ := hosts(t, w, 4)
	for _, c := range clients {
		_, err := c.Connect(w.Now, []netip.AddrPort{addrS}, 7, nil)
		require.NoError(t, err)
	}
	w.Run(500 * time.Millisecond)
	require.Equal(t, 2, s.Len())
	_, _, ok := s.Poll()
	require.False(t, ok, "nothing is reported before Accept")
	require.Equal(t, 2, w.Drops["backlog full"])

	up := 0
	var accepted []endpoint.AssocID
	for up < 4 {
		id, ok := s.Accept()
		if !ok {
			require.True(t, w.RunUntil(time.Minute, func() bool { return s.Len() > len(accepted) }),
				"accepted %d, held %d", len(accepted), s.Len())
			continue
		}
		accepted = append(accepted, id)
		ds := endpointtest.Drain(s)
		require.True(t, endpointtest.HasEvent(ds, id, association.CommUp))
		for _, d := range ds {
			require.Equal(t, id, d.ID, "only the accepted association reports")
		}
		up++
	}
	_, ok = s.Accept()
	require.False(t, ok)
	require.Equal(t, 4, s.Len())
}

// A non-listening endpoint refuses a COOKIE ECHO whose cookie it issued
// while listening with an ABORT for the peer's tag (RFC 9260 Section 5.1:
// "The Verification Tag field in the common header of the outbound SCTP
// packet containing the ABORT chunk MUST be set to the Initiate Tag value
// of the received INIT or INIT ACK chunk this ABORT chunk is responding
// to").
func TestCookieEchoAfterListenOff(t *testing.T) {
	st := newSetup(t, 6, nil)
	var echo []byte
	st.w.OnSend = func(from netip.AddrPort, out association.Outgoing) bool {
		if _, first := parsed(t, out.Data); first.Type == chunk.TypeCookieEcho {
			if echo == nil {
				echo = append([]byte(nil), out.Data...)
			}
			return false
		}
		return true
	}
	id, err := st.c.Connect(st.w.Now, []netip.AddrPort{addrS}, 7, nil)
	require.NoError(t, err)
	st.w.Run(100 * time.Millisecond)
	require.NotNil(t, echo)
	st.s.Listen(false)
	err = st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: addrC, To: addrS.Addr(), Data: echo})
	var de *endpoint.DropError
	require.True(t, errors.As(err, &de))
	require.Equal(t, endpoint.DropNotListening, de.Reason)
	out := outputs(st.w.Now, st.s)
	require.Len(t, out, 1)
	p, first := parsed(t, out[0].Data)
	require.Equal(t, chunk.TypeAbort, first.Type)
	require.False(t, chunk.TFlags(first.Flags).Reflected())
	a, _ := st.c.Assoc(id)
	local, _ := a.Tags()
	require.Equal(t, local, p.VerificationTag)
	require.Equal(t, 0, st.s.Len())
}

// Cookie secrets rotate from HandleTimeout every CookieKeyLifetime. RFC
// 9260 Section 5.1.5 step 1: "If ... the secret key to use is not
// available anymore, the packet containing the COOKIE ECHO chunk MUST be
// silently discarded." A cookie issued before one rotation still works;
// two rotations later it is rejected silently.
func TestCookieRotation(t *testing.T) {
	for _, rotations := range []int{0, 1, 2} {
		st := newSetup(t, 10, func(c, s *endpoint.Config) {
			s.CookieKeyLifetime = 10 * time.Second
			s.Assoc.CookieLife = time.Minute // not stale: only the key matters
		})
		require.Equal(t, timer.Time(10*time.Second), st.s.NextDeadline(), "the rotation is a deadline")
		var echo []byte
		st.w.OnSend = func(from netip.AddrPort, out association.Outgoing) bool {
			if _, first := parsed(t, out.Data); first.Type == chunk.TypeCookieEcho {
				if echo == nil {
					echo = append([]byte(nil), out.Data...)
				}
				return false
			}
			return true
		}
		_, err := st.c.Connect(st.w.Now, []netip.AddrPort{addrS}, 7, nil)
		require.NoError(t, err)
		st.w.Exchange()
		st.w.Now = st.w.Now.Add(20 * time.Millisecond)
		st.w.Exchange() // INIT arrives, INIT ACK sent
		st.w.Now = st.w.Now.Add(20 * time.Millisecond)
		st.w.Exchange() // COOKIE ECHO captured
		require.NotNil(t, echo)
		now := st.w.Now
		for r := range rotations {
			now = timer.Time((r + 1) * int(10*time.Second))
			require.LessOrEqual(t, st.s.NextDeadline(), now)
			st.s.HandleTimeout(now)
		}
		err = st.s.HandleDatagram(&association.Datagram{Now: now, From: addrC, To: addrS.Addr(), Data: echo})
		if rotations < 2 {
			require.NoError(t, err, "rotations %d", rotations)
			require.Equal(t, 1, st.s.Len())
			continue
		}
		var de *endpoint.DropError
		require.True(t, errors.As(err, &de))
		require.Equal(t, endpoint.DropCookie, de.Reason)
		require.Empty(t, outputs(now, st.s), "silently")
		require.Equal(t, 0, st.s.Len())
	}
}

// Closing a one-to-one listener aborts the associations of its backlog
// that Accept never took; the endpoint forgets them without reporting
// them.
func TestCloseDropsBacklog(t *testing.T) {
	w, err := endpointtest.New(17, link)
	require.NoError(t, err)
	cfg := endpointtest.Config(1, 7)
	cfg.Style = endpoint.OneToOne
	s, err := endpoint.New(cfg, w.Now)
	require.NoError(t, err)
	s.Listen(true)
	w.Add(addrS, s)
	clients, _ := hosts(t, w, 3)
	for _, c := range clients {
		_, err := c.Connect(w.Now, []netip.AddrPort{addrS}, 7, nil)
		require.NoError(t, err)
	}
	w.Run(time.Second)
	require.Equal(t, 3, s.Len())
	id, ok := s.Accept()
	require.True(t, ok)
	s.Close(w.Now)
	var got []endpointtest.Delivered
	require.True(t, w.RunUntil(10*time.Second, func() bool {
		got = append(got, endpointtest.Drain(s)...)
		return s.Len() == 0
	}))
	for _, d := range got {
		require.Equal(t, id, d.ID)
	}
	lost := 0
	for _, c := range clients {
		ds := endpointtest.Drain(c)
		if o := outcome(ds); o != nil && o.State == association.CommLost {
			lost++
		}
	}
	require.Equal(t, 2, lost, "the two never accepted were aborted")
}
