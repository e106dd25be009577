package sim

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A Fuzz reads its input in order and zeros past its end.
func TestFuzzReads(t *testing.T) {
	f := NewFuzz([]byte{7, 1, 2, 3, 4, 5, 6, 7, 8, 255, 3, 0x01, 0x2c, 255})
	require.Equal(t, byte(7), f.Byte())
	require.Equal(t, uint64(0x0102030405060708), f.Uint64())
	require.Equal(t, 255%10, f.Intn(10))
	require.True(t, f.Bool())
	require.Equal(t, 300%1000, f.Intn(1000))
	require.Equal(t, time.Second, f.Duration(time.Second))
	require.Zero(t, f.Remaining())
	require.Zero(t, f.Byte())
	require.Zero(t, f.Uint64())
	require.Zero(t, f.Intn(0))
	require.Zero(t, f.Prob(1))
}

// Intn reads as many bytes as n-1 takes, so it covers [0, n) for every n,
// above 65536 too.
func TestFuzzIntnLarge(t *testing.T) {
	f := NewFuzz([]byte{
		0x01, 0x00, 0x00, // 65536, the value above the two-byte range
		0x0f, 0xff, 0xff, // n-1 for n = 2^20
		0x12, 0x34, 0x56, 0x78, 0x9a, // five bytes for n = 2^40
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // eight bytes, 2^64-1 mod MaxInt
		7,
	})
	require.Equal(t, 1<<16, f.Intn(1<<16+1))
	require.Equal(t, 1<<20-1, f.Intn(1<<20))
	require.Equal(t, 0x123456789a, f.Intn(1<<40))
	require.Equal(t, 1, f.Intn(math.MaxInt))
	require.Equal(t, 7, f.Intn(256))
	require.Zero(t, f.Remaining())
}

// Every input gives a valid link configuration within the limits; a
// negative limit turns the impairment off.
func TestFuzzLinkConfig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		b := make([]byte, r.IntN(10))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		c := NewFuzz(b).LinkConfig(FuzzLimits{Loss: 0.5, Corrupt: -1})
		require.NoError(t, c.Validate())
		require.LessOrEqual(t, c.Loss, 0.5)
		require.LessOrEqual(t, c.Duplicate, 0.1)
		require.LessOrEqual(t, c.Delay, 100*time.Millisecond)
		require.Zero(t, c.Corrupt)
	}
	c := NewFuzz([]byte{255, 255, 255, 255, 255, 255, 255}).LinkConfig(FuzzLimits{})
	require.Equal(t, LinkConfig{Delay: 100 * time.Millisecond, Jitter: 10 * time.Millisecond, Loss: 0.3,
		Duplicate: 0.1, Reorder: 0.2, ReorderDelay: 101 * time.Millisecond, Corrupt: 0.05}, c)
}

// The input decides the fate of each packet, then lets everything pass.
func TestFuzzFilter(t *testing.T) {
	f := NewFuzz([]byte{0, 100, 255, 63, 64})
	flt := f.Filter(FuzzLimits{})
	var got []Verdict
	for range 7 {
		got = append(got, flt(&Datagram{}))
	}
	require.Equal(t, []Verdict{Drop, Pass, Delay(5 * time.Millisecond), Drop, Pass, Pass, Pass}, got)
	require.Equal(t, Pass, NewFuzz([]byte{0}).Filter(FuzzLimits{Drop: -1})(&Datagram{}))
}

// World takes its seed and links from the input and installs the filter.
func TestFuzzWorld(t *testing.T) {
	in := []byte{0, 0, 0, 0, 0, 0, 0, 9, 255, 0, 0, 0, 0, 0}
	w, err := NewFuzz(in).World(FuzzLimits{})
	require.NoError(t, err)
	require.Equal(t, 100*time.Millisecond, w.Net.Default().Delay)
	w.Net.Send(0, addrA, addrB, payload(1, 10)) // the input has ended: pass
	require.Equal(t, 1, w.Net.InFlight())
	w2, err := NewFuzz(append(in, 0)).World(FuzzLimits{})
	require.NoError(t, err)
	w2.Net.Send(0, addrA, addrB, payload(1, 10)) // byte 0: dropped
	require.Equal(t, uint64(1), w2.Net.Stats().DroppedFilter)
}
