package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/api"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// The server of the gen_sctp documentation: it listens and prints every
// message and event it receives. Here a client sends two messages and
// ends the association with eof, and the loop stops at shutdown_comp.
// (The example binds an ephemeral UDP port; a real server would keep the
// default, 9899.)
func Example_server() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := api.Open(api.IP(loopback), api.LocalUDPPort(0), api.Recbuf(65536))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	if err := s.Listen(true); err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan struct{})
	defer func() { <-done }()
	go func() { // the client
		defer close(done)
		c, _ := api.Open(api.IP(loopback), api.LocalUDPPort(0), api.RemoteUDPPort(s.UDPPort()))
		defer c.Close()
		assoc, err := c.Connect(ctx, loopback, s.Port())
		if err != nil {
			return
		}
		c.Send(assoc.AssocID, 0, []byte("Hello"))
		c.Send(assoc.AssocID, 1, []byte("World"))
		c.Eof(assoc.AssocID)
		c.Recv(ctx) // shutdown_comp
	}()
	for {
		d, err := s.Recv(ctx)
		if err != nil {
			fmt.Println("SCTP RECV ERROR:", err)
			return
		}
		switch ev := d.Event.(type) {
		case nil:
			fmt.Printf("Received: stream %d: %s\n", d.Info.Stream, d.Data)
		case *api.AssocChange:
			fmt.Println("Received:", ev.Record(), ev.State)
			if ev.State == api.ShutdownComp {
				return
			}
		default:
			fmt.Println("Received:", ev.Record())
		}
	}
	// Output:
	// Received: sctp_assoc_change comm_up
	// Received: stream 0: Hello
	// Received: stream 1: World
	// Received: sctp_shutdown_event
	// Received: sctp_assoc_change shutdown_comp
}

// The client of the gen_sctp documentation: it sets up an association
// with 5 outbound streams, so sending on stream 0 succeeds and sending on
// stream 5 fails; then it aborts the association, and the server gets
// the event.
func Example_client() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv, _ := api.Open(api.IP(loopback), api.LocalUDPPort(0))
	defer srv.Close()
	srv.Listen(true)

	s, err := api.Open(api.IP(loopback), api.LocalUDPPort(0), api.RemoteUDPPort(srv.UDPPort()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	assoc, err := s.Connect(ctx, loopback, srv.Port(), api.SCTPInitMsg(api.InitMsg{NumOstreams: 5}))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("Connection Successful, state", assoc.State, "outbound streams", assoc.OutboundStreams)
	fmt.Println(s.Send(assoc.AssocID, 0, []byte("Test 0")))
	err = s.Send(assoc.AssocID, 5, []byte("Test 5"))
	var e *api.Error
	if errors.As(err, &e) {
		fmt.Println("error:", e.Reason, errors.Is(err, api.ErrInvalidStream))
	}
	fmt.Println(s.Abort(assoc.AssocID))

	for { // the server side
		d, err := srv.Recv(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		if ac, ok := d.Event.(*api.AssocChange); ok {
			fmt.Println("server:", ac.State, api.ErrorString(int(ac.Error)))
			if ac.State == api.CommLost {
				return
			}
			continue
		}
		fmt.Printf("server: %s\n", d.Data)
	}
	// Output:
	// Connection Successful, state comm_up outbound streams 5
	// <nil>
	// error: einval true
	// <nil>
	// server: comm_up ok
	// server: Test 0
	// server: comm_lost User Initiated Abort
}

// The connect_init client of the gen_sctp documentation: an active socket
// starts associations with two peers at once and learns the outcomes
// from the delivery channel.
func Example_connectInit() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Two peers on one UDP port (one stack), two SCTP ports.
	peer1, _ := api.Open(api.IP(loopback), api.LocalUDPPort(0))
	defer peer1.Close()
	peer2, _ := api.Open(api.IP(loopback), api.LocalUDPPort(peer1.UDPPort()))
	defer peer2.Close()
	peer1.Listen(true)
	peer2.Listen(true)

	s, err := api.Open(api.IP(loopback), api.LocalUDPPort(0), api.RemoteUDPPort(peer1.UDPPort()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	opts := []api.Option{api.SCTPInitMsg(api.InitMsg{NumOstreams: 5}), api.Active(api.ActiveTrue)}
	if err := s.ConnectInit(ctx, loopback, peer1.Port(), opts...); err != nil {
		fmt.Println(err)
		return
	}
	if err := s.ConnectInit(ctx, loopback, peer2.Port(), opts...); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("Connections initiated")
	results := map[uint16]api.AssocState{}
	for len(results) < 2 {
		select {
		case d := <-s.Deliveries():
			if ac, ok := d.Event.(*api.AssocChange); ok {
				results[d.From.Port()] = ac.State
			}
		case <-ctx.Done():
			fmt.Println("timeout")
			return
		}
	}
	fmt.Println("Association 1 connect result:", results[peer1.Port()])
	fmt.Println("Association 2 connect result:", results[peer2.Port()])
	// Output:
	// Connections initiated
	// Association 1 connect result: comm_up
	// Association 2 connect result: comm_up
}

// Reading options, as inet:getopts/2 does: a list of queries, some with
// the parameters of their record, and values in the same order. gen_sctp
// leaves out what it cannot read (here the association 42, which does
// not exist), and returns non_block_send bare.
func ExampleSocket_GetOpts() {
	s, err := api.Open(api.IP(loopback), api.LocalUDPPort(0),
		api.SCTPNodelay(true), api.SCTPRtoInfo(api.RtoInfo{Initial: 2000, Max: 30000}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	vs, err := s.GetOpts(
		api.OptionQuery{Name: "sctp_nodelay"},
		api.OptionQuery{Name: "sctp_rtoinfo"},
		api.OptionQuery{Name: "sctp_rtoinfo", AssocID: 42},
		api.OptionQuery{Name: "non_block_send"},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range vs {
		fmt.Printf("%s %+v bare=%t\n", v.Name, v.Value, v.Bare)
	}
	// One option with its error, typed:
	_, err = api.GetOpt[api.RtoInfo](s, api.OptionQuery{Name: "sctp_rtoinfo", AssocID: 42})
	fmt.Println(errors.Is(err, api.ErrNoAssociation))
	// Output:
	// sctp_nodelay true bare=false
	// sctp_rtoinfo {AssocID:0 Initial:2000 Max:30000 Min:1000} bare=false
	// non_block_send false bare=true
	// true
}

// Setting options: all or nothing, and an invalid value changes nothing.
func ExampleSocket_SetOpts() {
	s, err := api.Open(api.IP(loopback), api.LocalUDPPort(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	err = s.SetOpts(api.Sndbuf(1<<16), api.SCTPDelayedAckTime(api.AssocValue{AssocValue: 900}))
	var e *api.Error
	if errors.As(err, &e) {
		fmt.Println(e.Reason, errors.Is(err, api.ErrInvalidOption))
	}
	n, _ := api.GetOpt[int](s, api.OptionQuery{Name: "sndbuf"})
	fmt.Println(n == 1<<16)
	// sctp_set_peer_primary_addr names an association: none here.
	err = s.SetOpts(api.SCTPSetPeerPrimaryAddr(api.SetPeerPrim{}))
	if errors.As(err, &e) {
		fmt.Println(e.Reason, errors.Is(err, api.ErrNoAssociation))
	}
	// Output:
	// einval true
	// false
	// einval true
}
