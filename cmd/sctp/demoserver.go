package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
)

// demoCounts are the bulk messages the demo server received.
type demoCounts struct{ messages, bytes uint64 }

// timedEvent is an event of either side, for the shutdown report.
type timedEvent struct {
	at   time.Time
	side string
	text string
}

// demoServer echoes pings and counts bulk data for the demo. Its fields
// are used with the server stack locked, or after run returned.
type demoServer struct {
	n      *node
	id     endpoint.AssocID
	counts demoCounts
	events []timedEvent // every event but comm_up
}

// run serves until the association ended or ctx is done.
func (s *demoServer) run(ctx context.Context) error {
	return s.n.waitFor(ctx, 0, func(now timer.Time, _ bool) bool { return s.step(now) })
}

// step handles the deliveries; it returns true when the association
// ended.
func (s *demoServer) step(now timer.Time) bool {
	for {
		id, d, ok := s.n.ep.Poll()
		if !ok {
			return false
		}
		if d.Event != nil {
			if ac, ok := d.Event.(*association.AssocChange); ok && ac.State == association.CommUp {
				s.id = id
				continue
			}
			s.events = append(s.events, timedEvent{time.Now(), "server", describeEvent(d.Event)})
			if ended(d.Event) {
				return true
			}
			continue
		}
		a, ok := s.n.ep.Assoc(id)
		if !ok {
			continue
		}
		m := d.Message
		if m.PPID == pingPPID {
			_ = a.Send(now, association.SendInfo{Stream: m.Stream, PPID: pingPPID}, m.Data)
			continue
		}
		s.counts.messages++
		s.counts.bytes += uint64(len(m.Data))
		a.Release(m.Data)
	}
}

// assocID returns the server's association.
func (s *demoServer) assocID() endpoint.AssocID {
	var id endpoint.AssocID
	_ = s.n.st.Do(func(timer.Time) error { id = s.id; return nil })
	return id
}

// shutdown shuts the association down from the client and returns the
// events of both sides from then on, in time order.
func (c *demoClient) shutdown(ctx context.Context, srv *demoServer, srvDone <-chan error) ([]timedEvent, error) {
	start := time.Now()
	events := []timedEvent{{start, "client", "SHUTDOWN requested (graceful, RFC 9260 Section 9.2)"}}
	c.events = c.events[:0]
	err := c.n.st.Do(func(now timer.Time) error {
		a, ok := c.n.ep.Assoc(c.id)
		if !ok {
			return errAssocFailed
		}
		return a.Shutdown(now)
	})
	if err != nil {
		return nil, err
	}
	err = c.n.st.Wait(ctx, func(timer.Time) bool { c.poll(); return c.end != nil })
	if err != nil {
		return nil, fmt.Errorf("shutdown: %w", err)
	}
	select {
	case err = <-srvDone:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	events = append(events, c.events...)
	for _, e := range srv.events {
		if !e.at.Before(start) {
			events = append(events, e)
		}
	}
	slices.SortStableFunc(events, func(a, b timedEvent) int { return a.at.Compare(b.at) })
	if ac, ok := c.end.(*association.AssocChange); !ok || ac.State != association.ShutdownComp {
		return events, fmt.Errorf("%w: %s", errAssocFailed, describeEvent(c.end))
	}
	return events, nil
}
