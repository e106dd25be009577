package sim_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"testing/cryptotest"
	"testing/synctest"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/sim"
	"github.com/stretchr/testify/require"
)

// requestResponse is a user's program written against api, as it would
// run on real sockets: a server answers "GET key" requests with the key's
// value, a client asks for three keys with a deadline on each answer and
// prints the round trips. Only the transport differs (api.OverTransport
// on transports of net): on the simulated network, with a 40 ms round
// trip and 5 % loss each way, inside a synctest bubble.
func requestResponse(out io.Writer, net *sim.Net) error {
	serverAddr := netip.MustParseAddrPort("192.0.2.2:9899")
	trS, err := net.Transport(serverAddr)
	if err != nil {
		return err
	}
	trC, err := net.Transport(netip.MustParseAddrPort("192.0.2.1:9899"))
	if err != nil {
		return err
	}
	server, err := api.Open(api.OverTransport(trS), api.Port(5000))
	if err != nil {
		return err
	}
	defer server.Close()
	if err := server.Listen(true); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	defer func() { cancel(); <-done }()
	go func() { // the server
		defer close(done)
		store := map[string]string{"colour": "blue", "shape": "round"}
		for {
			d, err := server.Recv(ctx)
			if err != nil {
				return
			}
			if d.Event != nil {
				continue
			}
			key, _ := strings.CutPrefix(string(d.Data), "GET ")
			value, ok := store[key]
			if !ok {
				value = "(none)"
			}
			server.Send(d.Info.AssocID, d.Info.Stream, []byte(key+"="+value))
		}
	}()

	client, err := api.Open(api.OverTransport(trC))
	if err != nil {
		return err
	}
	defer client.Close()
	start := time.Now()
	up, err := client.Connect(ctx, serverAddr.Addr(), 5000)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "connected after %v\n", time.Since(start))
	for _, key := range []string{"colour", "weight", "shape"} {
		start := time.Now()
		if err := client.Send(up.AssocID, 1, []byte("GET "+key)); err != nil {
			return err
		}
		client.SetReadDeadline(time.Now().Add(10 * time.Second))
		d, err := client.Recv(context.Background())
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%-14s after %v\n", d.Data, time.Since(start))
	}
	client.SetReadDeadline(time.Now().Add(time.Second))
	_, err = client.Recv(context.Background())
	fmt.Fprintf(out, "nothing more: %v\n", err)
	var st sim.Stats
	var hash [32]byte
	net.Do(func(n *sim.Network, _ sim.Time) { st, hash = n.Stats(), n.TraceHash() })
	fmt.Fprintf(out, "packets sent %d, lost %d, trace %x\n", st.Sent, st.DroppedLoss, hash[:8])
	return nil
}

// runRequestResponse runs requestResponse in a synctest bubble, with the
// stack's randomness seeded, and returns what it printed.
func runRequestResponse(t *testing.T, seed uint64) string {
	var out bytes.Buffer
	synctest.Test(t, func(t *testing.T) {
		cryptotest.SetGlobalRandom(t, seed)
		net, err := sim.NewNet(seed, sim.LinkConfig{Delay: 20 * time.Millisecond, Loss: 0.05})
		require.NoError(t, err)
		defer net.Close()
		net.Do(func(n *sim.Network, _ sim.Time) { n.EnableTraceHash() })
		require.NoError(t, requestResponse(&out, net))
	})
	return out.String()
}

// The api over the simulator: the program's output, virtual times
// included, is the same bytes on every run; another seed loses other
// packets.
func TestAPIOverNetDeterministic(t *testing.T) {
	want := `connected after 3.08s
colour=blue    after 40ms
weight=(none)  after 40ms
shape=round    after 40ms
nothing more: sctp recv: timeout: i/o timeout
packets sent 16, lost 2, trace 3d6fd28e618829c8
`
	first := runRequestResponse(t, 1)
	require.Equal(t, want, first)
	require.Equal(t, first, runRequestResponse(t, 1))
	require.NotEqual(t, first, runRequestResponse(t, 2))
}

// runBidirectional runs, in a synctest bubble, two sockets on a lossy
// Net sending 200 messages each way at once from goroutines of their
// own, and returns the trace hash, the counts and the virtual time at the
// end.
func runBidirectional(t *testing.T) string {
	var res string
	synctest.Test(t, func(t *testing.T) {
		cryptotest.SetGlobalRandom(t, 3)
		net, err := sim.NewNet(3, sim.LinkConfig{Delay: 10 * time.Millisecond, Loss: 0.05, Bandwidth: 10e6})
		require.NoError(t, err)
		defer net.Close()
		net.Do(func(n *sim.Network, _ sim.Time) { n.EnableTraceHash() })
		serverAddr := netip.MustParseAddrPort("192.0.2.2:9899")
		trS, err := net.Transport(serverAddr)
		require.NoError(t, err)
		trC, err := net.Transport(netip.MustParseAddrPort("192.0.2.1:9899"))
		require.NoError(t, err)
		server, err := api.Open(api.OverTransport(trS), api.Port(5000))
		require.NoError(t, err)
		defer server.Close()
		require.NoError(t, server.Listen(true))
		client, err := api.Open(api.OverTransport(trC))
		require.NoError(t, err)
		defer client.Close()
		ctx := context.Background()
		up, err := client.Connect(ctx, serverAddr.Addr(), 5000)
		require.NoError(t, err)
		d, err := server.Recv(ctx)
		require.NoError(t, err)
		ch, ok := d.Event.(*api.AssocChange)
		require.True(t, ok)
		var wg sync.WaitGroup
		for _, end := range []struct {
			s  *api.Socket
			id api.AssocID
		}{{client, up.AssocID}, {server, ch.AssocID}} {
			wg.Add(2)
			go func() { // the writer
				defer wg.Done()
				for i := range 200 {
					if end.s.Send(end.id, uint16(i%3), make([]byte, 1000)) != nil {
						return
					}
					time.Sleep(time.Millisecond)
				}
			}()
			go func() { // the reader
				defer wg.Done()
				for n := 0; n < 200; {
					d, err := end.s.Recv(ctx)
					if err != nil {
						return
					}
					if d.Event == nil {
						n++
					}
				}
			}()
		}
		wg.Wait()
		res = traceSummary(net)
	})
	return res
}

// Both ends sending at once from goroutines of their own, whose sends at
// one virtual instant interleave in any order, still make the same run
// every time: the trace hash repeats.
func TestAPIOverNetBidirectionalDeterministic(t *testing.T) {
	first := runBidirectional(t)
	for range 4 {
		require.Equal(t, first, runBidirectional(t))
	}
}

// runConnEcho runs, in a synctest bubble, a Listener and a Dial'ed Conn
// on a lossy Net: the client writes 200 messages, 1 ms apart, while a
// goroutine reads the echoes, and the accepted Conn echoes each (its
// reads take messages straight from the association, Endpoint.Direct).
// It returns the trace hash, the counts and the virtual time at the end.
func runConnEcho(t *testing.T) string {
	var res string
	synctest.Test(t, func(t *testing.T) {
		cryptotest.SetGlobalRandom(t, 5)
		net, err := sim.NewNet(5, sim.LinkConfig{Delay: 10 * time.Millisecond, Loss: 0.05, Bandwidth: 10e6})
		require.NoError(t, err)
		defer net.Close()
		net.Do(func(n *sim.Network, _ sim.Time) { n.EnableTraceHash() })
		trS, err := net.Transport(netip.MustParseAddrPort("192.0.2.2:9899"))
		require.NoError(t, err)
		trC, err := net.Transport(netip.MustParseAddrPort("192.0.2.1:9899"))
		require.NoError(t, err)
		ln, err := api.Listen("sctp", ":5000", api.OverTransport(trS))
		require.NoError(t, err)
		defer ln.Close()
		ctx := context.Background()
		c, err := api.Dial(ctx, "sctp", "192.0.2.2:5000", api.OverTransport(trC))
		require.NoError(t, err)
		defer c.Close()
		s, err := ln.AcceptSCTP(ctx)
		require.NoError(t, err)
		defer s.Close()
		var wg sync.WaitGroup
		wg.Add(3)
		go func() { // the server: echoes
			defer wg.Done()
			buf := make([]byte, 2000)
			for range 200 {
				n, err := s.Read(buf)
				if err != nil {
					return
				}
				time.Sleep(time.Millisecond) // as the lone SACK's timer falls due
				if _, err := s.Write(buf[:n]); err != nil {
					return
				}
			}
		}()
		go func() { // the client's writer
			defer wg.Done()
			for range 200 {
				if _, err := c.Write(make([]byte, 1000)); err != nil {
					return
				}
				time.Sleep(time.Millisecond)
			}
		}()
		go func() { // the client's reader
			defer wg.Done()
			buf := make([]byte, 2000)
			for range 200 {
				if _, err := c.Read(buf); err != nil {
					return
				}
			}
		}()
		wg.Wait()
		res = traceSummary(net)
	})
	return res
}

// One-to-one Conns over the simulator, whose reads take messages straight
// from the association's shard (Endpoint.Direct), while protocol timers
// fall due at the instants the goroutines write (every millisecond, the
// lone SACK delay): the same run every time.
func TestAPIOverNetConnDeterministic(t *testing.T) {
	first := runConnEcho(t)
	t.Log(first)
	for range 4 {
		require.Equal(t, first, runConnEcho(t))
	}
}

// traceSummary returns the trace hash of net, its counts and its virtual
// time.
func traceSummary(net *sim.Net) string {
	var hash [32]byte
	var st sim.Stats
	net.Do(func(n *sim.Network, _ sim.Time) { hash, st = n.TraceHash(), n.Stats() })
	return fmt.Sprintf("trace %x, %d sent, %d lost, %d delivered, at %v", hash[:8], st.Sent, st.DroppedLoss,
		st.Delivered, net.Now())
}
