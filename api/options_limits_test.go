package api

import (
	"errors"
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// endpointConfig returns the configuration of the endpoint of s.
func endpointConfig(t *testing.T, s *Socket) endpoint.Config {
	t.Helper()
	var cfg endpoint.Config
	require.NoError(t, s.do(func(timer.Time) error { cfg = s.share.ep.Config(); return nil }))
	return cfg
}

// A socket opened without options bounds its associations
// (DefaultMaxAssociations) and the INITs of each source (the endpoint's
// default rate): before, the endpoint had no limit, and one host made a
// socket hold 20,541 associations in 3.4 s. The options reach the
// endpoint, at Open and with SetOpts.
func TestMaxAssociationsDefault(t *testing.T) {
	noLeak(t)
	s := open(t)
	cfg := endpointConfig(t, s)
	require.Equal(t, DefaultMaxAssociations, cfg.MaxAssociations)
	require.Equal(t, endpoint.DefaultInitRate, cfg.InitRate)
	require.Equal(t, endpoint.DefaultInitBurst, cfg.InitBurst)

	s = open(t, MaxAssociations(7), InitRate(3, 4))
	cfg = endpointConfig(t, s)
	require.Equal(t, 7, cfg.MaxAssociations)
	require.Equal(t, [2]int{3, 4}, [2]int{cfg.InitRate, cfg.InitBurst})
	require.NoError(t, s.SetOpts(MaxAssociations(0), InitRate(0, 0)))
	cfg = endpointConfig(t, s)
	require.Zero(t, cfg.MaxAssociations, "no limit")
	require.Negative(t, cfg.InitRate, "no limit")
}

// At MaxAssociations a peer's connect fails at once with cant_assoc and
// the "Out of Resource" cause (RFC 9260 Section 5.1: "If an endpoint
// receives an INIT, INIT ACK, or COOKIE ECHO chunk but decides not to
// establish the new association due to ... lack of local resources, it
// SHOULD respond with an ABORT chunk"); the socket's own Connect fails
// with ErrTooManyAssociations (reason enobufs); a larger limit set later
// makes room.
func TestMaxAssociationsRefuses(t *testing.T) {
	noLeak(t)
	srv := server(t, MaxAssociations(1))
	connect(t, clientOf(t, srv), srv)
	_, err := clientOf(t, srv).Connect(testCtx(t), lo, srv.Port())
	var ee *EventError
	require.True(t, errors.As(err, &ee), "%v", err)
	ac := ee.Event.(*AssocChange)
	require.Equal(t, CantAssoc, ac.State)
	require.Equal(t, CauseCode(chunk.CauseOutOfResource), ac.Error)

	_, err = srv.Connect(testCtx(t), lo, clientOf(t, srv).Port())
	require.ErrorIs(t, err, ErrTooManyAssociations)
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, Enobufs, e.Reason)

	require.NoError(t, srv.SetOpts(MaxAssociations(2)))
	connect(t, clientOf(t, srv), srv)
}
