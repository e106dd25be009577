package sim_test

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/sim"
)

// Two hosts on a 10 Mbit/s link with 25 ms of delay each way and 1 % loss:
// the client sends 4 MB, the server counts it, and the goodput is the
// bytes over the virtual time they took. The run takes a fraction of a
// second of CPU and prints the same figures every time.
func Example_transfer() {
	w, _ := sim.NewWorld(1, sim.LinkConfig{Delay: 25 * time.Millisecond, Bandwidth: 10e6,
		QueueLimit: 64 << 10, Loss: 0.01})
	client, _ := w.NewHost(endpoint.Config{}, netip.MustParseAddrPort("10.0.0.1:9899"))
	server, _ := w.NewHost(endpoint.Config{}, netip.MustParseAddrPort("10.0.0.2:9899"))
	server.Listen(true)
	id, _ := client.Connect(sim.DefaultPort, server.Addrs[0])
	w.RunUntil(time.Minute, func() bool { return client.Established(id) })

	const total = 4 << 20
	msg := make([]byte, 1200)
	start, sent, received := w.Now, 0, 0
	done := w.RunUntil(10*time.Minute, func() bool {
		for sent < total && client.Send(id, 0, msg) == nil {
			sent += len(msg)
		}
		for _, d := range server.Drain() {
			received += len(d.Message.Data)
		}
		return received >= sent && sent >= total
	})
	elapsed := w.Now.Sub(start)
	a, _ := client.Assoc(id)
	fmt.Println("done:", done)
	fmt.Printf("%d bytes in %v: %.2f Mbit/s\n", received, elapsed.Round(time.Millisecond),
		float64(received)*8/elapsed.Seconds()/1e6)
	st := w.Net.Stats()
	fmt.Println("lost:", st.DroppedLoss, "queue drops:", st.DroppedQueue,
		"retransmissions:", a.Stats().Retransmissions)
	// Output:
	// done: true
	// 4195200 bytes in 8.589s: 3.91 Mbit/s
	// lost: 55 queue drops: 72 retransmissions: 114
}

// A multihomed failover: each host has an address on two networks, and
// the primary network (10.1/16) fails for good after two seconds. The
// client's association retransmits over the other network at once, marks
// the dead address unreachable after Path.Max.Retrans errors (2 here),
// and carries on; every message arrives.
func Example_multihomedFailover() {
	w, _ := sim.NewWorld(2, sim.LinkConfig{Delay: 20 * time.Millisecond})
	a1, a2 := netip.MustParseAddrPort("10.1.0.1:9899"), netip.MustParseAddrPort("10.2.0.1:9899")
	z1, z2 := netip.MustParseAddrPort("10.1.0.2:9899"), netip.MustParseAddrPort("10.2.0.2:9899")
	cfg := endpoint.Config{Assoc: association.Config{PathMaxRetrans: 2}}
	client, _ := w.NewHost(cfg, a1, a2)
	server, _ := w.NewHost(cfg, z1, z2)
	server.Listen(true)
	id, _ := client.Connect(sim.DefaultPort, z1)
	w.RunUntil(time.Minute, func() bool { return client.Established(id) })
	w.Net.Partition(w.Now.Add(2*time.Second), sim.Never,
		[]netip.Addr{a1.Addr(), z1.Addr()}, []netip.Addr{a1.Addr(), z1.Addr()})

	received := 0
	count := func() {
		for _, d := range server.Drain() {
			if d.Event == nil {
				received++
			}
		}
	}
	for i := range 100 { // a message every 100 ms for 10 s
		client.Send(id, 0, []byte(fmt.Sprintf("message %d", i)))
		w.Run(100 * time.Millisecond)
		count()
	}
	w.RunUntil(time.Minute, func() bool { count(); return received >= 100 })
	for _, d := range client.Drain() {
		if ev, ok := d.Event.(*association.PaddrChange); ok {
			fmt.Println("client: peer address", ev.Addr, ev.State)
		}
	}
	a, _ := client.Assoc(id)
	for _, p := range a.Paths() {
		fmt.Println("path to", p.Addr, p.State)
	}
	fmt.Println("messages received:", received, "at", w.Now)
	// Output:
	// client: peer address 10.2.0.2:9899 addr_confirmed
	// client: peer address 10.1.0.2:9899 addr_unreachable
	// path to 10.1.0.2:9899 inactive
	// path to 10.2.0.2:9899 active
	// messages received: 100 at 10.08s
}

// A user's request/response protocol on top of SCTP: the client asks for
// keys, one request per message on stream 1, and the server answers each
// with the key's value on the same stream. Ordered delivery on the stream
// keeps responses matched to requests without any framing of the user's.
func Example_requestResponse() {
	w, _ := sim.NewWorld(3, sim.LinkConfig{Delay: 15 * time.Millisecond, Jitter: 5 * time.Millisecond,
		Loss: 0.02})
	client, _ := w.NewHost(endpoint.Config{}, netip.MustParseAddrPort("192.0.2.1:9899"))
	server, _ := w.NewHost(endpoint.Config{}, netip.MustParseAddrPort("192.0.2.2:9899"))
	server.Listen(true)
	store := map[string]string{"colour": "blue", "size": "large", "shape": "round"}

	// serve answers every request the server has received.
	serve := func() {
		for _, d := range server.Drain() {
			if d.Event != nil {
				continue
			}
			key, _ := strings.CutPrefix(string(d.Message.Data), "GET ")
			value, ok := store[key]
			if !ok {
				value = "(none)"
			}
			server.Send(d.ID, uint16(d.Message.Stream), []byte(key+"="+value))
		}
	}
	id, _ := client.Connect(sim.DefaultPort, server.Addrs[0])
	w.RunUntil(time.Minute, func() bool { serve(); return client.Established(id) })
	for _, key := range []string{"colour", "weight", "shape"} {
		start := w.Now
		client.Send(id, 1, []byte("GET "+key))
		var answer string
		w.RunUntil(time.Minute, func() bool {
			serve()
			for _, d := range client.Drain() {
				if d.Event == nil {
					answer = string(d.Message.Data)
				}
			}
			return answer != ""
		})
		fmt.Printf("%-14s after %v\n", answer, w.Now.Sub(start))
	}
	// Output:
	// colour=blue    after 33.787279ms
	// weight=(none)  after 39.235423ms
	// shape=round    after 33.82277ms
}
