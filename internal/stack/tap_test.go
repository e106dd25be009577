package stack

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/stretchr/testify/require"
)

// tapRecorder is a Tap that keeps the first chunk type of every packet.
type tapRecorder struct {
	mu   sync.Mutex
	recv []chunk.Type
	sent []chunk.Type
}

func (r *tapRecorder) Received(m *packetio.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recv = append(r.recv, chunk.Type(m.Data[12]))
}

func (r *tapRecorder) Sent(m *packetio.OutMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, chunk.Type(m.Data[12]))
}

// associate starts a server stack with srvCfg (listening on SCTP port 7)
// and a client stack with cliCfg, both on loopback, runs setup (if not
// nil) on them, and sets up an association from the client (SCTP port
// 40000) to the server. The stacks close when the test ends.
func associate(t *testing.T, srvCfg, cliCfg Config, setup ...func(srv, cli *Stack)) (srv, cli *Stack) {
	t.Helper()
	open := func(cfg Config) *Stack {
		cfg.UDP = udpencap.Config{LocalAddrs: []netip.Addr{loopback}}
		s, err := New(cfg)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}
	srv, cli = open(srvCfg), open(cliCfg)
	for _, f := range setup {
		f(srv, cli)
	}
	sep, err := srv.AddEndpoint(epConfig(7))
	require.NoError(t, err)
	require.NoError(t, srv.Do(func(timer.Time) error { sep.Listen(true); return nil }))
	cep, err := cli.AddEndpoint(epConfig(40000))
	require.NoError(t, err)
	require.NoError(t, cli.Do(func(now timer.Time) error {
		_, err := cep.Connect(now, srv.LocalAddrs(), 7, nil)
		return err
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, cli.Wait(ctx, func(timer.Time) bool {
		for {
			_, d, ok := cep.Poll()
			if !ok {
				return false
			}
			if ac, ok := d.Event.(*association.AssocChange); ok {
				require.Equal(t, association.CommUp, ac.State)
				return true
			}
		}
	}))
	return srv, cli
}

// The taps of a stack see the packets it sends and receives: the
// handshake, in order, on each side.
func TestTapsSeeEveryPacket(t *testing.T) {
	var rs, rc tapRecorder
	srv, cli := associate(t, Config{Taps: []Tap{&rs}}, Config{Taps: []Tap{&rc}})
	require.NoError(t, cli.Close())
	require.NoError(t, srv.Close())
	for _, r := range []struct {
		r          *tapRecorder
		sent, recv []chunk.Type
	}{
		{&rc, []chunk.Type{chunk.TypeInit, chunk.TypeCookieEcho}, []chunk.Type{chunk.TypeInitAck, chunk.TypeCookieAck}},
		{&rs, []chunk.Type{chunk.TypeInitAck, chunk.TypeCookieAck}, []chunk.Type{chunk.TypeInit, chunk.TypeCookieEcho}},
	} {
		require.GreaterOrEqual(t, len(r.r.sent), 2)
		require.Equal(t, r.sent, r.r.sent[:2])
		require.GreaterOrEqual(t, len(r.r.recv), 2)
		require.Equal(t, r.recv, r.r.recv[:2])
	}
}

// seqRecorder is a Tap that keeps the first chunk type of every packet,
// sent ones as positive numbers, received ones negated, in one sequence.
type seqRecorder struct {
	mu  sync.Mutex
	seq []int
}

func (r *seqRecorder) Received(m *packetio.Message) { r.add(-int(m.Data[12])) }

func (r *seqRecorder) Sent(m *packetio.OutMessage) { r.add(int(m.Data[12])) }

func (r *seqRecorder) add(v int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq = append(r.seq, v)
}

func (r *seqRecorder) get() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.seq...)
}

// A tap added to a running stack sees its packets from then on, each
// packet sent before the answer to it is read; once removed, it sees
// nothing more; WallClock is the real time.
func TestAddTap(t *testing.T) {
	srv, cli := newStack(t), newStack(t)
	sep, err := srv.AddEndpoint(epConfig(7))
	require.NoError(t, err)
	require.NoError(t, srv.Do(func(timer.Time) error { sep.Listen(true); return nil }))
	cep, err := cli.AddEndpoint(epConfig(40000))
	require.NoError(t, err)
	var rec, other seqRecorder
	remove := cli.AddTap(&rec)
	cli.AddTap(&other)
	before := time.Now()
	require.False(t, cli.WallClock().Before(before))
	require.False(t, cli.WallClock().After(time.Now()))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var id endpoint.AssocID
	require.NoError(t, cli.Do(func(now timer.Time) error {
		id, err = cep.Connect(now, srv.LocalAddrs(), 7, nil)
		return err
	}))
	require.NoError(t, cli.Wait(ctx, func(timer.Time) bool {
		a, ok := cep.Assoc(id)
		return ok && a.State() == association.StateEstablished
	}))
	// The COOKIE ACK that established the association was tapped before
	// the core handled it.
	handshake := []int{int(chunk.TypeInit), -int(chunk.TypeInitAck), int(chunk.TypeCookieEcho), -int(chunk.TypeCookieAck)}
	require.Equal(t, handshake, rec.get())
	remove()
	remove() // harmless

	require.NoError(t, cli.Do(func(now timer.Time) error {
		a, _ := cep.Assoc(id)
		return a.Shutdown(now)
	}))
	require.NoError(t, cli.Wait(ctx, func(timer.Time) bool {
		a, ok := cep.Assoc(id)
		return !ok || a.State() == association.StateClosed
	}))
	require.Equal(t, handshake, rec.get(), "a removed tap")
	require.Equal(t, append(handshake, int(chunk.TypeShutdown), -int(chunk.TypeShutdownAck), int(chunk.TypeShutdownComplete)),
		other.get(), "the tap that stays")
}
