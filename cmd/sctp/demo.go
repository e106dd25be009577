package main

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/gensctp/gensctp/api"
)

var demoCommand = command{
	name:    "demo",
	summary: "server and client in one process on loopback: throughput, RTT, status, shutdown",
	details: `The demo starts a server and a client on 127.0.0.1 (ephemeral UDP ports),
measures the echo round-trip time of small ping messages, transfers
-l-byte messages round-robin on -streams streams for -T, and prints the
throughput, the RTTs (SRTT of the primary paths and measured echo RTT,
idle and under load), the status of the association on both sides and the
events of the graceful shutdown. It finishes by itself.

With -migrate it shows connection migration instead (ASCONF, RFC 5061, with
AUTH, RFC 4895): the client, bound to 127.0.0.1, adds 127.0.0.2 halfway
through the transfer, makes it the server's primary address and deletes
127.0.0.1; the demo prints the messages sent and received, the longest
pause of the flow and the address events the server saw.`,
}

// demoOpts are the flags of demo.
type demoOpts struct {
	knobs
	runtime, status       time.Duration
	streams, length, pngs int64
	capture               captureFlag
	migrate               bool
	// clientOpts are the options of the client's socket only (its
	// capture).
	clientOpts []api.Option
}

const (
	pingPPID     = 1 // pings, echoed by the demo server
	bulkPPID     = 2 // bulk data, counted
	demoPort     = 7
	pingInterval = 100 * time.Millisecond
	// demoSlack bounds everything but the transfer itself.
	demoSlack = 20 * time.Second
	// drainPoll is how often the demo looks whether everything sent was
	// acknowledged.
	drainPoll = time.Millisecond
)

var demoLoopback = netip.MustParseAddr("127.0.0.1")

func runDemo(ctx context.Context, sio stdio, args []string) int {
	fs := newFlagSet(demoCommand)
	var o demoOpts
	newDur(fs, &o.runtime, 3*time.Second, time.Millisecond, time.Hour, true, []string{"T"}, "transfer for this long (`seconds` or a duration)")
	newInt(fs, &o.streams, 4, 1, 65535, []string{"streams"}, "`number` of streams the transfer uses")
	newInt(fs, &o.length, 1200, 1, 1<<20, []string{"l"}, "message `length` in bytes")
	newInt(fs, &o.pngs, 20, 1, 10000, []string{"pings"}, "`number` of idle pings")
	fs.BoolVar(&o.migrate, "migrate", false, "connection migration instead: the client, bound to 127.0.0.1, adds 127.0.0.2 halfway through the transfer, makes it the server's primary and deletes 127.0.0.1 (ASCONF, RFC 5061)")
	registerStatus(fs, &o.status)
	o.knobs.register(fs, false)
	o.capture.register(fs, "the association, as the client's socket sends and receives it,")
	pos, code, ok := parseCommand(sio, demoCommand, fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageFail(sio, demoCommand, usagef("unexpected argument %q", pos[0]))
	}
	o.os = o.streams
	opts := append(o.knobs.options(), api.SCTPNodelay(true), api.IP(demoLoopback), api.LocalUDPPort(0),
		api.Linger(true, 0)) // Close aborts what did not end
	ctx, cancel := context.WithTimeout(ctx, o.runtime+demoSlack)
	defer cancel()
	return o.capture.run(sio, demoCommand, func(capture []api.Option) int {
		o.clientOpts = capture
		run := demo
		if o.migrate {
			run = demoMigrate
		}
		if err := run(ctx, sio, &o, opts); err != nil {
			return fail(sio, demoCommand, err)
		}
		return 0
	})
}

func demo(ctx context.Context, sio stdio, o *demoOpts, opts []api.Option) error {
	began := time.Now()
	var wg sync.WaitGroup
	defer wg.Wait() // the goroutines end once the sockets closed
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srvSock, cliSock, err := openDemoSockets(o, opts)
	if err != nil {
		return err
	}
	defer srvSock.Close()
	defer cliSock.Close()
	defer onDone(ctx, srvSock)()
	defer onDone(ctx, cliSock)()
	defer startStatus(ctx, sio.err, o.status, func() []labelled {
		return []labelled{{"client", cliSock}, {"server", srvSock}}
	})()
	w := sio.out
	fmt.Fprintf(w, "gensctp demo: SCTP over UDP (RFC 6951) on loopback\n")
	fmt.Fprintf(w, "  server  %s\n  client  %s\n", describeAddrs(srvSock), describeAddrs(cliSock))

	srv := &demoServer{s: srvSock}
	srvDone := make(chan error, 1)
	wg.Add(1)
	go func() { defer wg.Done(); srvDone <- srv.run(ctx) }()

	t0 := time.Now()
	ac, err := connect(ctx, cliSock, []netip.Addr{demoLoopback}, demoPort)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "association up in %s: %d outbound / %d inbound streams\n",
		ms(time.Since(t0)), ac.OutboundStreams, ac.InboundStreams)
	c := newDemoClient(cliSock, ac, int(min(o.streams, int64(ac.OutboundStreams))), int(o.length))
	for range o.pngs {
		if err := c.pingOnce(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "echo RTT, idle:        %s\n", rttSummary(c.takeRTTs()))
	wg.Add(1)
	go func() { defer wg.Done(); c.receive(ctx) }() // from now on, the deliveries

	elapsed, err := c.transfer(ctx, o.runtime)
	if err != nil {
		return err
	}
	got, err := srv.waitCounts(ctx, c.sent)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "transfer for %v: %d-byte messages on %d streams\n", o.runtime, o.length, c.streams)
	fmt.Fprintf(w, "  sent        %d messages, %s\n", c.sent, mb(c.sent*uint64(o.length)))
	fmt.Fprintf(w, "  received    %d messages, %s in %.3f s (until all was acknowledged)\n",
		got.messages, mb(got.bytes), elapsed.Seconds())
	fmt.Fprintf(w, "  throughput  %.1f MB/s (%.1f Mbit/s), %.0f messages/s\n",
		float64(got.bytes)/elapsed.Seconds()/1e6, float64(got.bytes)*8/elapsed.Seconds()/1e6,
		float64(got.messages)/elapsed.Seconds())
	fmt.Fprintf(w, "echo RTT under load:   %s\n", rttSummary(c.takeRTTs()))

	cs, ss := collect(cliSock, c.id), collect(srvSock, srv.assocID())
	fmt.Fprintf(w, "SRTT (per path):       client %s; server %s\n", srtts(cs.stats.Paths), srtts(ss.stats.Paths))
	printStatus(w, cs, ss)

	events, err := c.shutdown(ctx, srv, srvDone)
	if err != nil {
		return err
	}
	printShutdown(w, events)
	fmt.Fprintf(w, "demo done in %.2f s\n", time.Since(began).Seconds())
	return nil
}

// openDemoSockets opens the demo's server socket, listening on demoPort,
// and its client socket, with the capture of -pcap.
func openDemoSockets(o *demoOpts, opts []api.Option) (srv, cli *api.Socket, err error) {
	srv, err = openSocket(append(opts, api.Port(demoPort)), true, false)
	if err != nil {
		return nil, nil, err
	}
	cli, err = openSocket(append(append(opts, api.RemoteUDPPort(srv.UDPPort())), o.clientOpts...), false, false)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	o.capture.opened(cli)
	return srv, cli, nil
}

// demoClient is the client side of the demo: the demo goroutine sends
// (and reads the idle pings' echoes), then, from the transfer on, a
// goroutine of its own (receive) reads the echoes and events.
type demoClient struct {
	s       *api.Socket
	id      api.AssocID
	streams int
	buf     []byte
	// Used by the demo goroutine alone.
	sent       uint64 // bulk messages queued
	nextStream int

	mu      sync.Mutex // guards what follows
	seq     uint64     // pings sent
	pingAt  time.Time
	pingOut bool
	rtts    []time.Duration
	events  []timedEvent // every event but comm_up
	end     api.Event
	// done is closed when receive returned.
	done chan struct{}
}

func newDemoClient(s *api.Socket, ac *api.AssocChange, streams, length int) *demoClient {
	return &demoClient{s: s, id: ac.AssocID, streams: streams, buf: bytes.Repeat([]byte{'x'}, length),
		done: make(chan struct{})}
}

// receive reads the client's deliveries until the association ended or
// ctx is done: echoed pings and events, from the socket's mailbox (active
// mode), so that this goroutine sleeps until there is one.
func (c *demoClient) receive(ctx context.Context) {
	defer close(c.done)
	ch, err := mailbox(c.s)
	if err != nil {
		return
	}
	for {
		var d api.Delivery
		select {
		case d = <-ch:
		case <-ctx.Done():
			return
		}
		c.mu.Lock()
		end := c.handle(d)
		c.mu.Unlock()
		if end {
			return
		}
	}
}

// handle handles one delivery with c.mu held; it reports the end.
func (c *demoClient) handle(d api.Delivery) bool {
	if d.Event != nil {
		if ac, ok := d.Event.(*api.AssocChange); !ok || ac.State != api.CommUp {
			c.events = append(c.events, timedEvent{time.Now(), "client", describeEvent(d.Event)})
		}
		if ended(d.Event) {
			c.end = d.Event
			return true
		}
		return false
	}
	if d.Info.PPID == pingPPID && len(d.Data) == 8 && getSeq(d.Data) == c.seq && c.pingOut {
		c.rtts = append(c.rtts, time.Since(c.pingAt))
		c.pingOut = false
	}
	return false
}

// ended returns the event that ended the association as an error, or nil.
func (c *demoClient) ended() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.end != nil {
		return fmt.Errorf("%w: %s", errAssocFailed, describeEvent(c.end))
	}
	return nil
}

// takeRTTs returns the RTTs measured so far and starts anew.
func (c *demoClient) takeRTTs() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.rtts
	c.rtts = nil
	return r
}
