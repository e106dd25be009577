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

	p := NewBufPool(4096)
	b := p.Get(1200)
	require.Equal(t, 2048, cap(b))
	require.Empty(t, b)
	p.Put(b)
	require.Equal(t, 2048, p.Retained())
	p.Put(make([]byte, 0, 2048))
	require.Equal(t, 4096, p.Retained())
	p.Put(make([]byte, 0, 64))  // over the limit: dropped
	p.Put(make([]byte, 0, 100)) // not a class size: dropped
	p.Put(make([]byte, 0, 32))  // below the smallest class: dropped
	require.Equal(t, 4096, p.Retained())
	require.Equal(t, 2048, cap(p.Get(1025)))
	require.Equal(t, 2048, p.Retained())
	p.SetLimit(0)
	require.Zero(t, p.Retained())

	big := p.Get(5 << 20)
	require.Equal(t, 5<<20, cap(big))
	p.SetLimit(64 << 20)
	p.Put(big)
	require.Zero(t, p.Retained(), "buffers above the largest class are not pooled")

	g := p.Append(p.Copy([]byte("0123456789")), make([]byte, 100))
	require.Equal(t, "0123456789", string(g[:10]))
	require.Len(t, g, 110)
	require.Same(t, &g[0], &p.grow(g, 1)[0], "no move when there is room")

	p.Put(p.Get(100))
	p.Put(p.Get(3000))
	require.Equal(t, 64+128+4096, p.Retained(), "grow gave the 64-byte buffer back")
	p.Drain()
	require.Zero(t, p.Retained())
	require.Nil(t, p.free, "a drained pool keeps no free lists")
	require.Equal(t, 64<<20, p.Limit(), "the limit stays")
}

func TestReassemblyPoolLimit(t *testing.T) {
	r := NewReassembly(1)
	require.NoError(t, r.Add(1, &chunk.Data{Flags: fl("BE"), UserData: make([]byte, 1000)}))
	m, ok := r.Pop()
	require.True(t, ok)
	r.Release(m.Data)
	require.Equal(t, 1024, r.pool.Retained())
	r.SetPoolLimit(-1)
	require.Zero(t, r.pool.Retained())
	r.Release(make([]byte, 0, 1024))
	require.Zero(t, r.pool.Retained())
}

// A Reassembly given a pool takes its buffers from it and gives them back
// to it: two reassemblies sharing one pool reuse each other's buffers.
func TestReassemblySharedPool(t *testing.T) {
	p := NewBufPool(DefaultPoolLimit)
	r1, r2 := NewReassembly(1), NewReassembly(1)
	r1.SetPool(p)
	r2.SetPool(p)
	require.NoError(t, r1.Add(1, &chunk.Data{Flags: fl("BE"), UserData: make([]byte, 1000)}))
	m, ok := r1.Pop()
	require.True(t, ok)
	r1.Release(m.Data)
	require.Equal(t, 1024, p.Retained())
	require.NoError(t, r2.Add(1, &chunk.Data{Flags: fl("BE"), UserData: make([]byte, 900)}))
	require.Zero(t, p.Retained(), "r2 took r1's buffer")
	m2, ok := r2.Pop()
	require.True(t, ok)
	require.Same(t, &m.Data[:1][0], &m2.Data[:1][0])
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
	tb.clear(300)
	require.Empty(t, tb.pages, "clearing allocates nothing")
	require.False(t, tb.stale(300, 0xffff), "nothing is stale on a stream never set")
	tb.set(300, 7)
	tb.set(301, 0xffff)
	require.Equal(t, chunk.SSN(7), tb.get(300))
	require.Equal(t, chunk.SSN(0xffff), tb.get(301))
	require.Zero(t, tb.get(302))
	require.Zero(t, tb.get(3))

	// A next SSN of 0 that was set (the sequence wrapped) makes the SSNs
	// before it stale, until the stream is cleared (reset).
	tb.set(301, 0)
	require.True(t, tb.stale(301, 0xffff))
	require.False(t, tb.stale(301, 0))
	require.False(t, tb.stale(302, 0xffff))
	require.True(t, tb.stale(300, 6))
	tb.clear(301)
	require.False(t, tb.stale(301, 0xffff))
	require.Equal(t, chunk.SSN(7), tb.get(300))
}
