package endpoint

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// heapModel applies byte-coded operations to a deadlineHeap and to a
// trivial model (a slice scanned linearly) and compares them after each.
func heapModel(t *testing.T, ops []byte) {
	const n = 16
	var q deadlineHeap
	ents := make([]*entry, n)
	model := make([]timer.Time, n) // Never: absent
	for i := range ents {
		ents[i] = &entry{id: AssocID(i + 1), heapIdx: -1, deadline: timer.Never}
		model[i] = timer.Never
	}
	for len(ops) >= 2 {
		op, arg := ops[0], ops[1]
		ops = ops[2:]
		i := int(op>>1) % n
		switch op & 1 {
		case 0: // set entry i to deadline arg (255: Never)
			d := timer.Time(arg)
			if arg == 255 {
				d = timer.Never
			}
			q.set(ents[i], d)
			model[i] = d
		case 1: // pop everything due at arg
			now := timer.Time(arg)
			var got []int
			for en := q.popDue(now); en != nil; en = q.popDue(now) {
				got = append(got, int(en.id-1))
			}
			var want []int
			for {
				best := -1
				for j, d := range model {
					if d <= now && (best < 0 || d < model[best]) {
						best = j
					}
				}
				if best < 0 {
					break
				}
				want = append(want, best)
				model[best] = timer.Never
			}
			require.Equal(t, want, got, "due at %d", now)
		}
		next := timer.Never
		for _, d := range model {
			next = timer.Min(next, d)
		}
		require.Equal(t, next, q.next())
		for j, en := range ents {
			require.Equal(t, model[j] != timer.Never, en.heapIdx >= 0, "entry %d", j)
			if en.heapIdx >= 0 {
				require.Same(t, en, q.h[en.heapIdx])
			}
		}
	}
}

// The deadline heap against a linear model, over random operations.
func TestDeadlineHeapModel(t *testing.T) {
	const seed = 1
	for k := range 200 {
		s := seed + uint64(k)
		r := rand.New(rand.NewPCG(s, 1))
		ops := make([]byte, 2*r.IntN(200))
		for i := range ops {
			ops[i] = byte(r.UintN(256))
		}
		t.Run("", func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Logf("seed %d", s)
				}
			}()
			heapModel(t, ops)
		})
	}
}

// FuzzDeadlineHeap is the model test with fuzzer-chosen operations.
func FuzzDeadlineHeap(f *testing.F) {
	f.Add([]byte{0, 10, 2, 5, 4, 5, 1, 7, 6, 255, 1, 255})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 4096 {
			return // long inputs add little and make minimizing slow
		}
		heapModel(t, ops)
	})
}

// A closed association's local tag stays reserved for TagReuseDelay
// (RFC 9260 Section 5.3.1), then becomes free.
func TestTagReservation(t *testing.T) {
	e, err := New(Config{Port: 7, Assoc: assocCfg(), TagReuseDelay: time.Second}, 0)
	require.NoError(t, err)
	en := &entry{id: 1, heapIdx: -1}
	e.retag(en, 42)
	require.False(t, e.tagFree(42))
	e.unroute(en)
	require.False(t, e.tagFree(42), "reserved")
	e.tick(timer.Time(time.Second) - 1)
	require.False(t, e.tagFree(42))
	e.tick(timer.Time(time.Second))
	require.True(t, e.tagFree(42))
	require.Empty(t, e.reserved)
}
