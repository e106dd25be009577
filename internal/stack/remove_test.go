package stack

import (
	"context"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// waitOutcome waits for the outcome of association id of ep: its first
// AssocChange other than comm_up when untilDown, else comm_up or the
// failure.
func waitOutcome(t *testing.T, ctx context.Context, s *Stack, ep *Endpoint, id endpoint.AssocID, untilDown bool) association.AssocChangeState {
	t.Helper()
	var st association.AssocChangeState
	require.NoError(t, s.Wait(ctx, func(timer.Time) bool {
		for {
			got, d, ok := ep.Poll()
			if !ok {
				return false
			}
			if ac, isAC := d.Event.(*association.AssocChange); isAC && got == id {
				if untilDown && ac.State == association.CommUp {
					continue
				}
				st = ac.State
				return true
			}
		}
	}))
	return st
}

// RemoveEndpoint sends what the endpoint still has to send (the ABORT of
// an aborted association reaches the peer), then its port is out of the
// blue: an INIT to it is answered with an ABORT (RFC 9260 Section 8.4
// rule 3: "If the packet contains an INIT chunk with a Verification Tag
// set to 0, process it as described in Section 5.1. If, for whatever
// reason, the INIT chunk cannot be processed normally and an ABORT chunk
// has to be sent in response, ...") and the port can be added again.
func TestRemoveEndpoint(t *testing.T) {
	srv, cli := newStack(t), newStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sep, err := srv.AddEndpoint(epConfig(7))
	require.NoError(t, err)
	require.NoError(t, srv.Do(func(timer.Time) error { sep.Listen(true); return nil }))
	cep, err := cli.AddEndpoint(epConfig(40000))
	require.NoError(t, err)
	connect := func() endpoint.AssocID {
		var id endpoint.AssocID
		require.NoError(t, cli.Do(func(now timer.Time) error {
			id, err = cep.Connect(now, srv.LocalAddrs(), 7, nil)
			return err
		}))
		return id
	}
	id := connect()
	require.Equal(t, association.CommUp, waitOutcome(t, ctx, cli, cep, id, false))

	require.NoError(t, srv.Do(func(now timer.Time) error { sep.Abort(now); return nil }))
	require.NoError(t, srv.RemoveEndpoint(sep))
	require.Equal(t, association.CommLost, waitOutcome(t, ctx, cli, cep, id, true), "the ABORT was sent")
	require.ErrorIs(t, srv.RemoveEndpoint(sep), ErrNoEndpoint)

	id = connect()
	require.Equal(t, association.CantAssoc, waitOutcome(t, ctx, cli, cep, id, false), "out of the blue")

	sep2, err := srv.AddEndpoint(epConfig(7))
	require.NoError(t, err, "the port is free again")
	require.NoError(t, srv.Do(func(timer.Time) error { sep2.Listen(true); return nil }))
	id = connect()
	require.Equal(t, association.CommUp, waitOutcome(t, ctx, cli, cep, id, false))

	require.NoError(t, srv.Close())
	require.ErrorIs(t, srv.RemoveEndpoint(sep2), ErrClosed)
}

// Endpoints removed in any order leave the others attached, each where
// the stack finds it (the last one takes the place of one removed, so
// that closing a socket among many costs no more than among few), and
// each shard's Mux without them.
func TestRemoveEndpointsAnyOrder(t *testing.T) {
	s := newStack(t)
	var eps []*Endpoint
	for port := uint16(1); port <= 5; port++ {
		e, err := s.AddEndpoint(epConfig(port))
		require.NoError(t, err)
		eps = append(eps, e)
	}
	for _, i := range []int{0, 3, 4} {
		require.NoError(t, s.RemoveEndpoint(eps[i]))
		require.ErrorIs(t, s.RemoveEndpoint(eps[i]), ErrNoEndpoint)
	}
	require.NoError(t, s.Do(func(timer.Time) error {
		require.ElementsMatch(t, []*Endpoint{eps[1], eps[2]}, s.eps)
		for i, e := range s.eps {
			require.Equal(t, i, e.idx)
		}
		for i := range s.shards {
			sh := s.shardLocked(i)
			for port := uint16(1); port <= 5; port++ {
				_, ok := sh.mux.Endpoint(port)
				require.Equal(t, port == 2 || port == 3, ok, "port %d on shard %d", port, i)
			}
		}
		return nil
	}))
	_, err := s.AddEndpoint(epConfig(1))
	require.NoError(t, err, "a removed port is free again")
}
