package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/gensctp/gensctp/api"
)

// The demo client's pings, transfer and shutdown.

func putSeq(seq uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq) }

func getSeq(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// pingOnce sends one ping and reads until its echo comes back (before
// the receive goroutine runs).
func (c *demoClient) pingOnce() error {
	if err := c.sendPing(); err != nil {
		return err
	}
	for {
		d, err := recv(c.s)
		if err != nil {
			return err
		}
		c.mu.Lock()
		end, echoed := c.handle(d), !c.pingOut
		c.mu.Unlock()
		if end {
			return c.ended()
		}
		if echoed {
			return nil
		}
	}
}

// sendPing sends the next ping on stream 0. Its round trip counts from
// the Send call: under load, that includes the wait for room in the send
// buffer (the time for the peer to acknowledge about one message).
func (c *demoClient) sendPing() error {
	c.mu.Lock()
	c.seq++
	c.pingOut, c.pingAt = true, time.Now()
	seq := c.seq
	c.mu.Unlock()
	err := c.s.SendInfo(api.SndRcvInfo{AssocID: c.id, PPID: pingPPID}, putSeq(seq))
	if err != nil {
		c.mu.Lock()
		c.pingOut = false
		c.mu.Unlock()
	}
	return err
}

// pingDue reports whether no ping is outstanding and the last one was
// sent pingInterval ago.
func (c *demoClient) pingDue() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.pingOut && time.Since(c.pingAt) >= pingInterval
}

// transfer sends bulk data for d (the write deadline), with a ping every
// pingInterval, then waits until everything was acknowledged; it returns
// the time taken.
func (c *demoClient) transfer(ctx context.Context, d time.Duration) (time.Duration, error) {
	start := time.Now()
	c.mu.Lock()
	c.pingOut, c.pingAt = false, start
	c.mu.Unlock()
	_ = c.s.SetWriteDeadline(start.Add(d))
	for ctx.Err() == nil {
		if err := c.ended(); err != nil {
			return 0, err
		}
		if c.pingDue() {
			_ = c.sendPing() // fails only as the transfer ends
		}
		info := api.SndRcvInfo{AssocID: c.id, Stream: uint16(c.nextStream), PPID: bulkPPID}
		if err := c.s.SendInfo(info, c.buf); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break
			}
			return 0, failure(c.s, c.id, err)
		}
		c.sent++
		c.nextStream = (c.nextStream + 1) % c.streams
	}
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	if err := c.drained(ctx); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// drained waits until nothing is queued or in flight (the peer
// acknowledged everything): api has no event for it, so it looks every
// drainPoll.
func (c *demoClient) drained(ctx context.Context) error {
	tick := time.NewTicker(drainPoll)
	defer tick.Stop()
	for {
		if err := c.ended(); err != nil {
			return err
		}
		st, err := c.s.Status(c.id)
		if err != nil {
			return err
		}
		stats, err := c.s.Stats()
		if err != nil {
			return err
		}
		if st.Unackdata == 0 && stats.SendPend == 0 {
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// shutdown shuts the association down from the client and returns the
// events of both sides from then on, in time order.
func (c *demoClient) shutdown(ctx context.Context, srv *demoServer, srvDone <-chan error) ([]timedEvent, error) {
	start := time.Now()
	events := []timedEvent{{start, "client", "SHUTDOWN requested (graceful, RFC 9260 Section 9.2)"}}
	c.mu.Lock()
	c.events = c.events[:0]
	c.mu.Unlock()
	if err := c.s.Eof(c.id); err != nil {
		return nil, err
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("shutdown: %w", ctx.Err())
	}
	var err error
	select {
	case err = <-srvDone:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	c.mu.Lock()
	events = append(events, c.events...)
	end := c.end
	c.mu.Unlock()
	for _, e := range srv.takeEvents() {
		if !e.at.Before(start) {
			events = append(events, e)
		}
	}
	slices.SortStableFunc(events, func(a, b timedEvent) int { return a.at.Compare(b.at) })
	if ac, ok := end.(*api.AssocChange); !ok || ac.State != api.ShutdownComp {
		return events, fmt.Errorf("%w: %v", errAssocFailed, end)
	}
	return events, nil
}
