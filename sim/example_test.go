package sim_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/sim"
	"github.com/gensctp/gensctp/timer"
)

// The lockstep loop: send, jump virtual time to the next arrival, receive,
// hand the buffer back.
func Example() {
	a := netip.MustParseAddrPort("10.0.0.1:9899")
	b := netip.MustParseAddrPort("10.0.0.2:9899")
	n := sim.New(1)
	if err := n.SetLinkBoth(a, b, sim.LinkConfig{Delay: 30 * time.Millisecond, Bandwidth: 10e6}); err != nil {
		panic(err)
	}
	// Drop the next packet whose first chunk is a COOKIE ECHO.
	n.AddFilter(sim.DropFirstChunk(chunk.TypeCookieEcho, 1))

	packet := make([]byte, 1250)
	packet[12] = byte(chunk.TypeCookieEcho)
	var now timer.Time
	n.Send(now, a, b, packet) // dropped by the filter
	n.Send(now, a, b, packet) // delivered
	for at := n.NextArrival(); at != timer.Never; at = n.NextArrival() {
		now = at
		d, _ := n.Receive(now)
		fmt.Printf("%v: %d bytes %v -> %v\n", d.At, len(d.Data), d.From, d.To)
		n.Recycle(&d)
	}
	s := n.Stats()
	fmt.Println("sent", s.Sent, "delivered", s.Delivered, "dropped by filter", s.DroppedFilter)
	// Output:
	// 31ms: 1250 bytes 10.0.0.1:9899 -> 10.0.0.2:9899
	// sent 2 delivered 1 dropped by filter 1
}
