package bench

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/internal/sim"
)

// newBenchPair returns an established pair on link with large buffers.
func newBenchPair(tb testing.TB, link sim.LinkConfig, nodelay bool) *associationtest.Pair {
	cfgA := associationtest.Config(1, 5000, 5001)
	cfgZ := associationtest.Config(2, 5001, 5000)
	for _, c := range []*association.Config{&cfgA, &cfgZ} {
		c.ReceiveBuffer = 256 << 10
		c.SendBuffer = 256 << 10
		c.NoDelay = nodelay
		c.HeartbeatDisabled = true
	}
	p, err := associationtest.NewPair(1, cfgA, cfgZ, link)
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.Handshake(); err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkPairMessage1200 is the CPU cost of one 1200-byte message from A
// to Z through both associations and the simulated network (no loss),
// everything included: send queue, fragmentation, packet building, CRC32c
// both ways, parsing, reassembly, delivery and SACKs. ns/op is per
// delivered message.
func BenchmarkPairMessage1200(b *testing.B) {
	p := newBenchPair(b, sim.LinkConfig{Delay: time.Millisecond}, true)
	msg := make([]byte, 1200)
	delivered := 0
	p.OnDeliver = func(toZ bool, d association.Delivery) {
		if toZ && d.Event == nil {
			delivered++
			p.Z.Release(d.Message.Data)
		}
	}
	const batch = 256
	run := func(n int) {
		sent := 0
		target := delivered + n
		for delivered < target {
			for sent < n && p.A.Buffered() < 128<<10 {
				if err := p.A.Send(p.Now, association.SendInfo{Stream: 1}, msg); err != nil {
					b.Fatal(err)
				}
				sent++
			}
			p.Exchange()
			if delivered < target && !p.Advance(p.Now.Add(time.Minute)) {
				b.Fatalf("stuck: %d of %d delivered", delivered, target)
			}
		}
	}
	run(batch * 4) // warm up: grow every ring and pool
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	run(b.N)
	b.StopTimer()
	sa, sz := p.A.Stats(), p.Z.Stats()
	b.ReportMetric(float64(sa.PacketsSent)/float64(sa.SentMessages), "pktA/msg")
	b.ReportMetric(float64(sz.PacketsSent)/float64(sa.SentMessages), "pktZ/msg")
	b.ReportMetric(float64(sa.Retransmissions), "rtx")
}

func TestDiscardsDebug(t *testing.T) {
	p := newBenchPair(t, sim.LinkConfig{Delay: time.Millisecond}, true)
	msg := make([]byte, 1200)
	for i := 0; i < 2000; i++ {
		p.A.Send(p.Now, association.SendInfo{Stream: 1}, msg)
		if i%100 == 0 {
			p.Run(10 * time.Millisecond)
		}
	}
	p.Run(time.Second)
	t.Log(p.Discards, p.A.Stats(), p.Z.Stats())
}
