package fuzz

import (
	"bytes"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/congestion"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/sim"
)

// FuzzUserProtocol is the worked example of fuzzing one's own protocol
// over gensctp with sim.Fuzz: a user's request/response protocol (a
// client asks for numbered keys on a few streams, a server answers each
// request on its stream) runs between two hosts of a sim.World whose seed,
// link impairments and packet fates come from the fuzzer's bytes, as do
// the virtual time between requests and their streams. Whatever the
// network does, the protocol's invariants hold: every answer matches the
// request it follows on its stream, none comes twice, and once the
// network calms down every request is answered (the association may
// instead end with an event, but never deliver a wrong answer).
//
// A failing input replays exactly with go test: the run is in virtual
// time, single-threaded, and depends on the input alone.
func FuzzUserProtocol(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("seed0001\x20\x05\x40\x10\x10\x05 some packet fates and steps"))
	f.Add(bytes.Repeat([]byte{0x00, 0xff, 0x80}, 60)) // many packets dropped or held
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		if err := runUserProtocol(sim.NewFuzz(data)); err != nil {
			t.Fatal(err)
		}
	})
}

// userHosts are the addresses of the client and the server.
var (
	userClient = netip.MustParseAddrPort("192.0.2.1:9899")
	userServer = netip.MustParseAddrPort("192.0.2.2:9899")
)

// userConfig tolerates the fuzzer's loss: RTO from 100 ms to 2 s and high
// retransmission limits.
func userConfig() endpoint.Config {
	return endpoint.Config{Assoc: association.Config{
		RTO:        congestion.RTOConfig{Initial: 200 * time.Millisecond, Min: 100 * time.Millisecond, Max: 2 * time.Second},
		MaxRetrans: 200, PathMaxRetrans: 200, MaxInitRetransmits: 100,
		OutboundStreams: 4, MaxInboundStreams: 4,
	}}
}

// runUserProtocol plays one input and returns the first broken invariant.
func runUserProtocol(fz *sim.Fuzz) error {
	w, err := fz.World(sim.FuzzLimits{})
	if err != nil {
		return err
	}
	client, _ := w.NewHost(userConfig(), userClient)
	server, _ := w.NewHost(userConfig(), userServer)
	server.Listen(true)
	id, err := client.Connect(sim.DefaultPort, userServer)
	if err != nil {
		return err
	}
	// The server: answer "get N" with "value N" on the request's stream.
	serve := func() {
		for _, d := range server.Drain() {
			if d.Event == nil {
				var n int
				fmt.Sscanf(string(d.Message.Data), "get %d", &n)
				server.Send(d.ID, uint16(d.Message.Stream), fmt.Appendf(nil, "value %d", n))
			}
		}
	}
	c := userChecker{pending: map[uint16][]int{}}
	requests := 1 + fz.Intn(20)
	for i := range requests {
		w.RunUntil(fz.Duration(time.Second), func() bool { serve(); return c.check(client) != nil })
		if c.err != nil {
			return c.err
		}
		stream := uint16(fz.Intn(4))
		if client.Send(id, stream, fmt.Appendf(nil, "get %d", i)) == nil {
			c.pending[stream] = append(c.pending[stream], i)
			c.sent++
		}
	}
	// The fuzzer's packet fates are used up or not: either way, calm the
	// network down and expect every answer (or the association's end).
	w.Net.SetDefault(sim.LinkConfig{Delay: 10 * time.Millisecond})
	done := w.RunUntil(time.Hour, func() bool {
		serve()
		return c.check(client) != nil || c.answered == c.sent || c.ended
	})
	switch {
	case c.err != nil:
		return c.err
	case !done:
		return fmt.Errorf("%d of %d requests answered after an hour of calm network", c.answered, c.sent)
	}
	return nil
}

// userChecker checks the client's side of the protocol.
type userChecker struct {
	pending        map[uint16][]int // requests awaiting an answer, per stream
	sent, answered int
	ended          bool
	err            error
}

// check reads the client's deliveries and records the first violation.
func (c *userChecker) check(client *sim.Host) error {
	for _, d := range client.Drain() {
		if ac, ok := d.Event.(*association.AssocChange); ok && ac.State != association.CommUp {
			c.ended = true
		}
		if d.Event != nil || c.err != nil {
			continue
		}
		s := uint16(d.Message.Stream)
		q := c.pending[s]
		if len(q) == 0 {
			c.err = fmt.Errorf("an answer %q on stream %d with no request pending", d.Message.Data, s)
			continue
		}
		if want := fmt.Sprintf("value %d", q[0]); string(d.Message.Data) != want {
			c.err = fmt.Errorf("stream %d: answer %q, want %q", s, d.Message.Data, want)
			continue
		}
		c.pending[s] = q[1:]
		c.answered++
	}
	return c.err
}
