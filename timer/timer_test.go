package timer

import (
	"math"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// expireAll advances a running timer from deadline to deadline, recording the
// duration chosen for each automatic restart, until it is exhausted or n
// expiries have happened.
func expireAll(t *testing.T, tm *Timer, n int) (durations []time.Duration, fires int, exhausted bool) {
	t.Helper()
	for range n {
		now := tm.Deadline()
		require.NotEqual(t, Never, now)
		fired, ex := tm.Expire(now)
		require.True(t, fired)
		fires++
		if ex {
			return durations, fires, true
		}
		durations = append(durations, tm.Deadline().Sub(now))
	}
	return durations, fires, false
}

// TestBackoffDoublingCappedAtRTOMax pins RFC 9260 Section 6.3.3 rule E2
// (https://www.rfc-editor.org/rfc/rfc9260#section-6.3.3): "For the
// destination address for which the timer expires, set RTO = RTO * 2 ("back
// off the timer"). The maximum value discussed in rule C7 above ('RTO.Max')
// MAY be used to provide an upper bound to this doubling operation."
func TestBackoffDoublingCappedAtRTOMax(t *testing.T) {
	tm := Timer{ID: T3Rtx, Backoff: BackoffExponential, MaxBackoff: 60 * time.Second, MaxRestarts: -1}
	tm.Start(0, time.Second)
	require.Equal(t, Time(time.Second), tm.Deadline())
	got, fires, exhausted := expireAll(t, &tm, 9)
	require.False(t, exhausted)
	require.Equal(t, 9, fires)
	s := time.Second
	require.Equal(t, []time.Duration{2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 60 * s, 60 * s, 60 * s, 60 * s}, got)
	require.Equal(t, 9, tm.Expirations())
	require.Equal(t, time.Second, tm.Base(), "the base is not changed by backoff")

	// A new Start resets the backoff.
	tm.Start(tm.Deadline(), time.Second)
	got, _, _ = expireAll(t, &tm, 2)
	require.Equal(t, []time.Duration{2 * s, 4 * s}, got)
}

func TestBackoffFixed(t *testing.T) {
	tm := Timer{ID: Heartbeat, MaxRestarts: -1}
	tm.Start(100, 30*time.Second)
	got, _, exhausted := expireAll(t, &tm, 3)
	require.False(t, exhausted)
	require.Equal(t, []time.Duration{30 * time.Second, 30 * time.Second, 30 * time.Second}, got)
}

func TestDurationSaturates(t *testing.T) {
	tm := Timer{Backoff: BackoffExponential}
	tm.SetBase(time.Second)
	require.Equal(t, time.Duration(math.MaxInt64), tm.Duration(1000), "no overflow without a cap")
	require.Equal(t, time.Duration(math.MaxInt64), tm.Duration(math.MaxInt))
	require.Equal(t, time.Second, tm.Duration(0))
	require.Equal(t, time.Second, tm.Duration(-3))
	tm.MaxBackoff = time.Minute
	require.Equal(t, time.Minute, tm.Duration(1000))
	require.Equal(t, time.Minute, tm.Duration(6))
	require.Equal(t, 32*time.Second, tm.Duration(5))

	// A saturated restart deadline saturates at Never but stays running.
	tm.MaxBackoff = 0
	tm.MaxRestarts = -1
	tm.Start(0, time.Duration(math.MaxInt64/2+1))
	fired, _ := tm.Expire(tm.Deadline())
	require.True(t, fired)
	require.True(t, tm.Running())
	require.Equal(t, Never, tm.Deadline())
}

// TestMaxInitRetransmits pins RFC 9260 Section 4, note 2
// (https://www.rfc-editor.org/rfc/rfc9260#section-4): "If the T1-init timer
// expires, the endpoint MUST retransmit the INIT chunk and restart the
// T1-init timer. [...] This MUST be repeated up to 'Max.Init.Retransmits'
// times. After that, the endpoint MUST abort the initialization process and
// report the error to the SCTP user." With Max.Init.Retransmits = 8 (RFC 9260
// Section 16) the timer expires 9 times: 8 expiries each retransmit and
// restart, the 9th is exhausted (1 INIT + 8 retransmissions in total).
func TestMaxInitRetransmits(t *testing.T) {
	const maxInitRetransmits = 8
	tm := Timer{ID: T1Init, Backoff: BackoffExponential, MaxBackoff: 60 * time.Second, MaxRestarts: maxInitRetransmits}
	tm.Start(0, time.Second)
	restarts, fires, exhausted := expireAll(t, &tm, 100)
	require.True(t, exhausted)
	require.Equal(t, 9, fires)
	require.Len(t, restarts, 8)
	require.False(t, tm.Running())
	require.Equal(t, Never, tm.Deadline())
	require.Equal(t, 9, tm.Expirations())
	fired, ex := tm.Expire(Never - 1)
	require.False(t, fired, "an exhausted timer does not fire again")
	require.False(t, ex)
}

func TestMaxRestartsTable(t *testing.T) {
	for _, tc := range []struct {
		name        string
		maxRestarts int
		fires       int
		exhausted   bool
	}{
		{"zero value is one-shot", 0, 1, true},
		{"one restart", 1, 2, true},
		{"Path.Max.Retrans 5", 5, 6, true},
		{"unlimited", -1, 50, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm := Timer{MaxRestarts: tc.maxRestarts}
			tm.Start(0, time.Millisecond)
			_, fires, exhausted := expireAll(t, &tm, 50)
			require.Equal(t, tc.fires, fires)
			require.Equal(t, tc.exhausted, exhausted)
			require.Equal(t, !tc.exhausted, tm.Running())
		})
	}
}

func TestExpireNotDue(t *testing.T) {
	var tm Timer
	fired, exhausted := tm.Expire(Never)
	require.False(t, fired, "a zero Timer is stopped")
	require.False(t, exhausted)

	tm = Timer{ID: DelayedSACK, MaxRestarts: -1}
	tm.Start(1000, 200*time.Millisecond)
	before := tm
	for _, now := range []Time{0, 1000, tm.Deadline() - 1} {
		fired, exhausted = tm.Expire(now)
		require.False(t, fired)
		require.False(t, exhausted)
		require.Equal(t, before, tm, "nothing changes at %v", now)
	}
	fired, _ = tm.Expire(tm.Deadline() + 5)
	require.True(t, fired, "an expiry that is late still fires")
	require.Equal(t, Time(1000+200*time.Millisecond+5+200*time.Millisecond), tm.Deadline(),
		"a restart counts from now, not from the old deadline")
}

func TestZeroDurationRestartMovesForward(t *testing.T) {
	tm := Timer{MaxRestarts: -1}
	tm.Start(7, -time.Second)
	require.Equal(t, Time(7), tm.Deadline(), "a negative base is zero")
	require.Equal(t, time.Duration(0), tm.Base())
	fired, _ := tm.Expire(7)
	require.True(t, fired)
	require.Equal(t, Time(8), tm.Deadline())
	fired, _ = tm.Expire(7)
	require.False(t, fired)
}

func TestGenerationsAndTokens(t *testing.T) {
	tm := Timer{ID: T3Rtx, Backoff: BackoffExponential, MaxRestarts: -1}
	require.False(t, tm.Valid(tm.Token()), "a stopped timer has no valid token")
	g0 := tm.Generation()

	tm.Start(0, time.Second)
	tok := tm.Token()
	require.Equal(t, Token{ID: T3Rtx, Generation: g0 + 1, Deadline: Time(time.Second)}, tok)
	require.True(t, tm.Valid(tok))

	fired, _ := tm.Expire(Time(time.Second))
	require.True(t, fired)
	require.Equal(t, g0+2, tm.Generation(), "an automatic restart is a new generation")
	require.False(t, tm.Valid(tok), "the wake-up for the old deadline is stale")
	tok = tm.Token()
	require.True(t, tm.Valid(tok))

	tm.Stop()
	require.Equal(t, g0+3, tm.Generation())
	require.False(t, tm.Valid(tok))
	require.Equal(t, Never, tm.Token().Deadline)

	tm.Start(0, time.Second)
	restarted := tm.Token()
	tm.Start(0, time.Second)
	require.False(t, tm.Valid(restarted), "a restart with the same deadline is still a new generation")
	require.True(t, tm.Valid(tm.Token()))
	other := tm.Token()
	other.ID = T1Init
	require.False(t, tm.Valid(other))
}

func TestSetBaseAppliesAtNextRestart(t *testing.T) {
	tm := Timer{ID: Heartbeat, MaxRestarts: -1}
	tm.Start(0, time.Second)
	tm.SetBase(3 * time.Second)
	require.Equal(t, Time(time.Second), tm.Deadline(), "the current deadline is kept")
	require.Equal(t, 3*time.Second, tm.Base())
	fired, _ := tm.Expire(Time(time.Second))
	require.True(t, fired)
	require.Equal(t, Time(4*time.Second), tm.Deadline())
	tm.SetBase(-1)
	require.Equal(t, time.Duration(0), tm.Base())
}

func TestStrings(t *testing.T) {
	require.Equal(t, "T1-init", T1Init.String())
	require.Equal(t, "T3-rtx", T3Rtx.String())
	require.Equal(t, "T5-shutdown-guard", T5ShutdownGuard.String())
	require.Equal(t, "PMTU-raise", PMTURaise.String())
	require.Equal(t, "unnamed", Unnamed.String())
	require.Equal(t, "ID(200)", ID(200).String())
	for id := Unnamed; id <= PMTURaise; id++ {
		require.NotEmpty(t, id.String())
		require.NotContains(t, id.String(), "ID(")
	}
	require.Equal(t, "fixed", BackoffFixed.String())
	require.Equal(t, "exponential", BackoffExponential.String())
	require.Equal(t, "Backoff(9)", Backoff(9).String())
}

func TestTimerAllocs(t *testing.T) {
	tm := Timer{Backoff: BackoffExponential, MaxBackoff: time.Minute, MaxRestarts: -1}
	allocs := testing.AllocsPerRun(100, func() {
		tm.Start(0, time.Second)
		for i := 0; i < 10; i++ {
			tm.Expire(tm.Deadline())
		}
		_ = tm.Valid(tm.Token())
		tm.Stop()
	})
	require.Zero(t, allocs)
}

// A Timer takes 48 bytes: an association holds four and two per path.
func TestTimerSize(t *testing.T) {
	require.Equal(t, uintptr(48), unsafe.Sizeof(Timer{}))
}
