package timer

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSetEmpty(t *testing.T) {
	var s Set
	require.Equal(t, Never, s.Next())
	require.Nil(t, s.Due(Never))
	require.Zero(t, s.Len())
	s.Remove(&Timer{}) // not registered: no effect
	s.Add(nil)
	require.Zero(t, s.Len())
}

func TestSetNextAndDueOrdering(t *testing.T) {
	var t1, t3, hb, sack Timer
	t1.ID, t3.ID, hb.ID, sack.ID = T1Init, T3Rtx, Heartbeat, DelayedSACK
	var s Set
	for _, tm := range []*Timer{&t1, &t3, &hb, &sack} {
		s.Add(tm)
	}
	s.Add(&t3) // duplicate registration is ignored
	require.Equal(t, 4, s.Len())
	require.Equal(t, Never, s.Next(), "no timer running")

	t3.Start(0, 3*time.Second)
	hb.Start(0, 30*time.Second)
	sack.Start(0, 200*time.Millisecond)
	require.Equal(t, Time(200*time.Millisecond), s.Next())
	require.Nil(t, s.Due(Time(200*time.Millisecond)-1))
	require.Same(t, &sack, s.Due(Time(200*time.Millisecond)))
	require.Same(t, &sack, s.Due(Time(10*time.Second)), "earliest deadline first")

	sack.Stop()
	require.Equal(t, Time(3*time.Second), s.Next())
	require.Same(t, &t3, s.Due(Time(time.Minute)))
	s.Remove(&t3)
	require.Equal(t, Time(30*time.Second), s.Next(), "a removed timer no longer counts")
	require.True(t, t3.Running(), "Remove does not stop")
	require.Same(t, &hb, s.Due(Time(time.Minute)))
}

func TestSetTiesInRegistrationOrder(t *testing.T) {
	timers := make([]Timer, 5)
	var s Set
	for i := range timers {
		timers[i].ID = ID(i + 1)
		s.Add(&timers[i])
	}
	// Start in reverse order: registration order, not start order, decides.
	for i := len(timers) - 1; i >= 0; i-- {
		timers[i].Start(0, time.Second)
	}
	var order []ID
	now := Time(time.Second)
	for tm := s.Due(now); tm != nil; tm = s.Due(now) {
		fired, exhausted := tm.Expire(now)
		require.True(t, fired)
		require.True(t, exhausted, "MaxRestarts 0: one-shot")
		order = append(order, tm.ID)
	}
	require.Equal(t, []ID{1, 2, 3, 4, 5}, order)

	// Remove keeps the order of the rest.
	s.Remove(&timers[1])
	for i := range timers {
		timers[i].Start(0, time.Second)
	}
	order = order[:0]
	for tm := s.Due(now); tm != nil; tm = s.Due(now) {
		tm.Expire(now)
		order = append(order, tm.ID)
	}
	require.Equal(t, []ID{1, 3, 4, 5}, order)
}

func TestSetDrainTerminatesWithZeroBase(t *testing.T) {
	var a, b Timer
	a.MaxRestarts, b.MaxRestarts = -1, -1
	var s Set
	s.Add(&a)
	s.Add(&b)
	a.Start(10, 0)
	b.Start(10, 0)
	n := 0
	for tm := s.Due(10); tm != nil; tm = s.Due(10) {
		tm.Expire(10)
		n++
		require.Less(t, n, 10)
	}
	require.Equal(t, 2, n)
	require.Equal(t, Time(11), s.Next())
}

func newSet32() (*Set, []Timer) {
	timers := make([]Timer, 32)
	s := &Set{}
	for i := range timers {
		timers[i].MaxRestarts = -1
		s.Add(&timers[i])
		if i%3 != 0 {
			timers[i].Start(0, time.Duration(1+(i*7919)%32)*time.Millisecond)
		}
	}
	return s, timers
}

func TestSetAllocs(t *testing.T) {
	s, _ := newSet32()
	allocs := testing.AllocsPerRun(100, func() {
		now := s.Next()
		if tm := s.Due(now); tm != nil {
			tm.Expire(now)
		}
	})
	require.Zero(t, allocs)
}

func BenchmarkSetNext32(b *testing.B) {
	s, _ := newSet32()
	b.ReportAllocs()
	var next Time
	for b.Loop() {
		next = s.Next()
	}
	_ = next
}

func BenchmarkSetDueExpire32(b *testing.B) {
	s, _ := newSet32()
	b.ReportAllocs()
	for b.Loop() {
		now := s.Next()
		s.Due(now).Expire(now)
	}
}

// After Grow(n), n Adds allocate nothing; without, they reallocate as the
// Set grows.
func TestSetGrow(t *testing.T) {
	timers := make([]Timer, 6)
	fill := func(grow int) func() {
		return func() {
			var s Set
			s.Grow(grow)
			for i := range timers {
				s.Add(&timers[i])
			}
			if s.Len() != len(timers) {
				t.Fatal("a timer is missing")
			}
		}
	}
	grown, ungrown := testing.AllocsPerRun(10, fill(len(timers))), testing.AllocsPerRun(10, fill(0))
	require.Less(t, grown, ungrown, "Grow allocates the room once")
	if !raceEnabled { // the race detector adds allocations of its own
		require.Equal(t, 1.0, grown)
	}
}
