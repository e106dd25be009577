package sim_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/sim"
)

// benchWorld returns a World with an established association from client
// to server on link, with buffers of bufBytes.
func benchWorld(b *testing.B, link sim.LinkConfig, bufBytes int) (*sim.World, *sim.Host, *sim.Host, endpoint.AssocID) {
	b.Helper()
	w, err := sim.NewWorld(1, link)
	if err != nil {
		b.Fatal(err)
	}
	cfg := endpoint.Config{Assoc: association.Config{ReceiveBuffer: bufBytes, SendBuffer: bufBytes}}
	client, err := w.NewHost(cfg, hostA)
	if err != nil {
		b.Fatal(err)
	}
	server, err := w.NewHost(cfg, hostB)
	if err != nil {
		b.Fatal(err)
	}
	server.Listen(true)
	id, err := client.Connect(sim.DefaultPort, hostB)
	if err != nil {
		b.Fatal(err)
	}
	if !w.RunUntil(time.Minute, func() bool { return client.Established(id) }) {
		b.Fatal("no association")
	}
	return w, client, server, id
}

// BenchmarkIdleHour simulates an idle association (heartbeats every 30 s
// on its path, both ways) for an hour of virtual time; cpu-ms/op is the
// CPU time of that hour (the process's, GC included: on a shared machine
// ns/op counts the waits for a core too). The target is under 100 ms.
func BenchmarkIdleHour(b *testing.B) {
	w, client, _, id := benchWorld(b, sim.LinkConfig{Delay: 25 * time.Millisecond}, 0)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for range b.N {
		w.Run(time.Hour)
	}
	cpu = cpuTime() - cpu
	b.StopTimer()
	b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(b.N), "cpu-ms/op")
	if !client.Established(id) {
		b.Fatal("the idle association ended")
	}
	b.ReportMetric(float64(w.Net.Stats().Sent)/float64(b.N), "packets/hour")
}

// BenchmarkTransfer100MB transfers 100 MB (in 1200-byte messages) over a
// 100 Mbit/s link with a 50 ms round trip and a bandwidth-delay product
// of queue; cpu-ms/op is the CPU time of the whole transfer (target:
// under 2 s; see BenchmarkIdleHour), and virtual-s the virtual time it took (at least 8.4 s at the
// link's rate).
func BenchmarkTransfer100MB(b *testing.B) {
	const total = 100e6
	link := sim.LinkConfig{Delay: 25 * time.Millisecond, Bandwidth: 100e6, QueueLimit: 1 << 20}
	var virtual, cpu time.Duration
	b.ReportAllocs()
	for range b.N {
		b.StopTimer()
		w, client, server, id := benchWorld(b, link, 4<<20)
		msg := make([]byte, 1200)
		sent, got := 0, 0
		start := w.Now
		b.StartTimer()
		cpu -= cpuTime()
		ok := w.RunUntil(time.Hour, func() bool {
			for sent < total && client.Send(id, 0, msg) == nil {
				sent += len(msg)
			}
			for {
				_, d, ok := server.Poll()
				if !ok {
					break
				}
				got += len(d.Message.Data)
			}
			return got >= total
		})
		cpu += cpuTime()
		b.StopTimer()
		if !ok {
			b.Fatalf("%d of %d bytes", got, int(total))
		}
		virtual += w.Now.Sub(start)
	}
	b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(b.N), "cpu-ms/op")
	b.ReportMetric(virtual.Seconds()/float64(b.N), "virtual-s")
	b.ReportMetric(float64(total)*8/(virtual.Seconds()/float64(b.N))/1e6, "goodput-Mbit/s")
}
