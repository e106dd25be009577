package sim_test

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/sim"
)

// Sockets of package api on the simulated network: each host is a
// Transport of a Net, and api.OverTransport opens a socket on it. Here
// the program runs in real time (a 10 ms link takes 10 ms); inside a
// testing/synctest bubble the same code runs in virtual time, and
// repeats to the byte (see the package doc and
// TestAPIOverNetDeterministic).
func ExampleNet() {
	net, err := sim.NewNet(1, sim.LinkConfig{Delay: 10 * time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer net.Close()
	serverAddr := netip.MustParseAddrPort("192.0.2.2:9899")
	trS, _ := net.Transport(serverAddr)
	trC, _ := net.Transport(netip.MustParseAddrPort("192.0.2.1:9899"))
	server, err := api.Open(api.OverTransport(trS), api.Port(5000))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer server.Close()
	server.Listen(true)
	client, err := api.Open(api.OverTransport(trC))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	up, err := client.Connect(ctx, serverAddr.Addr(), 5000)
	if err != nil {
		fmt.Println(err)
		return
	}
	client.Send(up.AssocID, 0, []byte("hello over the simulated network"))
	for {
		d, err := server.Recv(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		if d.Event == nil {
			fmt.Printf("server got %q on stream %d\n", d.Data, d.Info.Stream)
			return
		}
	}
	// Output:
	// server got "hello over the simulated network" on stream 0
}
