package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
)

var echoCommand = command{
	name:    "echo",
	summary: "echo server: sends every message back on its stream with its PPID (SCTP port 7)",
	details: `Like usrsctp's echo_server. It serves any number of associations at once
and runs until killed (or until -c associations ended). It prints one line
per association event; -v adds one line per message. A message delivered in
pieces (larger than half the receive buffer) is gathered and echoed whole,
up to -max-message bytes under way per association; beyond that the
association is aborted.`,
}

var discardCommand = command{
	name:    "discard",
	summary: "discard server: counts the messages it receives (SCTP port 9)",
	details: `Like usrsctp's discard_server. It prints one line per association event
and, when an association ends, the messages and bytes it received.`,
}

// serverOpts are the flags of echo and discard.
type serverOpts struct {
	knobs
	transport
	port       int64
	count      int64
	maxMessage int64
	verbose    bool
}

func runEcho(ctx context.Context, sio stdio, args []string) int {
	return runServer(ctx, sio, args, echoCommand, 7, true)
}

func runDiscard(ctx context.Context, sio stdio, args []string) int {
	return runServer(ctx, sio, args, discardCommand, 9, false)
}

func runServer(ctx context.Context, sio stdio, args []string, cmd command, port int64, echo bool) int {
	fs := newFlagSet(cmd)
	var o serverOpts
	newInt(fs, &o.port, port, 1, 65535, []string{"p", "port"}, "SCTP `port` to listen on")
	newInt(fs, &o.count, 0, 0, maxInt32, []string{"c"}, "exit after `N` associations ended (0: run until killed)")
	fs.BoolVar(&o.verbose, "v", false, "print a line per message")
	if echo {
		newInt(fs, &o.maxMessage, api.DefaultMaxMessageSize, 1, maxInt32, []string{"max-message"},
			"largest `bytes` of messages delivered in pieces gathered per association; beyond, the association is aborted")
	}
	o.knobs.register(fs, false)
	o.transport.register(fs, false, false)
	pos, code, ok := parseCommand(sio, cmd, fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageFail(sio, cmd, usagef("unexpected argument %q", pos[0]))
	}
	cfg, err := o.config()
	if err != nil {
		return usageFail(sio, cmd, err)
	}
	cfg.NoDelay = true
	o.transport.apply(&cfg) // several -L: announce them all (multihoming)
	n, err := openNode(o.udpConfig(true, nil), uint16(o.port), cfg, int(o.maxAssocs), true)
	if err != nil {
		return fail(sio, cmd, err)
	}
	defer n.close()
	fmt.Fprintf(sio.err, "sctp %s: listening on %s\n", cmd.name, n.addrs())
	s := &server{
		n: n, echo: echo, verbose: o.verbose, out: sio.out, limit: int(o.count),
		maxMessage: int(o.maxMessage),
		stalled:    map[endpoint.AssocID][]association.Message{},
		counts:     map[endpoint.AssocID]*assocCount{},
		pieces:     map[pieceKey][]byte{},
		gathered:   map[endpoint.AssocID]int{},
	}
	err = n.waitFor(ctx, 0, s.step)
	if err != nil && ctx.Err() == nil {
		return fail(sio, cmd, err)
	}
	return 0
}

// server is the state of an echo or discard server. Its methods run with
// the stack locked.
type server struct {
	n       *node
	echo    bool
	verbose bool
	out     io.Writer
	limit   int
	ended   int

	// stalled holds, per association, the echoes its full send buffer
	// refused; such an association is not read until they are sent
	// (back-pressure to the peer through the receive window).
	stalled map[endpoint.AssocID][]association.Message
	counts  map[endpoint.AssocID]*assocCount
	// pieces collects the parts of a message delivered in pieces (partial
	// delivery), so that it is echoed whole; gathered counts their bytes
	// per association, at most maxMessage.
	pieces     map[pieceKey][]byte
	gathered   map[endpoint.AssocID]int
	maxMessage int
}

type assocCount struct{ messages, bytes uint64 }

type pieceKey struct {
	id     endpoint.AssocID
	stream chunk.StreamID
}

// step polls every delivery; it returns true when -c associations ended.
func (s *server) step(now timer.Time, _ bool) bool {
	s.retryStalled(now)
	for len(s.stalled) == 0 {
		id, d, ok := s.n.ep.Poll()
		if !ok {
			break
		}
		s.handle(now, id, d)
	}
	if len(s.stalled) > 0 {
		s.pollUnstalled(now)
	}
	return s.limit > 0 && s.ended >= s.limit
}

// pollUnstalled reads the associations that are not stalled one by one.
func (s *server) pollUnstalled(now timer.Time) {
	for _, id := range s.n.ep.Associations() {
		a, ok := s.n.ep.Assoc(id)
		for ok && s.stalled[id] == nil {
			var d association.Delivery
			if d, ok = a.Poll(); ok {
				s.handle(now, id, d)
			}
		}
	}
}

// retryStalled sends the echoes that were refused, in order.
func (s *server) retryStalled(now timer.Time) {
	for id, q := range s.stalled {
		a, ok := s.n.ep.Assoc(id)
		for ok && len(q) > 0 {
			if s.send(now, a, q[0]) {
				break
			}
			q = q[1:]
		}
		if !ok || len(q) == 0 {
			delete(s.stalled, id)
		} else {
			s.stalled[id] = q
		}
	}
}

// send echoes m on a and reports whether the send buffer was full.
func (s *server) send(now timer.Time, a *association.Association, m association.Message) bool {
	err := a.Send(now, association.SendInfo{Stream: m.Stream, PPID: m.PPID, Unordered: m.Unordered}, m.Data)
	return errors.Is(err, association.ErrWouldBlock)
}

// handle processes one delivery of association id.
func (s *server) handle(now timer.Time, id endpoint.AssocID, d association.Delivery) {
	if d.Event != nil {
		s.event(id, d.Event)
		return
	}
	m := d.Message
	c := s.counts[id]
	if c == nil {
		c = &assocCount{}
		s.counts[id] = c
	}
	c.bytes += uint64(len(m.Data))
	if m.EndOfRecord {
		c.messages++
	}
	if s.verbose {
		fmt.Fprintf(s.out, "assoc %d: %d bytes on stream %d, PPID %d, SSN %d, TSN %d, complete %v\n",
			id, len(m.Data), m.Stream, m.PPID, m.SSN, m.TSN, m.EndOfRecord)
	}
	a, ok := s.n.ep.Assoc(id)
	if !ok {
		return
	}
	if !s.echo || a.State() == association.StateClosed {
		a.Release(m.Data)
		return
	}
	key := pieceKey{id, m.Stream}
	if p, ok := s.pieces[key]; ok || !m.EndOfRecord {
		if s.gathered[id]+len(m.Data) > s.maxMessage {
			s.tooLarge(now, id, a, m)
			return
		}
		s.gathered[id] += len(m.Data)
		m.Data = append(p, m.Data...)
		a.Release(d.Message.Data)
		s.pieces[key] = m.Data
		if !m.EndOfRecord {
			return
		}
		s.dropPieces(id, key) // all of the message, its last piece too
	}
	if q := s.stalled[id]; q != nil {
		s.stalled[id] = append(q, m)
	} else if s.send(now, a, m) {
		s.stalled[id] = []association.Message{m}
	}
}

// event prints an event; an association that ended is counted.
func (s *server) event(id endpoint.AssocID, ev association.Event) {
	if ac, ok := ev.(*association.AssocChange); ok && ac.State == association.CommUp {
		fmt.Fprintf(s.out, "assoc %d: comm_up from %v, %d outbound / %d inbound streams\n",
			id, s.n.peerOf(id), ac.OutboundStreams, ac.InboundStreams)
		return
	}
	fmt.Fprintf(s.out, "assoc %d: %s\n", id, describeEvent(ev))
	if !ended(ev) {
		return
	}
	c := s.counts[id]
	if c == nil {
		c = &assocCount{}
	}
	fmt.Fprintf(s.out, "assoc %d: received %d messages, %d bytes\n", id, c.messages, c.bytes)
	delete(s.counts, id)
	delete(s.stalled, id)
	for k := range s.pieces {
		if k.id == id {
			s.dropPieces(id, k)
		}
	}
	s.ended++
}

// dropPieces forgets the pieces gathered under key, of association id.
func (s *server) dropPieces(id endpoint.AssocID, key pieceKey) {
	if n := s.gathered[id] - len(s.pieces[key]); n > 0 {
		s.gathered[id] = n
	} else {
		delete(s.gathered, id)
	}
	delete(s.pieces, key)
}

// tooLarge aborts association id, whose message m (a piece) would take
// the pieces gathered beyond -max-message: it cannot be echoed whole.
func (s *server) tooLarge(now timer.Time, id endpoint.AssocID, a *association.Association, m association.Message) {
	fmt.Fprintf(s.out, "assoc %d: message on stream %d beyond -max-message %d bytes gathered: aborting\n",
		id, m.Stream, s.maxMessage)
	a.Release(m.Data)
	for k := range s.pieces {
		if k.id == id {
			s.dropPieces(id, k)
		}
	}
	a.Abort(now, []byte("message too large"))
}
