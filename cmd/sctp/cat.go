package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/api"
)

var catCommand = command{
	name:    "cat",
	args:    "address... | -l",
	summary: "stdin to the peer and the peer's data to stdout, over one stream",
	details: `Like netcat. With addresses (several for a multihomed peer; a host name
stands for every address it resolves to, IPv6 first) cat connects
to the peer's -p port; with -l (or no address) it listens on -p and
serves the first association (-max-assocs is 1 unless given: further
peers get an ABORT). Every read from stdin becomes one message
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
	linger, status     time.Duration
	listen, verbose    bool
	capture            captureFlag
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
	registerStatus(fs, &o.status)
	o.knobs.register(fs, false)
	o.transport.register(fs, true, false)
	o.capture.register(fs, "the socket")
	pos, code, ok := parseCommand(sio, catCommand, fs, args)
	if !ok {
		return code
	}
	if o.listen && len(pos) > 0 {
		return usageFail(sio, catCommand, usagef("-l listens: it takes no address"))
	}
	if o.stream >= o.os {
		return usageFail(sio, catCommand, usagef("-stream %d needs -os > %d", o.stream, o.stream))
	}
	addrs, err := o.transport.peers(ctx, pos)
	if err != nil {
		return fail(sio, catCommand, err)
	}
	server := len(addrs) == 0
	opts := append(o.knobs.options(), api.SCTPNodelay(true), api.Linger(true, 0)) // Close aborts what did not end
	if server {
		opts = append(opts, api.Port(uint16(o.port)))
		if !o.maxAssocsFlag.set {
			opts = append(opts, api.MaxAssociations(1)) // further peers get an ABORT (Out of Resource)
		}
	}
	return o.capture.run(sio, catCommand, func(capture []api.Option) int {
		return cat(ctx, sio, &o, addrs, append(opts, capture...))
	})
}

// cat opens the socket, sets up the association (with the peer at
// addrs, or the first that comes without) and runs the session.
func cat(ctx context.Context, sio stdio, o *catOpts, addrs []netip.Addr, opts []api.Option) int {
	server := len(addrs) == 0
	s, err := openSocket(append(opts, o.transport.options(server, addrs)...), server, server && len(o.local) == 0)
	if err != nil {
		return fail(sio, catCommand, err)
	}
	o.capture.opened(s)
	defer s.Close()
	defer onDone(ctx, s)()
	defer startStatus(ctx, sio.err, o.status, func() []labelled { return []labelled{{s: s}} })()
	var id api.AssocID
	if server {
		fmt.Fprintf(sio.err, "sctp cat: listening on %s\n", describeAddrs(s))
		id, err = acceptFirst(s)
	} else {
		var ac *api.AssocChange
		if ac, err = connect(ctx, s, addrs, uint16(o.port)); err == nil {
			id = ac.AssocID
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return 0
		}
		return fail(sio, catCommand, err)
	}
	if o.verbose {
		var peer netip.AddrPort
		if peers, _ := s.PeerNames(id); len(peers) > 0 {
			peer = peers[0] // the primary path
		}
		fmt.Fprintf(sio.err, "sctp cat: association %d with %v up\n", id, peer)
	}
	return catSession(ctx, sio, s, id, o)
}

// acceptFirst waits for the first association to come up; other
// deliveries are dropped.
func acceptFirst(s *api.Socket) (api.AssocID, error) {
	for {
		d, err := recv(s)
		if err != nil {
			return 0, err
		}
		if ac, ok := d.Event.(*api.AssocChange); ok && ac.State == api.CommUp {
			return ac.AssocID, nil
		}
	}
}

// catSession copies stdin to association id and its messages to stdout
// until the association ends.
func catSession(ctx context.Context, sio stdio, s *api.Socket, id api.AssocID, o *catOpts) int {
	sctx, cancel := context.WithCancel(ctx)
	senderDone := make(chan error, 1)
	go func() { senderDone <- catSend(sctx, sio.in, s, id, o) }()
	err := catReceive(sio, s, id, o.verbose)
	cancel()
	_ = s.SetWriteDeadline(time.Now()) // a send still blocked returns
	serr := <-senderDone
	switch {
	case ctx.Err() != nil:
		// Interrupted: shut down gracefully, bounded.
		if err := shutdownAndWait(ctx, s, id); err != nil && !errors.Is(err, errAssocFailed) {
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
func catReceive(sio stdio, s *api.Socket, id api.AssocID, verbose bool) error {
	for {
		d, err := recv(s)
		switch {
		case err != nil:
			return err
		case d.Assoc() != id:
		case d.Event == nil:
			if _, err := sio.out.Write(d.Data); err != nil {
				_ = s.Abort(id)
				return fmt.Errorf("stdout: %w", err)
			}
		case ended(d.Event):
			if verbose {
				fmt.Fprintf(sio.err, "sctp cat: %s\n", describeEvent(d.Event))
			}
			if ac := d.Event.(*api.AssocChange); ac.State != api.ShutdownComp {
				return fmt.Errorf("%w: %s", errAssocFailed, describeEvent(ac))
			}
			return nil
		case verbose:
			fmt.Fprintf(sio.err, "sctp cat: %s\n", describeEvent(d.Event))
		}
	}
}

// catSend sends what it reads from in as messages, then shuts the
// association down at EOF. It stops when ctx ends (a send blocked then
// returns by the write deadline catSession sets).
func catSend(ctx context.Context, in io.Reader, s *api.Socket, id api.AssocID, o *catOpts) error {
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
	info := api.SndRcvInfo{AssocID: id, Stream: uint16(o.stream), PPID: uint32(o.ppid)}
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
		if err := s.SendInfo(info, b); err != nil {
			if ctx.Err() != nil || errors.Is(err, api.ErrAssociationClosed) || errors.Is(err, api.ErrNoAssociation) {
				return context.Canceled // the association is ending: the receiver reports how
			}
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
	_ = s.Eof(id) // an error: the peer is shutting down already, or it ended
	return nil
}
