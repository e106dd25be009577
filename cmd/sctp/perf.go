package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
)

var perfCommand = command{
	name:    "perf",
	args:    "[address...]",
	summary: "throughput test, flag-compatible with usrsctp's tsctp",
	details: `Without an address, perf is a server: it accepts associations and prints,
when each one ends, tsctp's line
  length, messages, recv calls, bytes, seconds, bytes/s, notifications
(seconds from the first message to the peer's shutdown). With addresses
(several for a multihomed peer), perf is a client: it sends -n messages
of -l bytes on stream 0 (or for -T seconds), shuts the association down
gracefully and prints
  Sending of N messages of length L took S seconds.
  Throughput was T Byte/sec.
where S runs from the association's establishment until the peer
acknowledged everything and the shutdown completed.
One-letter flags may be glued as with getopt: -n1000, -uD.`,
}

// perfOpts are the flags of perf.
type perfOpts struct {
	knobs
	transport
	port, length, count, frag, adapt, done int64
	countFlag, adaptFlag                   *intValue
	runtime, interval                      time.Duration
	unordered, nodelay, verbose, vverbose  bool
}

func runPerf(ctx context.Context, sio stdio, args []string) int {
	fs := newFlagSet(perfCommand)
	var o perfOpts
	newInt(fs, &o.port, 5001, 1, 65535, []string{"p"}, "SCTP `port` (the server's)")
	newInt(fs, &o.length, 1024, 1, 16<<20, []string{"l"}, "message `length` in bytes")
	o.countFlag = newInt(fs, &o.count, 1024, 0, 1<<62, []string{"n"}, "`number` of messages to send, 0 means infinite")
	newDur(fs, &o.runtime, 0, 0, 1e6*time.Second, true, []string{"T"}, "send for this many `seconds` (-n then defaults to 0)")
	fs.BoolVar(&o.unordered, "u", false, "send unordered messages")
	fs.BoolVar(&o.nodelay, "D", false, "turn Nagle off (SCTP_NODELAY)")
	newInt(fs, &o.frag, 0, 0, 65535, []string{"f"}, "fragmentation point: largest user data of a DATA chunk (`bytes`, SCTP_MAXSEG; 0: the path's)")
	o.adaptFlag = newInt(fs, &o.adapt, 0, 0, 1<<32-1, []string{"a"}, "send this Adaptation Layer `indication`")
	newDur(fs, &o.interval, 0, 0, 1e6*time.Second, true, []string{"d"}, "server: print the throughput every this many `seconds`")
	newInt(fs, &o.done, 0, 0, maxInt32, []string{"c"}, "server: exit after `N` associations ended (0: run until killed)")
	fs.BoolVar(&o.verbose, "v", false, "verbose")
	fs.BoolVar(&o.vverbose, "V", false, "very verbose: a line per message")
	o.knobs.register(fs, true)
	o.transport.register(fs, true, true)
	pos, code, ok := parseCommand(sio, perfCommand, fs, expandGetopt(fs, args))
	if !ok {
		return code
	}
	if o.runtime > 0 && !o.countFlag.set {
		o.count = 0
	}
	o.verbose = o.verbose || o.vverbose
	addrs, err := parseAddrs(pos)
	if err != nil {
		return usageFail(sio, perfCommand, err)
	}
	cfg, err := o.config()
	if err != nil {
		return usageFail(sio, perfCommand, err)
	}
	cfg.NoDelay, cfg.MaxSeg = o.nodelay, int(o.frag)
	cfg.Adaptation, cfg.HasAdaptation = uint32(o.adapt), o.adaptFlag.set
	o.transport.apply(&cfg)
	if len(addrs) == 0 {
		return perfServer(ctx, sio, &o, cfg)
	}
	return perfClient(ctx, sio, &o, cfg, addrs)
}

// perfClient sends the messages and prints tsctp's client summary.
func perfClient(ctx context.Context, sio stdio, o *perfOpts, cfg association.Config, addrs []netip.Addr) int {
	n, err := openNode(o.udpConfig(false, addrs), 0, cfg, 0, false)
	if err != nil {
		return fail(sio, perfCommand, err)
	}
	defer n.st.Close()
	if o.verbose {
		fmt.Fprintf(sio.out, "Send buffer size: %d.\n", cfg.SendBuffer)
	}
	id, _, err := n.connect(ctx, o.peers(addrs), uint16(o.port), nil)
	if err != nil {
		return fail(sio, perfCommand, err)
	}
	start := time.Now()
	if o.verbose {
		fmt.Fprintf(sio.out, "Start sending ")
		if o.count > 0 {
			fmt.Fprintf(sio.out, "%d messages ", o.count)
		}
		if o.runtime > 0 {
			fmt.Fprintf(sio.out, "for %s seconds ...", strconv.FormatFloat(o.runtime.Seconds(), 'f', -1, 64))
		}
		fmt.Fprintln(sio.out)
	}
	sent, err := perfSend(ctx, sio, n, id, o)
	if err != nil {
		return fail(sio, perfCommand, err)
	}
	if o.verbose {
		fmt.Fprintf(sio.out, "Closing socket.\n")
	}
	if err := shutdownAndWait(ctx, n, id); err != nil {
		return fail(sio, perfCommand, err)
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(sio.out, "Sending of %d messages of length %d took %f seconds.\n", sent, o.length, secs)
	fmt.Fprintf(sio.out, "Throughput was %f Byte/sec.\n", float64(sent)*float64(o.length)/secs)
	return 0
}

// perfSend sends until -n messages were queued, -T elapsed or ctx is
// done, blocking while the send buffer is full. It returns the number of
// messages queued.
func perfSend(ctx context.Context, sio stdio, n *node, id endpoint.AssocID, o *perfOpts) (uint64, error) {
	sctx, cancel := ctx, context.CancelFunc(func() {})
	if o.runtime > 0 {
		sctx, cancel = context.WithTimeout(ctx, o.runtime)
	}
	defer cancel()
	buf := bytes.Repeat([]byte{'b'}, int(o.length))
	info := association.SendInfo{Unordered: o.unordered}
	var sent uint64
	var failure error
	err := n.st.Wait(sctx, func(now timer.Time) bool {
		if failure = drainClient(n, id); failure != nil {
			return true
		}
		a, ok := n.ep.Assoc(id)
		if !ok {
			failure = errAssocFailed
			return true
		}
		for o.count == 0 || sent < uint64(o.count) {
			err := a.Send(now, info, buf)
			if errors.Is(err, association.ErrWouldBlock) {
				return false
			}
			if err != nil {
				failure = err
				return true
			}
			sent++
			if o.vverbose {
				fmt.Fprintf(sio.out, "Sending message number %d.\n", sent)
			}
		}
		return true
	})
	if failure != nil {
		return sent, failure
	}
	if err != nil && sctx.Err() == nil {
		return sent, err // the stack closed
	}
	return sent, nil // done, -T elapsed or interrupted: shut down
}

// drainClient polls and drops the deliveries of a sending client; it
// returns an error when the association failed.
func drainClient(n *node, id endpoint.AssocID) error {
	for {
		got, d, ok := n.ep.Poll()
		if !ok {
			return nil
		}
		if d.Event == nil {
			if a, ok := n.ep.Assoc(got); ok {
				a.Release(d.Message.Data)
			}
			continue
		}
		if got == id && ended(d.Event) {
			return fmt.Errorf("%w: %s", errAssocFailed, describeEvent(d.Event))
		}
	}
}

// shutdownAndWait shuts association id down gracefully (RFC 9260 Section
// 9.2: everything queued is delivered first) and waits for the end. When
// ctx is done already (interrupted), the wait is bounded by closeTimeout;
// an interruption during the wait aborts the association.
func shutdownAndWait(ctx context.Context, n *node, id endpoint.AssocID) error {
	err := n.st.Do(func(now timer.Time) error {
		a, ok := n.ep.Assoc(id)
		if !ok {
			return errAssocFailed
		}
		return a.Shutdown(now)
	})
	if err != nil {
		return err
	}
	wctx := ctx
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
		defer cancel()
	}
	var result error
	err = n.st.Wait(wctx, func(timer.Time) bool {
		for {
			got, d, ok := n.ep.Poll()
			if !ok {
				return false
			}
			if got != id || d.Event == nil || !ended(d.Event) {
				continue
			}
			if ac := d.Event.(*association.AssocChange); ac.State != association.ShutdownComp {
				result = fmt.Errorf("%w: %s", errAssocFailed, describeEvent(ac))
			}
			return true
		}
	})
	if err != nil {
		_ = n.st.Do(func(now timer.Time) error {
			if a, ok := n.ep.Assoc(id); ok {
				a.Abort(now, nil)
			}
			return nil
		})
		return fmt.Errorf("shutdown: %w", err)
	}
	return result
}
