package stream

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// input hands out the bytes of a fuzz input as small numbers; past the end
// it returns zeros, so every input is valid.
type input struct {
	b []byte
	i int
}

// byte returns the next byte, or 0.
func (in *input) byte() int {
	if in.i >= len(in.b) {
		return 0
	}
	in.i++
	return int(in.b[in.i-1])
}

// n returns a number in [0, k).
func (in *input) n(k int) int {
	if k <= 1 {
		return 0
	}
	if k <= 256 {
		return in.byte() % k
	}
	return (in.byte()<<8 | in.byte()) % k
}

// u32 returns four bytes as a number.
func (in *input) u32() uint32 {
	return uint32(in.byte())<<24 | uint32(in.byte())<<16 | uint32(in.byte())<<8 | uint32(in.byte())
}

// more reports whether input bytes remain.
func (in *input) more() bool { return in.i < len(in.b) }

// randomInputs runs check on count pseudo-random inputs of up to size
// bytes from a seeded generator, printing the seed of a failure.
func randomInputs(t *testing.T, count, size int, check func(t *testing.T, data []byte)) {
	t.Helper()
	for seed := range uint64(count) {
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		data := make([]byte, rng.IntN(size))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		// The subtest name carries the seed, so a failure names it.
		if !t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { check(t, data) }) {
			t.Fatalf("failed with seed %d (input %x)", seed, data)
		}
	}
}
