package packetio_test

import (
	"testing"

	"github.com/gensctp/gensctp/packetio"
	"github.com/stretchr/testify/require"
)

// A pool keeps as many buffers as were out at once, beyond its bound: a
// second burst as large as the first takes the buffers the first gave
// back, without allocating (a fixed bound of 4 would have the second
// burst allocate 6 buffers again).
func TestPoolKeepsPeak(t *testing.T) {
	p := packetio.NewPool(1500, 4)
	burst := make([]packetio.Message, 10)
	p.Fill(burst)
	first := make(map[*byte]bool)
	for _, m := range burst {
		require.Len(t, m.Buf, 1500)
		first[&m.Buf[0]] = true
	}
	p.ReleaseBatch(burst)
	for _, m := range burst {
		require.Nil(t, m.Buf)
	}

	allocs := testing.AllocsPerRun(10, func() {
		p.Fill(burst)
		p.ReleaseBatch(burst)
	})
	require.Zero(t, allocs)
	p.Fill(burst)
	for _, m := range burst {
		require.True(t, first[&m.Buf[0]], "a buffer of the first burst")
	}
	p.ReleaseBatch(burst)
}

// Below the most out at once, the pool keeps no more than its bound plus
// what is out: buffers of another capacity, and those beyond, are left to
// the garbage collector; Get and Put count as Fill and ReleaseBatch do.
func TestPoolBound(t *testing.T) {
	p := packetio.NewPool(100, 2)
	a, b, c := p.Get(), p.Get(), p.Get()
	p.Put(a)
	p.Put(b)
	p.Put(c)
	p.Put(make([]byte, 50))  // another capacity: dropped
	p.Put(make([]byte, 100)) // beyond the most out at once (3): dropped
	p.Put(nil)               // nothing
	got := map[*byte]bool{}
	for range 3 {
		got[&p.Get()[0]] = true
	}
	require.Equal(t, map[*byte]bool{&a[0]: true, &b[0]: true, &c[0]: true}, got)
	require.Len(t, p.Get(), 100) // a new one
}
