package main

import (
	"context"
	"fmt"
	"time"

	"github.com/gensctp/gensctp/api"
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
and, when an association ends, the messages and bytes it received. It
counts messages whole: one delivered in pieces is gathered, up to
-max-message bytes under way per association; beyond that the association
is aborted.`,
}

// serverOpts are the flags of echo and discard.
type serverOpts struct {
	knobs
	transport
	port       int64
	count      int64
	maxMessage int64
	verbose    bool
	status     time.Duration
	capture    captureFlag
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
	registerStatus(fs, &o.status)
	newInt(fs, &o.maxMessage, api.DefaultMaxMessageSize, 1, maxInt32, []string{"max-message"},
		"largest `bytes` of messages delivered in pieces gathered per association; beyond, the association is aborted")
	o.knobs.register(fs, false)
	o.transport.register(fs, false, false)
	o.capture.register(fs, "the server's socket")
	pos, code, ok := parseCommand(sio, cmd, fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageFail(sio, cmd, usagef("unexpected argument %q", pos[0]))
	}
	if err := o.transport.resolve(ctx); err != nil {
		return fail(sio, cmd, err)
	}
	opts := append(o.knobs.options(), api.SCTPNodelay(true), api.Port(uint16(o.port)),
		api.MaxMessageSize(int(o.maxMessage)), lingerClose)
	return o.capture.run(sio, cmd, func(capture []api.Option) int {
		return serve(ctx, sio, cmd, &o, echo, append(opts, capture...))
	})
}

// serve opens the socket of echo or discard and serves it.
func serve(ctx context.Context, sio stdio, cmd command, o *serverOpts, echo bool, opts []api.Option) int {
	s, err := openSocket(append(opts, o.transport.options(true, nil)...), true, len(o.local) == 0)
	if err != nil {
		return fail(sio, cmd, err)
	}
	o.capture.opened(s)
	fmt.Fprintf(sio.err, "sctp %s: listening on %s\n", cmd.name, describeAddrs(s))
	srv := &server{echo: echo, verbose: o.verbose, out: sio.out, limit: int(o.count), maxMessage: int(o.maxMessage),
		counts: map[api.AssocID]*assocCount{}, pdapi: map[api.AssocID]uint16{}, children: map[*api.Socket]bool{}}
	stop := startStatus(ctx, sio.err, o.status, func() []labelled { return srv.sockets(s) })
	err = srv.run(ctx, s) // closes s
	stop()
	if err != nil && ctx.Err() == nil {
		return fail(sio, cmd, err)
	}
	return 0
}
