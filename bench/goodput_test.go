package bench

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/timer"
)

// goodput transfers total bytes of 1200-byte messages from A to Z over a
// link of rate bits/s with the given one-way delay and loss, with 2 MiB
// buffers, and returns the goodput in bits per second of simulated time,
// measured from the first send to the last delivery.
func goodput(tb testing.TB, seed uint64, rate int64, delay time.Duration, loss float64, total int) float64 {
	g, _, _ := transfer(tb, seed, rate, delay, loss, total, func(c *association.Config) {
		c.ReceiveBuffer = 2 << 20
		c.SendBuffer = 2 << 20
	})
	return g
}

// transfer is goodput with the buffers left to set: each configuration
// goes through set (nil: the defaults). The sender keeps its send buffer
// full (Send until ErrWouldBlock). It also returns the goodput of the
// second half of the bytes, from the delivery of the first half to the
// last: the rate reached once slow start and the growth of the windows
// are over.
func transfer(tb testing.TB, seed uint64, rate int64, delay time.Duration, loss float64, total int,
	set func(*association.Config)) (all, second float64, z association.Status) {
	link := sim.LinkConfig{Delay: delay, Bandwidth: rate, Loss: loss}
	cfgA := associationtest.Config(seed, 5000, 5001)
	cfgZ := associationtest.Config(seed+1, 5001, 5000)
	for _, c := range []*association.Config{&cfgA, &cfgZ} {
		if set != nil {
			set(c)
		}
		c.NoDelay = true
	}
	p, err := associationtest.NewPair(seed, cfgA, cfgZ, link)
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.Handshake(); err != nil {
		tb.Fatal(err)
	}
	msg := make([]byte, 1200)
	got := 0
	var last, half timer.Time
	p.OnDeliver = func(toZ bool, d association.Delivery) {
		if toZ && d.Event == nil {
			got += len(d.Message.Data)
			last = p.Now
			if half == 0 && got >= total/2 {
				half = p.Now
			}
			p.Z.Release(d.Message.Data)
		}
	}
	start := p.Now
	sent := 0
	limit := p.Now.Add(10 * time.Minute)
	for got < total {
		for sent < total {
			if err := p.A.Send(p.Now, association.SendInfo{}, msg); errors.Is(err, association.ErrWouldBlock) {
				break
			} else if err != nil {
				tb.Fatal(err)
			}
			sent += len(msg)
		}
		p.Exchange()
		if got < total && !p.Advance(limit) {
			tb.Fatalf("stuck after %d of %d bytes at %v", got, total, p.Now)
		}
	}
	all = float64(got*8) / last.Sub(start).Seconds()
	second = float64((got-total/2)*8) / last.Sub(half).Seconds()
	return all, second, p.Z.Status()
}

// mathis is the TCP throughput bound of Mathis et al. (1997) in bits/s:
// MSS/RTT * sqrt(3/2) / sqrt(p).
func mathis(mss int, rtt time.Duration, p float64) float64 {
	return float64(mss*8) / rtt.Seconds() * math.Sqrt(1.5) / math.Sqrt(p)
}

// TestGoodput pins the goodput bands in simulated time: on a 100 Mbit/s link with 50 ms RTT, at least 90
// % of the link rate without loss, and at least the Mathis TCP rate with 1
// % loss. Simulated time is deterministic: the numbers do not depend on
// the machine.
func TestGoodput(t *testing.T) {
	const rate = 100_000_000
	rtt := 50 * time.Millisecond
	g := goodput(t, 1, rate, rtt/2, 0, 100<<20)
	t.Logf("0%% loss: %.1f Mbit/s (%.1f%% of the link)", g/1e6, 100*g/rate)
	if g < 0.9*rate {
		t.Errorf("goodput %.1f Mbit/s below 90%% of 100 Mbit/s", g/1e6)
	}
	for _, seed := range []uint64{1, 2, 3} {
		g := goodput(t, seed, rate, rtt/2, 0.01, 10<<20)
		m := mathis(1200, rtt, 0.01)
		t.Logf("1%% loss, seed %d: %.2f Mbit/s; Mathis bound %.2f Mbit/s", seed, g/1e6, m/1e6)
		if g < m {
			t.Errorf("seed %d: goodput %.2f Mbit/s below the Mathis rate %.2f Mbit/s", seed, g/1e6, m/1e6)
		}
	}
}

// TestGoodputWideArea pins the goodput of long fat paths with the default
// settings, in simulated time, which receive-buffer autotuning makes
// possible: 1 Gbit/s at 100 ms RTT without loss (a bandwidth-delay
// product of 12.5 MB, twelve times the default receive buffer) reaches
// at least 80 % of the link once the windows have grown (the second half
// of 600 MB; the whole transfer, slow start included, is logged), and
// 100 Mbit/s at 60 ms RTT with 1 % loss stays at or above the Mathis
// rate.
func TestGoodputWideArea(t *testing.T) {
	const gbit = 1_000_000_000
	all, second, z := transfer(t, 1, gbit, 50*time.Millisecond, 0, 400<<20, nil)
	t.Logf("1 Gbit/s, 100 ms, 0%% loss: %.0f Mbit/s over the whole transfer, %.0f Mbit/s (%.1f%% of the link) "+
		"over its second half; receive buffer %d bytes", all/1e6, second/1e6, 100*second/gbit, z.ReceiveBuffer)
	if second < 0.8*gbit {
		t.Errorf("goodput %.0f Mbit/s below 80%% of 1 Gbit/s", second/1e6)
	}
	if z.ReceiveBuffer > association.DefaultReceiveBufferMax {
		t.Errorf("receive buffer %d above its cap %d", z.ReceiveBuffer, association.DefaultReceiveBufferMax)
	}
	const rate = 100_000_000
	rtt := 60 * time.Millisecond
	for _, seed := range []uint64{1, 2, 3} {
		g, _, _ := transfer(t, seed, rate, rtt/2, 0.01, 10<<20, nil)
		m := mathis(1200, rtt, 0.01)
		t.Logf("100 Mbit/s, 60 ms, 1%% loss, seed %d: %.2f Mbit/s; Mathis bound %.2f Mbit/s", seed, g/1e6, m/1e6)
		if g < m {
			t.Errorf("seed %d: goodput %.2f Mbit/s below the Mathis rate %.2f Mbit/s", seed, g/1e6, m/1e6)
		}
	}
}
