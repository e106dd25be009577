package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/gensctp/gensctp/api"
)

// perfAssoc counts what one association delivered, as tsctp's
// handle_connection does.
type perfAssoc struct {
	firstLen   uint64 // length of the first complete message
	messages   uint64 // complete messages
	calls      uint64 // receive calls: messages and notifications
	bytes      uint64
	notes      uint64 // notifications: path changes, errors, failed sends, PD-API
	started    bool
	start      time.Time // first delivery
	roundStart time.Time
	roundBytes uint64
	finished   bool
}

// perfSrv is the state of a perf server.
type perfSrv struct {
	out      io.Writer
	o        *perfOpts
	assocs   map[api.AssocID]*perfAssoc
	finished int
}

// perfServer accepts associations until ctx is done or -c of them ended.
func perfServer(ctx context.Context, sio stdio, o *perfOpts, opts []api.Option) int {
	s, err := openSocket(opts, true, len(o.local) == 0)
	if err != nil {
		return fail(sio, perfCommand, err)
	}
	o.capture.opened(s)
	defer s.Close()
	fmt.Fprintf(sio.err, "sctp perf: listening on %s\n", describeAddrs(s))
	if o.verbose {
		fmt.Fprintf(sio.out, "Receive buffer size: %d.\n", o.rcvbuf)
	}
	srv := &perfSrv{out: sio.out, o: o, assocs: map[api.AssocID]*perfAssoc{}}
	ch, err := mailbox(s)
	if err != nil {
		return fail(sio, perfCommand, err)
	}
	defer startStatus(ctx, sio.err, o.interval, func() []labelled { return []labelled{{s: s}} })()
	var tick <-chan time.Time
	if o.interval > 0 {
		t := time.NewTicker(o.interval)
		defer t.Stop()
		tick = t.C
	}
	for o.done == 0 || srv.finished < int(o.done) {
		select {
		case d := <-ch:
			srv.handle(d)
		case <-tick:
		case <-ctx.Done():
			return 0
		}
		if o.interval > 0 {
			srv.report(time.Now())
		}
	}
	return 0
}

// handle counts one delivery.
func (srv *perfSrv) handle(d api.Delivery) {
	id := d.Assoc()
	pa := srv.assocs[id]
	if pa == nil {
		pa = &perfAssoc{}
		srv.assocs[id] = pa
	}
	if d.Event == nil && pa.started {
		srv.message(pa, d.Data) // the common case reads no clock
		return
	}
	now := time.Now()
	if ac, ok := d.Event.(*api.AssocChange); ok && ac.State == api.CommUp {
		if srv.o.verbose {
			fmt.Fprintf(srv.out, "Connection accepted from %s:%d\n", d.From.Addr(), d.From.Port())
		}
		return
	}
	if !pa.started {
		pa.started, pa.start, pa.roundStart = true, now, now
	}
	switch ev := d.Event.(type) {
	case nil:
		srv.message(pa, d.Data)
	case *api.ShutdownEvent:
		srv.finish(pa, now)
	case *api.AdaptationEvent:
		// tsctp's sockets do not subscribe to it: not a notification.
		if srv.o.verbose {
			fmt.Fprintf(srv.out, "%s\n", describeEvent(ev))
		}
	default:
		if ended(ev) {
			srv.finish(pa, now)
			delete(srv.assocs, id)
			return
		}
		pa.calls++
		pa.notes++
		if srv.o.verbose {
			fmt.Fprintf(srv.out, "notification arrived at %f\n", float64(now.UnixMicro())/1e6)
			fmt.Fprintf(srv.out, "%s\n", describeEvent(ev))
		}
	}
}

// message counts one message (api delivers messages whole).
func (srv *perfSrv) message(pa *perfAssoc, data []byte) {
	if srv.o.vverbose {
		fmt.Fprintf(srv.out, "Message received\n")
	}
	pa.calls++
	pa.bytes += uint64(len(data))
	pa.roundBytes += uint64(len(data))
	pa.messages++
	if pa.firstLen == 0 {
		pa.firstLen = pa.bytes
	}
}

// finish prints tsctp's summary line of an association, once.
func (srv *perfSrv) finish(pa *perfAssoc, now time.Time) {
	if pa.finished {
		return
	}
	pa.finished = true
	srv.finished++
	secs, rate := 0.0, 0.0
	if pa.started {
		secs = now.Sub(pa.start).Seconds()
	}
	if secs > 0 {
		rate = float64(pa.firstLen) * float64(pa.messages) / secs
	}
	fmt.Fprintf(srv.out, "%d, %d, %d, %d, %f, %f, %d\n",
		pa.firstLen, pa.messages, pa.calls, pa.bytes, secs, rate, pa.notes)
}

// report prints, for every association receiving, the throughput of the
// last -d interval when it is over.
func (srv *perfSrv) report(now time.Time) {
	for _, pa := range srv.assocs {
		if !pa.started || pa.finished || now.Sub(pa.roundStart) < srv.o.interval {
			continue
		}
		secs := now.Sub(pa.roundStart).Seconds()
		fmt.Fprintf(srv.out, "throughput for the last %f seconds: %f B/s\n", secs, float64(pa.roundBytes)/secs)
		pa.roundStart, pa.roundBytes = now, 0
	}
}
