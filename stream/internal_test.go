package stream

import (
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

func TestBufPool(t *testing.T) {
	require.Equal(t, 0, classOf(0))
	require.Equal(t, 0, classOf(64))
	require.Equal(t, 1, classOf(65))
	require.Equal(t, 5, classOf(2048))
	require.Equal(t, numClasses-1, classOf(4<<20))
	require.Equal(t, -1, classOf(4<<20+1))

	p := bufPool{limit: 4096}
	b := p.get(1200)
	require.Equal(t, 2048, cap(b))
	require.Empty(t, b)
	p.put(b)
	require.Equal(t, 2048, p.retained)
	p.put(make([]byte, 0, 2048))
	require.Equal(t, 4096, p.retained)
	p.put(make([]byte, 0, 64))  // over the limit: dropped
	p.put(make([]byte, 0, 100)) // not a class size: dropped
	p.put(make([]byte, 0, 32))  // below the smallest class: dropped
	require.Equal(t, 4096, p.retained)
	require.Equal(t, 2048, cap(p.get(1025)))
	require.Equal(t, 2048, p.retained)
	p.limit = 0
	p.trim()
	require.Zero(t, p.retained)

	big := p.get(5 << 20)
	require.Equal(t, 5<<20, cap(big))
	p.limit = 64 << 20
	p.put(big)
	require.Zero(t, p.retained, "buffers above the largest class are not pooled")

	g := p.grow(append(p.get(10), "0123456789"...), 100)
	require.Equal(t, "0123456789", string(g))
	require.GreaterOrEqual(t, cap(g), 110)
	require.Same(t, &g[0], &p.grow(g, 1)[0], "no move when there is room")
}

func TestReassemblyPoolLimit(t *testing.T) {
	r := NewReassembly(1)
	require.NoError(t, r.Add(1, &chunk.Data{Flags: fl("BE"), UserData: make([]byte, 1000)}))
	m, ok := r.Pop()
	require.True(t, ok)
	r.Release(m.Data)
	require.Equal(t, 1024, r.pool.retained)
	r.SetPoolLimit(-1)
	require.Zero(t, r.pool.retained)
	r.Release(make([]byte, 0, 1024))
	require.Zero(t, r.pool.retained)
}

func TestRing(t *testing.T) {
	var r ring[int]
	_, ok := r.pop()
	require.False(t, ok)
	_, ok = r.front()
	require.False(t, ok)
	for i := range 6 {
		r.push(i)
	}
	for range 4 {
		r.pop()
	}
	for i := 6; i < 20; i++ { // wraps, then grows
		r.push(i)
	}
	require.Equal(t, 16, r.len())
	require.Equal(t, 12, r.filter(func(v int) bool { return v%4 == 0 }))
	var got []int
	for {
		v, ok := r.pop()
		if !ok {
			break
		}
		got = append(got, v)
	}
	require.Equal(t, []int{4, 8, 12, 16}, got)
	r.push(1)
	r.reset()
	require.Zero(t, r.len())
}

func TestTable(t *testing.T) {
	var tb table[int]
	require.Nil(t, tb.get(300))
	for _, id := range []chunk.StreamID{65534, 3, 300, 0} {
		v, created := tb.getOrCreate(id)
		require.True(t, created)
		*v = int(id)
	}
	v, created := tb.getOrCreate(300)
	require.False(t, created)
	require.Equal(t, 300, *v)
	var ids []chunk.StreamID
	tb.each(3, func(id chunk.StreamID, v *int) {
		require.Equal(t, int(id), *v)
		ids = append(ids, id)
	})
	require.Equal(t, []chunk.StreamID{3, 300, 65534}, ids)
	require.Equal(t, 4, tb.len())
	tb.remove(300)
	tb.remove(1000)
	tb.remove(300)
	require.Nil(t, tb.get(300))
	require.Equal(t, 3, tb.len())

	// A page whose last entry goes is freed and kept as the one spare,
	// which the next new page reuses.
	p := tb.pages[300>>8]
	require.Nil(t, p)
	require.NotNil(t, tb.spare)
	tb.remove(65534)
	require.Nil(t, tb.pages[65534>>8])
	spare := tb.spare
	tb.put(1000, new(int))
	require.Same(t, spare, tb.pages[1000>>8])
	require.Nil(t, tb.spare)
	require.Equal(t, 3, tb.len())
	require.NotNil(t, tb.get(3), "entries of other pages stay")
}

func TestSSNTable(t *testing.T) {
	var tb ssnTable
	require.Zero(t, tb.get(300))
	tb.set(300, 0)
	require.Empty(t, tb.pages, "storing 0 allocates nothing")
	tb.set(300, 7)
	tb.set(301, 0xffff)
	require.Equal(t, chunk.SSN(7), tb.get(300))
	require.Equal(t, chunk.SSN(0xffff), tb.get(301))
	require.Zero(t, tb.get(302))
	require.Zero(t, tb.get(3))
}
