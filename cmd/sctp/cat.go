package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
)

var catCommand = command{
	name:    "cat",
	args:    "address... | -l",
	summary: "stdin to the peer and the peer's data to stdout, over one stream",
	details: `Like netcat. With addresses (several for a multihomed peer) cat connects
to the peer's -p port; with -l (or no address) it listens on -p and
serves the first association. Every read from stdin becomes one message
on stream -stream; the messages received on any stream go to stdout. At
EOF on stdin cat waits -q, then shuts the association down gracefully
(everything sent is delivered first) and exits when the shutdown
completes; it also exits when the peer shuts down.`,
}

// catOpts are the flags of cat.
type catOpts struct {
	knobs
	transport
	port, stream, ppid int64
	linger             time.Duration
	listen, verbose    bool
}

// catReadSize is the largest message cat makes of one read from stdin.
const catReadSize = 64 << 10

func runCat(ctx context.Context, sio stdio, args []string) int {
	fs := newFlagSet(catCommand)
	var o catOpts
	newInt(fs, &o.port, 7, 1, 65535, []string{"p", "port"}, "SCTP `port`: the peer's, or the one to listen on with -l")
	fs.BoolVar(&o.listen, "l", false, "listen: serve the first association instead of connecting")
	newInt(fs, &o.stream, 0, 0, 65535, []string{"stream"}, "the `stream` to send on")
	newInt(fs, &o.ppid, 0, 0, 1<<32-1, []string{"ppid"}, "the payload protocol `identifier` of the messages sent")
	newDur(fs, &o.linger, 0, 0, 24*time.Hour, true, []string{"q"}, "after EOF on stdin, wait this many `seconds` before shutting down (to receive replies)")
	fs.BoolVar(&o.verbose, "v", false, "print the association events on stderr")
	o.knobs.register(fs, false)
	o.transport.register(fs, true, false)
	pos, code, ok := parseCommand(sio, catCommand, fs, args)
	if !ok {
		return code
	}
	addrs, err := parseAddrs(pos)
	if err != nil {
		return usageFail(sio, catCommand, err)
	}
	if o.listen && len(addrs) > 0 {
		return usageFail(sio, catCommand, usagef("-l listens: it takes no address"))
	}
	cfg, err := o.config()
	if err != nil {
		return usageFail(sio, catCommand, err)
	}
	if int64(o.stream) >= int64(cfg.OutboundStreams) {
		return usageFail(sio, catCommand, usagef("-stream %d needs -os > %d", o.stream, o.stream))
	}
	cfg.NoDelay = true
	o.transport.apply(&cfg)
	server := len(addrs) == 0
	maxAssocs := int(o.maxAssocs)
	if server && maxAssocs == 0 {
		maxAssocs = 1 // further peers get an ABORT (Out of Resource)
	}
	port := uint16(0)
	if server {
		port = uint16(o.port)
	}
	n, err := openNode(o.udpConfig(server, addrs), port, cfg, maxAssocs, server)
	if err != nil {
		return fail(sio, catCommand, err)
	}
	defer n.st.Close()
	var id endpoint.AssocID
	if server {
		fmt.Fprintf(sio.err, "sctp cat: listening on %s\n", n.addrs())
		id, err = acceptFirst(ctx, n)
	} else {
		id, _, err = n.connect(ctx, o.peers(addrs), uint16(o.port), nil)
	}
	if err != nil {
		if ctx.Err() != nil {
			return 0
		}
		return fail(sio, catCommand, err)
	}
	if o.verbose {
		fmt.Fprintf(sio.err, "sctp cat: association %d with %v up\n", id, n.peerOf(id))
	}
	return catSession(ctx, sio, n, id, &o)
}

// acceptFirst waits for the first association to come up.
func acceptFirst(ctx context.Context, n *node) (endpoint.AssocID, error) {
	var id endpoint.AssocID
	err := n.st.Wait(ctx, func(timer.Time) bool {
		for {
			got, d, ok := n.ep.Poll()
			if !ok {
				return false
			}
			if ac, ok := d.Event.(*association.AssocChange); ok && ac.State == association.CommUp {
				id = got
				return true
			}
		}
	})
	return id, err
}

// catSession copies stdin to association id and its messages to stdout
// until the association ends.
func catSession(ctx context.Context, sio stdio, n *node, id endpoint.AssocID, o *catOpts) int {
	sctx, cancel := context.WithCancel(ctx)
	senderDone := make(chan error, 1)
	go func() { senderDone <- catSend(sctx, sio.in, n, id, o) }()
	err := catReceive(ctx, sio, n, id, o.verbose)
	cancel()
	serr := <-senderDone
	switch {
	case ctx.Err() != nil:
		// Interrupted: shut down gracefully, bounded.
		if err := shutdownAndWait(ctx, n, id); err != nil && !errors.Is(err, errAssocFailed) {
			return fail(sio, catCommand, err)
		}
		return 0
	case err != nil:
		return fail(sio, catCommand, err)
	case serr != nil && !errors.Is(serr, context.Canceled):
		return fail(sio, catCommand, serr)
	}
	return 0
}

// catReceive writes the messages of association id to stdout until it
// ends; it returns an error when it failed.
func catReceive(ctx context.Context, sio stdio, n *node, id endpoint.AssocID, verbose bool) error {
	var batch [][]byte
	var events []association.Event
	var end association.Event
	for end == nil {
		batch, events = batch[:0], events[:0]
		err := n.st.Wait(ctx, func(timer.Time) bool {
			size := 0
			for size < 1<<20 && end == nil {
				got, d, ok := n.ep.Poll()
				if !ok {
					break
				}
				switch {
				case got != id:
				case d.Event == nil:
					batch = append(batch, d.Message.Data)
					size += len(d.Message.Data)
				case ended(d.Event):
					end = d.Event
				default:
					events = append(events, d.Event)
				}
			}
			return len(batch) > 0 || len(events) > 0 || end != nil
		})
		if err != nil {
			return err
		}
		for _, b := range batch {
			if _, err := sio.out.Write(b); err != nil {
				_ = n.st.Do(func(now timer.Time) error {
					if a, ok := n.ep.Assoc(id); ok {
						a.Abort(now, nil)
					}
					return nil
				})
				return fmt.Errorf("stdout: %w", err)
			}
		}
		if verbose {
			for _, ev := range events {
				fmt.Fprintf(sio.err, "sctp cat: %s\n", describeEvent(ev))
			}
		}
	}
	if verbose {
		fmt.Fprintf(sio.err, "sctp cat: %s\n", describeEvent(end))
	}
	if ac := end.(*association.AssocChange); ac.State != association.ShutdownComp {
		return fmt.Errorf("%w: %s", errAssocFailed, describeEvent(ac))
	}
	return nil
}

// catSend sends what it reads from in as messages, then shuts the
// association down at EOF.
func catSend(ctx context.Context, in io.Reader, n *node, id endpoint.AssocID, o *catOpts) error {
	chunks := make(chan []byte)
	readErr := make(chan error, 1)
	go func() {
		defer close(chunks)
		for {
			b := make([]byte, catReadSize)
			k, err := in.Read(b)
			if k > 0 {
				select {
				case chunks <- b[:k]:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				if err != io.EOF {
					readErr <- err
				}
				return
			}
		}
	}()
	info := association.SendInfo{Stream: chunk.StreamID(o.stream), PPID: chunk.PPID(o.ppid)}
	for {
		var b []byte
		var ok bool
		select {
		case b, ok = <-chunks:
		case <-ctx.Done():
			return ctx.Err()
		}
		if !ok {
			break
		}
		if err := sendBlocking(ctx, n, id, info, b); err != nil {
			return err
		}
	}
	select {
	case err := <-readErr:
		return fmt.Errorf("stdin: %w", err)
	default:
	}
	if o.linger > 0 {
		t := time.NewTimer(o.linger)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return n.st.Do(func(now timer.Time) error {
		if a, ok := n.ep.Assoc(id); ok {
			_ = a.Shutdown(now) // ErrClosed: the peer is shutting down already
		}
		return nil
	})
}

// sendBlocking sends one message on association id, blocking while the
// send buffer is full.
func sendBlocking(ctx context.Context, n *node, id endpoint.AssocID, info association.SendInfo, b []byte) error {
	var serr error
	err := n.st.Wait(ctx, func(now timer.Time) bool {
		a, ok := n.ep.Assoc(id)
		if !ok {
			serr = association.ErrClosed
			return true
		}
		err := a.Send(now, info, b)
		if errors.Is(err, association.ErrWouldBlock) {
			return false
		}
		serr = err
		return true
	})
	if err != nil {
		return err
	}
	if errors.Is(serr, association.ErrClosed) {
		return context.Canceled // the association is ending: the receiver reports how
	}
	return serr
}
