package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
)

var demoCommand = command{
	name:    "demo",
	summary: "server and client in one process on loopback: throughput, RTT, status, shutdown",
	details: `The demo starts a server and a client on 127.0.0.1 (ephemeral UDP ports),
measures the echo round-trip time of small ping messages, transfers
-l-byte messages round-robin on -streams streams for -T, and prints the
throughput, the RTTs (SRTT of the primary paths and measured echo RTT,
idle and under load), the status of the association on both sides and the
events of the graceful shutdown. It finishes by itself.`,
}

// demoOpts are the flags of demo.
type demoOpts struct {
	knobs
	runtime               time.Duration
	streams, length, pngs int64
}

const (
	pingPPID     chunk.PPID = 1 // pings, echoed by the demo server
	bulkPPID     chunk.PPID = 2 // bulk data, counted
	demoPort                = 7
	pingInterval            = 100 * time.Millisecond
	// demoSlack bounds everything but the transfer itself.
	demoSlack = 20 * time.Second
)

func runDemo(ctx context.Context, sio stdio, args []string) int {
	fs := newFlagSet(demoCommand)
	var o demoOpts
	newDur(fs, &o.runtime, 3*time.Second, time.Millisecond, time.Hour, true, []string{"T"}, "transfer for this long (`seconds` or a duration)")
	newInt(fs, &o.streams, 4, 1, 65535, []string{"streams"}, "`number` of streams the transfer uses")
	newInt(fs, &o.length, 1200, 1, 1<<20, []string{"l"}, "message `length` in bytes")
	newInt(fs, &o.pngs, 20, 1, 10000, []string{"pings"}, "`number` of idle pings")
	o.knobs.register(fs, false)
	pos, code, ok := parseCommand(sio, demoCommand, fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageFail(sio, demoCommand, usagef("unexpected argument %q", pos[0]))
	}
	cfg, err := o.config()
	if err != nil {
		return usageFail(sio, demoCommand, err)
	}
	cfg.NoDelay = true
	cfg.OutboundStreams = uint16(o.streams)
	ctx, cancel := context.WithTimeout(ctx, o.runtime+demoSlack)
	defer cancel()
	if err := demo(ctx, sio, &o, cfg); err != nil {
		return fail(sio, demoCommand, err)
	}
	return 0
}

// demoClient is the client side of the demo. Its fields are used with
// the client stack locked, or by the demo goroutine alone.
type demoClient struct {
	n          *node
	id         endpoint.AssocID
	streams    int
	buf        []byte
	sent       uint64 // bulk messages queued
	nextStream int
	seq        uint64 // pings sent
	pingAt     time.Time
	pingOut    bool
	rtts       []time.Duration
	events     []timedEvent // every event but comm_up
	end        association.Event
}

func demo(ctx context.Context, sio stdio, o *demoOpts, cfg association.Config) error {
	began := time.Now()
	lo := udpencap.Config{LocalAddrs: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}
	srvNode, err := openNode(lo, demoPort, cfg, 0, true)
	if err != nil {
		return err
	}
	defer srvNode.st.Close()
	cliNode, err := openNode(lo, 0, cfg, 0, false)
	if err != nil {
		return err
	}
	defer cliNode.st.Close()
	w := sio.out
	fmt.Fprintf(w, "gensctp demo: SCTP over UDP (RFC 6951) on loopback\n")
	fmt.Fprintf(w, "  server  %s\n  client  %s\n", srvNode.addrs(), cliNode.addrs())

	srv := &demoServer{n: srvNode}
	srvDone := make(chan error, 1)
	go func() { srvDone <- srv.run(ctx) }()

	t0 := time.Now()
	id, ac, err := cliNode.connect(ctx, srvNode.st.LocalAddrs(), demoPort, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "association up in %s: %d outbound / %d inbound streams\n",
		ms(time.Since(t0)), ac.OutboundStreams, ac.InboundStreams)
	c := &demoClient{n: cliNode, id: id, streams: int(min(o.streams, int64(ac.OutboundStreams))),
		buf: bytes.Repeat([]byte{'x'}, int(o.length))}

	for range o.pngs {
		if err := c.pingOnce(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "echo RTT, idle:        %s\n", rttSummary(c.rtts))
	c.rtts = c.rtts[:0]

	elapsed, err := c.transfer(ctx, o.runtime)
	if err != nil {
		return err
	}
	var got demoCounts
	_ = srvNode.st.Do(func(timer.Time) error { got = srv.counts; return nil })
	fmt.Fprintf(w, "transfer for %v: %d-byte messages on %d streams\n", o.runtime, o.length, c.streams)
	fmt.Fprintf(w, "  sent        %d messages, %s\n", c.sent, mb(c.sent*uint64(o.length)))
	fmt.Fprintf(w, "  received    %d messages, %s in %.3f s (until all was acknowledged)\n",
		got.messages, mb(got.bytes), elapsed.Seconds())
	fmt.Fprintf(w, "  throughput  %.1f MB/s (%.1f Mbit/s), %.0f messages/s\n",
		float64(got.bytes)/elapsed.Seconds()/1e6, float64(got.bytes)*8/elapsed.Seconds()/1e6,
		float64(got.messages)/elapsed.Seconds())
	fmt.Fprintf(w, "echo RTT under load:   %s\n", rttSummary(c.rtts))

	cs, ss := collect(cliNode, id), collect(srvNode, srv.assocID())
	fmt.Fprintf(w, "SRTT (per path):       client %s; server %s\n", srtts(cs.paths), srtts(ss.paths))
	printStatus(w, cs, ss)

	events, err := c.shutdown(ctx, srv, srvDone)
	if err != nil {
		return err
	}
	printShutdown(w, events)
	fmt.Fprintf(w, "demo done in %.2f s\n", time.Since(began).Seconds())
	return nil
}

// pingOnce sends one ping and waits for its echo.
func (c *demoClient) pingOnce(ctx context.Context) error {
	want, sent := len(c.rtts)+1, false
	err := c.n.st.Wait(ctx, func(now timer.Time) bool {
		c.poll()
		if c.end != nil || len(c.rtts) >= want {
			return true
		}
		if !sent {
			c.sendPing(now)
			sent = c.pingOut
		}
		return false
	})
	if err == nil && c.end != nil {
		err = fmt.Errorf("%w: %s", errAssocFailed, describeEvent(c.end))
	}
	return err
}

// transfer sends bulk data for d, with a ping every pingInterval, then
// waits until everything was acknowledged; it returns the time taken.
func (c *demoClient) transfer(ctx context.Context, d time.Duration) (time.Duration, error) {
	start := time.Now()
	c.pingOut = false
	c.pingAt = start
	sctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var serr error
	err := c.n.st.Wait(sctx, func(now timer.Time) bool {
		serr = c.bulkStep(now)
		return serr != nil
	})
	switch {
	case serr != nil:
		return 0, serr
	case ctx.Err() != nil:
		return 0, ctx.Err()
	case err != nil && !errors.Is(err, context.DeadlineExceeded):
		return 0, err
	}
	err = c.n.st.Wait(ctx, func(timer.Time) bool {
		c.poll()
		a, ok := c.n.ep.Assoc(c.id)
		return c.end != nil || !ok || a.Buffered() == 0 && a.Outstanding() == 0
	})
	if c.end != nil {
		return 0, fmt.Errorf("%w: %s", errAssocFailed, describeEvent(c.end))
	}
	return time.Since(start), err
}

// bulkStep polls, pings when it is time and fills the send buffer.
func (c *demoClient) bulkStep(now timer.Time) error {
	c.poll()
	if c.end != nil {
		return fmt.Errorf("%w: %s", errAssocFailed, describeEvent(c.end))
	}
	a, ok := c.n.ep.Assoc(c.id)
	if !ok {
		return errAssocFailed
	}
	if !c.pingOut && time.Since(c.pingAt) >= pingInterval {
		c.sendPing(now)
	}
	for {
		info := association.SendInfo{Stream: chunk.StreamID(c.nextStream), PPID: bulkPPID}
		err := a.Send(now, info, c.buf)
		if errors.Is(err, association.ErrWouldBlock) {
			return nil
		}
		if err != nil {
			return err
		}
		c.sent++
		c.nextStream = (c.nextStream + 1) % c.streams
	}
}

// sendPing sends a ping on stream 0, in a fresh slice: the association
// keeps it until it is acknowledged.
func (c *demoClient) sendPing(now timer.Time) {
	a, ok := c.n.ep.Assoc(c.id)
	if !ok {
		return
	}
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 16), c.seq+1)
	if a.Send(now, association.SendInfo{PPID: pingPPID}, b) == nil {
		c.seq++
		c.pingOut, c.pingAt = true, time.Now()
	}
}

// poll handles the client's deliveries: echoed pings and events.
func (c *demoClient) poll() {
	for {
		got, d, ok := c.n.ep.Poll()
		if !ok {
			return
		}
		if got != c.id {
			continue
		}
		if d.Event != nil {
			if ac, ok := d.Event.(*association.AssocChange); !ok || ac.State != association.CommUp {
				c.events = append(c.events, timedEvent{time.Now(), "client", describeEvent(d.Event)})
			}
			if ended(d.Event) {
				c.end = d.Event
			}
			continue
		}
		m := d.Message
		if m.PPID == pingPPID && len(m.Data) == 8 && binary.BigEndian.Uint64(m.Data) == c.seq && c.pingOut {
			c.rtts = append(c.rtts, time.Since(c.pingAt))
			c.pingOut = false
		}
	}
}
