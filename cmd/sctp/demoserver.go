package main

import (
	"context"
	"sync"
	"time"

	"github.com/gensctp/gensctp/api"
)

// demoCounts are the bulk messages the demo server received.
type demoCounts struct{ messages, bytes uint64 }

// timedEvent is an event of either side, for the shutdown report.
type timedEvent struct {
	at   time.Time
	side string
	text string
}

// demoServer echoes pings and counts bulk data for the demo, in a
// goroutine of its own (run).
type demoServer struct {
	s *api.Socket

	mu     sync.Mutex // guards what follows
	id     api.AssocID
	counts demoCounts
	events []timedEvent // every event but comm_up
}

// run serves until the association ended or ctx is done, reading the
// socket's mailbox.
func (srv *demoServer) run(ctx context.Context) error {
	ch, err := mailbox(srv.s)
	if err != nil {
		return err
	}
	for {
		var d api.Delivery
		select {
		case d = <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		if d.Event != nil {
			srv.mu.Lock()
			if ac, ok := d.Event.(*api.AssocChange); ok && ac.State == api.CommUp {
				srv.id = ac.AssocID
			} else {
				srv.events = append(srv.events, timedEvent{time.Now(), "server", describeEvent(d.Event)})
			}
			srv.mu.Unlock()
			if ended(d.Event) {
				return nil
			}
			continue
		}
		if d.Info.PPID == pingPPID {
			info := api.SndRcvInfo{AssocID: d.Info.AssocID, Stream: d.Info.Stream, PPID: pingPPID}
			_ = srv.s.SendInfo(info, d.Data) // fails only as the association ends
			continue
		}
		srv.mu.Lock()
		srv.counts.messages++
		srv.counts.bytes += uint64(len(d.Data))
		srv.mu.Unlock()
	}
}

// assocID returns the server's association.
func (srv *demoServer) assocID() api.AssocID {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.id
}

// takeEvents returns the server's events.
func (srv *demoServer) takeEvents() []timedEvent {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.events
}

// waitCounts waits until the server read the messages sent (the peer
// acknowledged them: they are on their way to the reader) and returns
// its counts.
func (srv *demoServer) waitCounts(ctx context.Context, sent uint64) (demoCounts, error) {
	tick := time.NewTicker(drainPoll)
	defer tick.Stop()
	for {
		srv.mu.Lock()
		got := srv.counts
		srv.mu.Unlock()
		if got.messages >= sent {
			return got, nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return got, ctx.Err()
		}
	}
}
