package sim

import (
	"encoding/binary"
	"math/bits"
	"time"
)

// Fuzz turns the bytes of a fuzzer's input into the choices of a
// simulation: the seed, the impairments of the links, the fate of single
// packets and the timing of the user's steps. A user's fuzz target reads
// them from a Fuzz while their protocol runs over gensctp in a World, so
// that the fuzzer's coverage guidance explores network conditions and
// timings, and every failing input replays exactly (virtual time, no
// goroutines):
//
//	func FuzzMyProtocol(f *testing.F) {
//		f.Add([]byte{...}) // seeds
//		f.Fuzz(func(t *testing.T, data []byte) {
//			fz := sim.NewFuzz(data)
//			w, _ := fz.World(sim.FuzzLimits{})   // seed, links and packet fates from data
//			// ... hosts, the protocol's steps, each after fz.Duration(time.Second) ...
//			// ... check the protocol's invariants ...
//		})
//	}
//
// Reading past the end of the input yields zeros, so that every input,
// the empty one included, is a valid scenario; the fuzzer grows the
// input as it finds that longer ones reach more. The example FuzzUserProtocol
// in package fuzz is a complete target.
type Fuzz struct {
	data []byte
	off  int
}

// NewFuzz returns a Fuzz reading data.
func NewFuzz(data []byte) *Fuzz { return &Fuzz{data: data} }

// Byte returns the next byte of the input, or 0 past its end.
func (f *Fuzz) Byte() byte {
	if f.off >= len(f.data) {
		return 0
	}
	b := f.data[f.off]
	f.off++
	return b
}

// Uint64 returns the next 8 bytes as a big-endian integer (zeros past
// the end).
func (f *Fuzz) Uint64() uint64 {
	var b [8]byte
	for i := range b {
		b[i] = f.Byte()
	}
	return binary.BigEndian.Uint64(b[:])
}

// Intn returns a number in [0, n) from the next k bytes, read as a
// big-endian integer modulo n, where k is the number of bytes n-1 takes:
// one byte for n <= 256, two for n <= 65536, three for n <= 2^24, and so
// on up to eight; it reads nothing and returns 0 if n <= 1.
func (f *Fuzz) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	var v uint64
	for range (bits.Len64(uint64(n-1)) + 7) / 8 {
		v = v<<8 | uint64(f.Byte())
	}
	return int(v % uint64(n))
}

// Bool returns whether the next byte is odd.
func (f *Fuzz) Bool() bool { return f.Byte()&1 == 1 }

// Prob returns a probability in [0, max] from the next byte.
func (f *Fuzz) Prob(max float64) float64 { return float64(f.Byte()) / 255 * max }

// Duration returns a duration in [0, max] from the next byte, in steps
// of max/255.
func (f *Fuzz) Duration(max time.Duration) time.Duration {
	return time.Duration(int64(f.Byte()) * int64(max) / 255)
}

// Remaining returns the number of input bytes not read yet.
func (f *Fuzz) Remaining() int { return max(0, len(f.data)-f.off) }

// FuzzLimits bounds the impairments a Fuzz chooses; a zero field takes
// the default given in its comment, a negative one turns the impairment
// off.
type FuzzLimits struct {
	// Loss bounds the loss probability (0.3).
	Loss float64
	// Duplicate bounds the duplication probability (0.1).
	Duplicate float64
	// Reorder bounds the reordering probability (0.2).
	Reorder float64
	// Corrupt bounds the corruption probability (0.05).
	Corrupt float64
	// Delay bounds the one-way delay and the jitter (100 ms).
	Delay time.Duration
	// Drop bounds the probability that a single packet is dropped by the
	// fuzzer's own choice (Filter) rather than at random (0.25).
	Drop float64
}

// or returns v, def if v is 0, or 0 if v is negative.
func or[T float64 | time.Duration](v, def T) T {
	switch {
	case v < 0:
		return 0
	case v == 0:
		return def
	}
	return v
}

// LinkConfig reads a link configuration within lim: delay, jitter, loss,
// duplication, reordering (by the delay plus a millisecond) and
// corruption, 6 bytes.
func (f *Fuzz) LinkConfig(lim FuzzLimits) LinkConfig {
	d := or(lim.Delay, 100*time.Millisecond)
	c := LinkConfig{
		Delay:     f.Duration(d),
		Jitter:    f.Duration(d) / 10,
		Loss:      f.Prob(or(lim.Loss, 0.3)),
		Duplicate: f.Prob(or(lim.Duplicate, 0.1)),
		Reorder:   f.Prob(or(lim.Reorder, 0.2)),
		Corrupt:   f.Prob(or(lim.Corrupt, 0.05)),
	}
	c.ReorderDelay = c.Delay + time.Millisecond
	return c
}

// Filter returns a filter (AddFilter) by which the input decides the fate
// of single packets: each packet sent reads one byte; a byte below
// lim.Drop×256 drops it, a byte above 250 holds it back by 1 to 5 ms (so
// that later packets may overtake it), any other passes it. Once the input is exhausted every packet passes.
// The fuzzer thus chooses which packet of a handshake or a transfer is
// lost, not only how many.
func (f *Fuzz) Filter(lim FuzzLimits) Filter {
	drop := int(or(lim.Drop, 0.25) * 256)
	return func(*Datagram) Verdict {
		if f.Remaining() == 0 {
			return Pass
		}
		b := int(f.Byte())
		switch {
		case b < drop:
			return Drop
		case b > 250:
			return Delay(time.Duration(b-250) * time.Millisecond)
		}
		return Pass
	}
}

// World reads a seed (8 bytes) and a link configuration within lim (see
// LinkConfig) and returns a World on them with the input's Filter
// installed: the bytes read after that decide the fate of packets and,
// interleaved with them, whatever else the caller reads (step timings).
func (f *Fuzz) World(lim FuzzLimits) (*World, error) {
	seed := f.Uint64()
	w, err := NewWorld(seed, f.LinkConfig(lim))
	if err != nil {
		return nil, err
	}
	w.Net.AddFilter(f.Filter(lim))
	return w, nil
}
