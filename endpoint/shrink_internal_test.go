package endpoint

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// A fifo driven at random against a slice keeps the slice's order and
// never holds a buffer of more than max(minShrink, 8 × its length) once
// it has shrunk: after a burst it gives the memory back.
func TestFifoShrinks(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	var q fifo[int]
	var model []int
	next := 0
	for round := range 20 {
		burst := rnd.IntN(5000)
		for range burst {
			q.push(next)
			model = append(model, next)
			next++
		}
		drain := rnd.IntN(len(model) + 1)
		if round%4 == 3 {
			drain = len(model)
		}
		for range drain {
			v, ok := q.pop()
			require.True(t, ok)
			require.Equal(t, model[0], v)
			model = model[1:]
		}
		require.Equal(t, len(model), q.len())
		require.LessOrEqual(t, len(q.buf), max(minShrink, 8*q.len()), "round %d", round)
	}
}

// deleteShrink moves a map emptied to a quarter of its peak to a new one,
// without losing an entry, and an emptied map to a new empty one.
func TestDeleteShrink(t *testing.T) {
	m := map[int]int{}
	peak := 0
	for i := range 10000 {
		m[i] = -i
	}
	old := m
	for i := range 7500 {
		deleteShrink(&m, &peak, i)
		require.Equal(t, i < 7499, sameMap(m, old), "a new map at a quarter of the peak, %d", i)
	}
	require.Len(t, m, 2500)
	for i := 7500; i < 10000; i++ {
		require.Equal(t, -i, m[i])
	}
	for i := 7500; i < 10000; i++ {
		deleteShrink(&m, &peak, i)
	}
	require.Empty(t, m)
	require.Zero(t, peak)
}

// sameMap reports whether a and b are the same map.
func sameMap(a, b map[int]int) bool {
	a[-1] = 1
	_, same := b[-1]
	delete(a, -1)
	return same
}

// shrunk halves the capacity of a slice using a quarter of it, from
// minShrink up, and keeps its elements.
func TestShrunk(t *testing.T) {
	s := make([]int, 300, 1024)
	for i := range s {
		s[i] = i
	}
	require.Equal(t, 1024, cap(shrunk(s)))
	s = s[:256]
	got := shrunk(s)
	require.Equal(t, 512, cap(got))
	require.Equal(t, s, got)
	require.Equal(t, 200, cap(shrunk(make([]int, 0, 200))), "below minShrink")
}

// TakeChanged gives back the list of a burst of changes: its capacity
// halves with each call, down to minShrink.
func TestTakeChangedShrinks(t *testing.T) {
	e := &Endpoint{changed: make([]*entry, 0, 4096)}
	for range 5 {
		e.TakeChanged(nil)
	}
	require.LessOrEqual(t, cap(e.changed), minShrink)
}
