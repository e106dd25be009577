package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/chunk"
)

// server is an echo or discard server. The listening socket takes every
// new association up and peels it off (api.Socket.Peeloff) to a socket
// of its own, served by a goroutine of its own: an association whose
// echoes wait for send-buffer space is not read meanwhile (back-pressure
// to its peer through the receive window), and the others go on.
type server struct {
	echo       bool
	verbose    bool
	limit      int
	maxMessage int

	mu     sync.Mutex // guards what follows, and out
	out    io.Writer
	ended  int
	counts map[api.AssocID]*assocCount
	// pdapi holds the stream of the message an association's partial
	// delivery was aborted on, until its end is known.
	pdapi map[api.AssocID]uint16
	// children are the peeled-off sockets not closed yet.
	children map[*api.Socket]bool
}

type assocCount struct{ messages, bytes uint64 }

// run serves until ctx is done or -c associations ended, then closes the
// sockets (gracefully, each bounded by closeTimeout).
func (srv *server) run(ctx context.Context, s *api.Socket) error {
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	defer onDone(lctx, s)()
	var wg sync.WaitGroup
	defer func() {
		srv.mu.Lock()
		socks := []*api.Socket{s}
		for c := range srv.children {
			socks = append(socks, c)
		}
		srv.mu.Unlock()
		closeAll(socks)
		wg.Wait()
	}()
	for {
		d, err := recv(s)
		if err != nil {
			if srv.done() {
				return nil
			}
			return err
		}
		ac, up := d.Event.(*api.AssocChange)
		if !up || ac.State != api.CommUp {
			srv.handle(s, d, stop)
			continue
		}
		srv.printf("assoc %d: comm_up from %v, %d outbound / %d inbound streams\n",
			ac.AssocID, d.From, ac.OutboundStreams, ac.InboundStreams)
		c, err := s.Peeloff(ac.AssocID)
		if err != nil {
			continue // it ended already: s reads its last events
		}
		srv.mu.Lock()
		srv.children[c] = true
		srv.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv.serve(c, stop)
		}()
	}
}

// sockets returns s, the listening socket, and the peeled-off sockets
// (for the status lines).
func (srv *server) sockets(s *api.Socket) []labelled {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	out := []labelled{{s: s}}
	for c := range srv.children {
		out = append(out, labelled{s: c})
	}
	return out
}

// closeAll closes the sockets at once, and returns when all are closed.
func closeAll(socks []*api.Socket) {
	var wg sync.WaitGroup
	for _, s := range socks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Close()
		}()
	}
	wg.Wait()
}

// serve reads the peeled-off socket c of one association until the
// association is over (api.ErrNotConnected after its last event), then
// closes c; when run ends first, it closes c, which ends serve.
func (srv *server) serve(c *api.Socket, stop context.CancelFunc) {
	for {
		d, err := recv(c)
		if err != nil {
			if errors.Is(err, api.ErrNotConnected) {
				c.Close()
				srv.mu.Lock()
				delete(srv.children, c)
				srv.mu.Unlock()
			}
			return
		}
		srv.handle(c, d, stop)
	}
}

// done reports whether -c associations ended.
func (srv *server) done() bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.limit > 0 && srv.ended >= srv.limit
}

func (srv *server) printf(format string, args ...any) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	fmt.Fprintf(srv.out, format, args...)
}

// handle processes one delivery of socket s; stop is called once -c
// associations ended.
func (srv *server) handle(s *api.Socket, d api.Delivery, stop context.CancelFunc) {
	if d.Event != nil {
		if srv.event(d.Event) {
			stop()
		}
		return
	}
	id := d.Info.AssocID
	srv.mu.Lock()
	c := srv.counts[id]
	if c == nil {
		c = &assocCount{}
		srv.counts[id] = c
	}
	c.bytes += uint64(len(d.Data))
	c.messages++
	if srv.verbose {
		fmt.Fprintf(srv.out, "assoc %d: %d bytes on stream %d, PPID %d, SSN %d, TSN %d, complete %v\n",
			id, len(d.Data), d.Info.Stream, d.Info.PPID, d.Info.SSN, d.Info.TSN, true)
	}
	srv.mu.Unlock()
	if srv.echo {
		// Blocks while the send buffer is full (until s closes); an
		// association that ended refuses it, and its end comes next.
		info := api.SndRcvInfo{AssocID: id, Stream: d.Info.Stream, PPID: d.Info.PPID, Flags: d.Info.Flags & api.Unordered}
		_ = s.SendInfo(info, d.Data)
	}
}

// event prints an event; an association that ended is counted. It
// reports whether -c associations ended.
func (srv *server) event(ev api.Event) bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	id := eventAssoc(ev)
	switch e := ev.(type) {
	case *api.PdapiEvent:
		srv.pdapi[id] = e.Stream
	case *api.AssocChange:
		if stream, ok := srv.pdapi[id]; ok && localAbort(e) {
			// api aborted it: a message delivered in pieces went beyond
			// the -max-message bytes gathered (api.MaxMessageSize).
			fmt.Fprintf(srv.out, "assoc %d: message on stream %d beyond -max-message %d bytes gathered: aborting\n",
				id, stream, srv.maxMessage)
		}
	}
	fmt.Fprintf(srv.out, "assoc %d: %s\n", id, describeEvent(ev))
	if !ended(ev) {
		return false
	}
	c := srv.counts[id]
	if c == nil {
		c = &assocCount{}
	}
	fmt.Fprintf(srv.out, "assoc %d: received %d messages, %d bytes\n", id, c.messages, c.bytes)
	delete(srv.counts, id)
	delete(srv.pdapi, id)
	srv.ended++
	return srv.limit > 0 && srv.ended >= srv.limit
}

// localAbort reports whether ac is the end of an association this end
// aborted: a User-Initiated Abort with no cause from the peer.
func localAbort(ac *api.AssocChange) bool {
	return ac.State == api.CommLost && ac.Error == chunk.CauseUserInitiatedAbort && len(ac.Causes) == 0
}

// eventAssoc returns the association of an event.
func eventAssoc(ev api.Event) api.AssocID {
	d := api.Delivery{Kind: api.KindEvent, Event: ev}
	return d.Assoc()
}
