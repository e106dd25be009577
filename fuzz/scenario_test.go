package fuzz

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/internal/sim"
)

// fuzzConfig is associationtest.ImpairedConfig with smaller buffers, so
// that flow control and partial delivery are exercised.
func fuzzConfig(seed uint64, local, peer uint16) association.Config {
	cfg := associationtest.ImpairedConfig(seed, local, peer)
	cfg.ReceiveBuffer = 64 << 10
	cfg.SendBuffer = 128 << 10
	return cfg
}

// percent maps a fuzzer byte to a probability in [0, max].
func percent(b uint8, max float64) float64 { return float64(b) / 255 * max }

// FuzzScenario: whatever the link does (up to 40 % loss, 10 % duplication,
// 20 % reordering, 5 % corruption, 0–100 ms delay with jitter), on 1–64
// streams with messages of 1 byte to 128 KiB in both directions, every
// message is delivered exactly once, intact, in order on its stream when
// ordered, and the association then shuts down: gracefully, or by the
// T5-shutdown-guard's abort seen by both ends (Scenario.Run checks all of
// it). An odd seed runs it with I-DATA on both ends (RFC 8260: user
// message interleaving).
func FuzzScenario(f *testing.F) {
	f.Add(uint64(1), uint8(0), uint8(0), uint8(0), uint8(0), uint8(10), uint8(1), uint8(4), uint16(1200))
	f.Add(uint64(2), uint8(255), uint8(255), uint8(255), uint8(255), uint8(50), uint8(64), uint8(20), uint16(65535))
	f.Add(uint64(3), uint8(60), uint8(20), uint8(100), uint8(10), uint8(1), uint8(7), uint8(12), uint16(300))
	f.Fuzz(func(t *testing.T, seed uint64, loss, dup, reorder, corrupt, delayMS, streams, msgs uint8, size uint16) {
		sc := associationtest.Scenario{
			Seed: seed,
			Link: sim.LinkConfig{
				Delay:     time.Duration(delayMS%101) * time.Millisecond,
				Jitter:    time.Duration(delayMS%11) * time.Millisecond,
				Loss:      percent(loss, 0.40),
				Duplicate: percent(dup, 0.10),
				Reorder:   percent(reorder, 0.20),
				Corrupt:   percent(corrupt, 0.05),
			},
			Streams: 1 + int(streams%64),
			Msgs:    1 + int(msgs%24),
			MaxSize: 1 + int(size)*2, // up to 128 KiB
			// Up to 40 % loss can outlast the T5-shutdown-guard.
			AllowGuardAbort: true,
		}
		sc.Link.ReorderDelay = sc.Link.Delay + time.Millisecond
		cfgA, cfgZ := fuzzConfig(seed*2+1, 5000, 5001), fuzzConfig(seed*2+2, 5001, 5000)
		cfgA.Interleaving, cfgZ.Interleaving = seed&1 == 1, seed&1 == 1
		if _, err := sc.Run(cfgA, cfgZ); err != nil {
			t.Fatal(err)
		}
	})
}
