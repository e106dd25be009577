package api

import (
	"errors"
	"testing"

	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// The counting of {active, N}, step by step, as the gen_sctp documentation states it
// (from inet_drv and gen_sctp_SUITE active_n).
func TestActiveCounting(t *testing.T) {
	type step struct {
		set     *ActiveSetting // nil: one delivery
		want    string         // value afterwards (getopts active)
		notify  bool           // a passive notice is due
		wantErr bool
	}
	set := func(v ActiveSetting) *ActiveSetting { return &v }
	cases := []struct {
		name  string
		steps []step
	}{
		{"N is added to the current count", []step{
			{set: set(ActiveCount(3)), want: "3"},
			{set: set(ActiveCount(2)), want: "5"},
			{set: set(ActiveCount(-1)), want: "4"},
		}},
		{"a sum out of int16 range is einval and changes nothing", []step{
			{set: set(ActiveCount(32767)), want: "32767"},
			{set: set(ActiveCount(1)), want: "32767", wantErr: true},
			{set: set(ActiveCount(-32768)), want: "false", notify: true},
		}},
		{"N itself out of range", []step{
			{set: set(ActiveCount(40000)), want: "false", wantErr: true},
			{set: set(ActiveCount(-40000)), want: "false", wantErr: true},
		}},
		{"a negative sum is clamped to 0: passive with a notice", []step{
			{set: set(ActiveCount(2)), want: "2"},
			{set: set(ActiveCount(-5)), want: "false", notify: true},
		}},
		{"{active, 0} on a passive socket sends the notice", []step{
			{set: set(ActiveCount(0)), want: "false", notify: true},
		}},
		{"every delivery counts; at 0 passive with a notice", []step{
			{set: set(ActiveCount(2)), want: "2"},
			{want: "1"},
			{want: "false", notify: true},
		}},
		{"switching from N to true, once or false sends no notice", []step{
			{set: set(ActiveCount(2)), want: "2"},
			{set: set(ActiveTrue), want: "true"},
			{want: "true"},
			{set: set(ActiveCount(1)), want: "1"}, // the count restarted from 0
			{set: set(ActiveOnce), want: "once"},
			{set: set(ActiveCount(1)), want: "1"},
			{set: set(ActiveFalse), want: "false"},
		}},
		{"once: one delivery, then passive without a notice", []step{
			{set: set(ActiveOnce), want: "once"},
			{want: "false"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var a activeState
			for i, s := range c.steps {
				var notify bool
				var err error
				if s.set != nil {
					notify, err = a.set(*s.set)
				} else {
					notify = a.delivered()
				}
				require.Equal(t, s.wantErr, err != nil, "step %d: %v", i, err)
				require.Equal(t, s.notify, notify, "step %d", i)
				require.Equal(t, s.want, a.value().String(), "step %d", i)
			}
		})
	}
}

// SetOpts with an out-of-range count fails with einval (gen_sctp
// setopts), and nothing changes.
func TestActiveSetOptsRange(t *testing.T) {
	noLeak(t)
	s := open(t)
	require.NoError(t, s.SetOpts(Active(ActiveCount(32767))))
	err := s.SetOpts(Active(ActiveCount(1)))
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, Einval, e.Reason)
	require.ErrorIs(t, err, ErrInvalidOption)
	require.Equal(t, "32767", s.activeValue(t))
}

// activeValue reads the active option (getopts).
func (s *Socket) activeValue(t *testing.T) string {
	t.Helper()
	var v string
	require.NoError(t, s.stk.Do(func(timer.Time) error { v = s.st.active.value().String(); return nil }))
	return v
}
