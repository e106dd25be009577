package stack

import (
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// The stack does not keep the scratch of a burst of changes (one
// endpoint reporting many associations at once) once it is handed on.
func TestDrainDropsBurstScratch(t *testing.T) {
	s := newStack(t)
	ep, err := s.AddEndpoint(epConfig(7))
	require.NoError(t, err)
	require.NoError(t, s.Watch(ep, func(timer.Time, []endpoint.Change) {}))
	require.NoError(t, s.Do(func(now timer.Time) error {
		s.wake.changes = make([]endpoint.Change, 0, 100*maxKeptChanges)                      // as after a burst
		_, err := ep.Connect(now, []netip.AddrPort{netip.AddrPortFrom(loopback, 9)}, 7, nil) // a change
		return err
	}))
	_ = s.Do(func(timer.Time) error {
		require.LessOrEqual(t, cap(s.wake.changes), maxKeptChanges)
		return nil
	})
}
