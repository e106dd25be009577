package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
)

// perfAssoc counts what one association delivered, as tsctp's
// handle_connection does.
type perfAssoc struct {
	firstLen   uint64 // length of the first complete message
	messages   uint64 // complete messages
	calls      uint64 // receive calls: message pieces and notifications
	bytes      uint64
	notes      uint64 // notifications: path changes, errors, failed sends, PD-API
	started    bool
	start      time.Time // first delivery
	roundStart time.Time
	roundBytes uint64
	finished   bool
}

// perfSrv is the state of a perf server; its methods run with the stack
// locked.
type perfSrv struct {
	n        *node
	out      io.Writer
	o        *perfOpts
	assocs   map[endpoint.AssocID]*perfAssoc
	finished int
}

// perfServer accepts associations until ctx is done or -c of them ended.
func perfServer(ctx context.Context, sio stdio, o *perfOpts, cfg association.Config) int {
	n, err := openNode(o.udpConfig(true, nil), uint16(o.port), cfg, int(o.maxAssocs), true)
	if err != nil {
		return fail(sio, perfCommand, err)
	}
	defer n.close()
	fmt.Fprintf(sio.err, "sctp perf: listening on %s\n", n.addrs())
	if o.verbose {
		fmt.Fprintf(sio.out, "Receive buffer size: %d.\n", cfg.ReceiveBuffer)
	}
	s := &perfSrv{n: n, out: sio.out, o: o, assocs: map[endpoint.AssocID]*perfAssoc{}}
	err = n.waitFor(ctx, o.interval, s.step)
	if err != nil && ctx.Err() == nil {
		return fail(sio, perfCommand, err)
	}
	return 0
}

// step polls every delivery and prints the periodic reports; it returns
// true once -c associations ended.
func (s *perfSrv) step(_ timer.Time, _ bool) bool {
	for {
		id, d, ok := s.n.ep.Poll()
		if !ok {
			break
		}
		s.handle(id, d)
	}
	if s.o.interval > 0 {
		s.report(time.Now())
	}
	return s.o.done > 0 && s.finished >= int(s.o.done)
}

// handle counts one delivery of association id.
func (s *perfSrv) handle(id endpoint.AssocID, d association.Delivery) {
	now := time.Now()
	pa := s.assocs[id]
	if pa == nil {
		pa = &perfAssoc{}
		s.assocs[id] = pa
	}
	if ac, ok := d.Event.(*association.AssocChange); ok && ac.State == association.CommUp {
		if s.o.verbose {
			peer, port := s.n.peerOf(id), uint16(0)
			if a, ok := s.n.ep.Assoc(id); ok {
				port = a.Config().PeerPort
			}
			fmt.Fprintf(s.out, "Connection accepted from %s:%d\n", peer.Addr(), port)
		}
		return
	}
	if !pa.started {
		pa.started, pa.start, pa.roundStart = true, now, now
	}
	switch ev := d.Event.(type) {
	case nil:
		s.message(id, pa, d.Message)
	case *association.ShutdownEvent:
		s.finish(pa, now)
	case *association.AdaptationEvent:
		// tsctp's sockets do not subscribe to it: not a notification.
		if s.o.verbose {
			fmt.Fprintf(s.out, "%s\n", describeEvent(ev))
		}
	default:
		if ended(ev) {
			s.finish(pa, now)
			delete(s.assocs, id)
			return
		}
		pa.calls++
		pa.notes++
		if s.o.verbose {
			fmt.Fprintf(s.out, "notification arrived at %f\n", float64(now.UnixMicro())/1e6)
			fmt.Fprintf(s.out, "%s\n", describeEvent(ev))
		}
	}
}

// message counts one message (or piece of one).
func (s *perfSrv) message(id endpoint.AssocID, pa *perfAssoc, m association.Message) {
	if s.o.vverbose {
		fmt.Fprintf(s.out, "Message received\n")
	}
	pa.calls++
	pa.bytes += uint64(len(m.Data))
	pa.roundBytes += uint64(len(m.Data))
	if m.EndOfRecord {
		pa.messages++
		if pa.firstLen == 0 {
			pa.firstLen = pa.bytes
		}
	}
	if a, ok := s.n.ep.Assoc(id); ok {
		a.Release(m.Data)
	}
}

// finish prints tsctp's summary line of an association, once.
func (s *perfSrv) finish(pa *perfAssoc, now time.Time) {
	if pa.finished {
		return
	}
	pa.finished = true
	s.finished++
	secs, rate := 0.0, 0.0
	if pa.started {
		secs = now.Sub(pa.start).Seconds()
	}
	if secs > 0 {
		rate = float64(pa.firstLen) * float64(pa.messages) / secs
	}
	fmt.Fprintf(s.out, "%d, %d, %d, %d, %f, %f, %d\n",
		pa.firstLen, pa.messages, pa.calls, pa.bytes, secs, rate, pa.notes)
}

// report prints, for every association receiving, the throughput of the
// last -d interval when it is over.
func (s *perfSrv) report(now time.Time) {
	for _, pa := range s.assocs {
		if !pa.started || pa.finished || now.Sub(pa.roundStart) < s.o.interval {
			continue
		}
		secs := now.Sub(pa.roundStart).Seconds()
		fmt.Fprintf(s.out, "throughput for the last %f seconds: %f B/s\n", secs, float64(pa.roundBytes)/secs)
		pa.roundStart, pa.roundBytes = now, 0
	}
}
