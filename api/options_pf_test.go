package api

import (
	"errors"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// pfOf reads sctp_potentially_failed.
func pfOf(t *testing.T, s *Socket) int {
	t.Helper()
	v, err := GetOpt[int](s, OptionQuery{Name: "sctp_potentially_failed"})
	require.NoError(t, err)
	return v
}

// sctp_potentially_failed (RFC 7829) is off by default (-1), switched on
// with a PFMR threshold (0, RFC 7829's recommended value, included) and
// off again with any negative value, through SetOpts and at Open; GetOpts
// reads it back among the other options.
func TestOptionPotentiallyFailedRoundTrip(t *testing.T) {
	noLeak(t)
	s := open(t)
	require.Equal(t, -1, pfOf(t, s), "off by default")
	for _, tc := range []struct{ set, want int }{
		{0, 0}, {2, 2}, {-1, -1}, {MaxPotentiallyFailed, MaxPotentiallyFailed}, {-7, -1}, {1, 1},
	} {
		require.NoError(t, s.SetOpts(SCTPPotentiallyFailed(tc.set)), "%d", tc.set)
		require.Equal(t, tc.want, pfOf(t, s), "set %d", tc.set)
	}
	vs, err := s.GetOpts(OptionQuery{Name: "sctp_nodelay"}, OptionQuery{Name: "sctp_potentially_failed"})
	require.NoError(t, err)
	require.Equal(t, []OptionValue{{Name: "sctp_nodelay", Value: false}, {Name: "sctp_potentially_failed", Value: 1}}, vs)
	require.Equal(t, "sctp_potentially_failed", SCTPPotentiallyFailed(0).Name())

	o := open(t, SCTPPotentiallyFailed(0))
	require.Equal(t, 0, pfOf(t, o), "given to Open")
}

// Invalid thresholds are refused (an *Error, reason einval, wrapping
// ErrInvalidOption) and change nothing, not even the valid options given
// with them.
func TestOptionPotentiallyFailedInvalid(t *testing.T) {
	noLeak(t)
	s := open(t)
	require.NoError(t, s.SetOpts(SCTPPotentiallyFailed(3)))
	for _, v := range []int{MaxPotentiallyFailed + 1, 1 << 40} {
		err := s.SetOpts(SCTPNodelay(true), SCTPPotentiallyFailed(v))
		require.ErrorIs(t, err, ErrInvalidOption, "%d", v)
		var e *Error
		require.True(t, errors.As(err, &e))
		require.Equal(t, Einval, e.Reason)
		require.Contains(t, err.Error(), "sctp_potentially_failed")
		require.Equal(t, 3, pfOf(t, s))
		nd, err := GetOpt[bool](s, OptionQuery{Name: "sctp_nodelay"})
		require.NoError(t, err)
		require.False(t, nd, "nothing applied")
	}
	_, err := Open(SCTPPotentiallyFailed(MaxPotentiallyFailed + 1))
	require.ErrorIs(t, err, ErrInvalidOption)
}

// The option reaches live associations and the ones set up later: the
// association configurations carry RFC 7829's switch and PFMR.
func TestOptionPotentiallyFailedLive(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv)
	id := connect(t, cli, srv).AssocID
	cfgOf := func() association.Config {
		var cfg association.Config
		require.NoError(t, cli.do(func(timer.Time) error {
			_, a, err := cli.assocLocked(id)
			if err == nil {
				cfg = a.Config()
			}
			return err
		}))
		return cfg
	}
	require.False(t, cfgOf().PotentiallyFailed)
	require.NoError(t, cli.SetOpts(SCTPPotentiallyFailed(2)))
	cfg := cfgOf()
	require.True(t, cfg.PotentiallyFailed)
	require.Equal(t, 2, cfg.PFMaxRetrans)
	var tmpl association.Config
	require.NoError(t, cli.do(func(timer.Time) error { tmpl = cli.st.assoc; return nil }))
	require.True(t, tmpl.PotentiallyFailed, "the template of later associations")
	require.Equal(t, 2, tmpl.PFMaxRetrans)
	require.NoError(t, cli.SetOpts(SCTPPotentiallyFailed(-1)))
	cfg = cfgOf()
	require.False(t, cfg.PotentiallyFailed)
	require.Equal(t, -1, pfOf(t, cli))
}
