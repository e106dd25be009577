package timer

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTimeArithmetic(t *testing.T) {
	var t0 Time = 1000
	require.Equal(t, Time(1000+int64(time.Second)), t0.Add(time.Second))
	require.Equal(t, time.Second, t0.Add(time.Second).Sub(t0))
	require.Equal(t, -time.Second, t0.Sub(t0.Add(time.Second)))
	require.True(t, t0.Before(t0+1))
	require.True(t, (t0 + 1).After(t0))
	require.Equal(t, t0, Min(t0, Never))
	require.Equal(t, Never, Never.Add(time.Hour), "saturates")
	require.Equal(t, Time(math.MinInt64), Time(math.MinInt64+1).Add(-time.Hour))
	require.Equal(t, time.Duration(math.MaxInt64), Never.Sub(-10))
	require.Equal(t, time.Duration(math.MinInt64), Time(-10).Sub(Never))
	require.Equal(t, "never", Never.String())
	require.Equal(t, "1.5s", Time(1500*time.Millisecond).String())
}
