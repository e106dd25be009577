package timer

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// modelTimer is a trivial shadow of Timer, written independently.
type modelTimer struct {
	running     bool
	deadline    Time
	base        time.Duration
	expirations int
	tokenValid  bool // whether the last Token taken is still valid
}

const numModelTimers = 4

// modelDuration computes base * 2^n with 128-bit multiplication, capped.
func modelDuration(base time.Duration, exponential bool, n int, maxBackoff time.Duration) time.Duration {
	d := uint64(base)
	if exponential && n > 0 && d > 0 {
		if n >= 63 {
			d = math.MaxInt64
		} else {
			hi, lo := bits.Mul64(d, 1<<uint(n))
			if hi != 0 || lo > math.MaxInt64 {
				d = math.MaxInt64
			} else {
				d = lo
			}
		}
	}
	if maxBackoff > 0 && d > uint64(maxBackoff) {
		d = uint64(maxBackoff)
	}
	return time.Duration(d)
}

// runTimerModel applies the operations encoded in ops to a Set of Timers
// and to the model, comparing after every step.
func runTimerModel(t *testing.T, ops []byte) {
	var (
		s      Set
		timers [numModelTimers]Timer
		models [numModelTimers]modelTimer
		tokens [numModelTimers]Token
		now    Time
	)
	for i := range timers {
		timers[i].ID = ID(i + 1)
		timers[i].Backoff = Backoff(i % 2)
		timers[i].MaxBackoff = time.Duration(i/2) * 50 * time.Millisecond
		timers[i].MaxRestarts = i - 1 // -1 (unlimited), 0, 1, 2
		s.Add(&timers[i])
	}
	for len(ops) >= 2 {
		op, arg := ops[0], ops[1]
		ops = ops[2:]
		i := int(arg) % numModelTimers
		tm, m := &timers[i], &models[i]
		switch op % 6 {
		case 0: // Start
			base := time.Duration(arg) * time.Millisecond
			tm.Start(now, base)
			*m = modelTimer{running: true, deadline: now + Time(base), base: base}
		case 1: // Stop
			tm.Stop()
			m.running, m.tokenValid = false, false
		case 2: // SetBase
			d := time.Duration(arg/4) * time.Millisecond
			tm.SetBase(d)
			m.base = d
		case 3: // advance time
			now += Time(arg) * Time(time.Millisecond)
		case 4: // take a token
			tokens[i] = tm.Token()
			m.tokenValid = m.running
		case 5: // drain what is due, checking order against a sorted model
			drainAndCompare(t, &s, &timers, &models, now)
		}
		for j := range timers {
			compareTimer(t, &timers[j], &models[j], tokens[j])
		}
		require.Equal(t, modelNext(&models), s.Next())
	}
}

func drainAndCompare(t *testing.T, s *Set, timers *[numModelTimers]Timer, models *[numModelTimers]modelTimer, now Time) {
	for step := 0; ; step++ {
		require.Less(t, step, 10000, "drain must terminate")
		// Model: stable sort by deadline, registration order breaks ties.
		idx := []int{0, 1, 2, 3}
		slices.SortStableFunc(idx, func(a, b int) int {
			return cmpTime(models[a].deadline, models[b].deadline)
		})
		want := -1
		for _, j := range idx {
			if models[j].running && models[j].deadline <= now {
				want = j
				break
			}
		}
		got := s.Due(now)
		if want < 0 {
			require.Nil(t, got)
			return
		}
		require.Same(t, &timers[want], got)
		fired, exhausted := got.Expire(now)
		require.True(t, fired)
		m := &models[want]
		m.expirations++
		m.tokenValid = false
		tm := &timers[want]
		if tm.MaxRestarts >= 0 && m.expirations > tm.MaxRestarts {
			require.True(t, exhausted)
			m.running = false
			continue
		}
		require.False(t, exhausted)
		d := modelDuration(m.base, tm.Backoff == BackoffExponential, m.expirations, tm.MaxBackoff)
		m.deadline = now.Add(max(d, 1))
	}
}

func cmpTime(a, b Time) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareTimer(t *testing.T, tm *Timer, m *modelTimer, tok Token) {
	require.Equal(t, m.running, tm.Running())
	if m.running {
		require.Equal(t, m.deadline, tm.Deadline())
	} else {
		require.Equal(t, Never, tm.Deadline())
	}
	require.Equal(t, m.base, tm.Base())
	require.Equal(t, m.expirations, tm.Expirations())
	require.Equal(t, m.tokenValid, tm.Valid(tok))
}

func modelNext(models *[numModelTimers]modelTimer) Time {
	next := Never
	for _, m := range models {
		if m.running {
			next = min(next, m.deadline)
		}
	}
	return next
}

func TestTimerModelRandom(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	for range 200 {
		ops := make([]byte, 2*r.IntN(200))
		for i := range ops {
			ops[i] = byte(r.UintN(256))
		}
		runTimerModel(t, ops)
		if t.Failed() {
			t.Fatalf("seed %d", seed)
		}
	}
}

func FuzzTimerModel(f *testing.F) {
	f.Add([]byte{0, 10, 0, 21, 3, 30, 5, 0, 3, 255, 5, 0, 5, 0})
	f.Add([]byte{0, 4, 4, 4, 2, 8, 3, 200, 5, 1, 4, 4, 1, 4})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 4096 {
			return // long inputs add little and make minimizing slow
		}
		runTimerModel(t, ops)
	})
}
