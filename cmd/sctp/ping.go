package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"time"

	"github.com/gensctp/gensctp/api"
)

var pingCommand = command{
	name:    "ping",
	args:    "address...",
	summary: "round-trip latency against an echo server (sctp echo, usrsctp's echo_server)",
	details: `Connects to the echo server at -p (a host name stands for every address it
resolves to, IPv6 first), then sends one -l byte message, waits for its
echo and sends the next, -n times (or for -T seconds), with Nagle off
(SCTP_NODELAY). The first -w round trips warm the path up and are not
counted. At the end it shuts the association down gracefully and prints
the round trips in microseconds:
  round trips N, length L, min A, median B, p99 C, max D (us)`,
}

// pingOpts are the flags of ping.
type pingOpts struct {
	knobs
	transport
	port, length, count, warmup int64
	countFlag                   *intValue
	runtime                     time.Duration
	capture                     captureFlag
}

func runPing(ctx context.Context, sio stdio, args []string) int {
	fs := newFlagSet(pingCommand)
	var o pingOpts
	newInt(fs, &o.port, 7, 1, 65535, []string{"p", "port"}, "the echo server's SCTP `port`")
	newInt(fs, &o.length, 64, 1, 1<<20, []string{"l"}, "message `length` in bytes")
	o.countFlag = newInt(fs, &o.count, 1000, 0, 1<<62, []string{"n"}, "`number` of round trips counted, 0 means until -T")
	newInt(fs, &o.warmup, 100, 0, 1<<30, []string{"w"}, "`number` of round trips first, not counted")
	newDur(fs, &o.runtime, 0, 0, 1e6*time.Second, true, []string{"T"}, "ping for this many `seconds` (-n then defaults to 0)")
	o.knobs.register(fs, false)
	o.transport.register(fs, true, false)
	o.capture.register(fs, "the socket")
	pos, code, ok := parseCommand(sio, pingCommand, fs, args)
	if !ok {
		return code
	}
	if len(pos) == 0 {
		return usageFail(sio, pingCommand, usagef("an address is required"))
	}
	if o.runtime > 0 && !o.countFlag.set {
		o.count = 0
	}
	if o.count == 0 && o.runtime == 0 {
		return usageFail(sio, pingCommand, usagef("-n 0 needs -T"))
	}
	addrs, err := o.transport.peers(ctx, pos)
	if err != nil {
		return fail(sio, pingCommand, err)
	}
	opts := append(o.knobs.options(), api.SCTPNodelay(true))
	return o.capture.run(sio, pingCommand, func(capture []api.Option) int {
		opts := append(append(opts, capture...), o.transport.options(false, addrs)...)
		return ping(ctx, sio, &o, opts, addrs)
	})
}

// ping runs the round trips of runPing and prints their summary.
func ping(ctx context.Context, sio stdio, o *pingOpts, opts []api.Option, addrs []netip.Addr) int {
	s, err := openSocket(append(opts, api.Linger(true, 0)), false, false)
	if err != nil {
		return fail(sio, pingCommand, err)
	}
	o.capture.opened(s)
	defer s.Close() // aborts what did not end
	defer onDone(ctx, s)()
	ac, err := connect(ctx, s, addrs, uint16(o.port))
	if err != nil {
		return fail(sio, pingCommand, err)
	}
	rtts, err := pingLoop(s, ac.AssocID, o)
	if err != nil {
		return fail(sio, pingCommand, err)
	}
	if err := shutdownAndWait(ctx, s, ac.AssocID); err != nil {
		return fail(sio, pingCommand, err)
	}
	if len(rtts) == 0 {
		return fail(sio, pingCommand, errors.New("no round trip completed"))
	}
	fmt.Fprintln(sio.out, pingSummary(rtts, int(o.length)))
	return 0
}

// pingLoop makes the round trips: -w uncounted, then -n or until -T. A
// deadline passing (-T, or interrupted: onDone) ends it without error.
func pingLoop(s *api.Socket, id api.AssocID, o *pingOpts) ([]time.Duration, error) {
	msg := bytes.Repeat([]byte{'p'}, int(o.length))
	info := api.SndRcvInfo{AssocID: id}
	rtts := make([]time.Duration, 0, min(max(o.count, 0), 1<<20))
	var end time.Time
	for i := int64(0); o.count == 0 || i < o.warmup+o.count; i++ {
		if i == o.warmup && o.runtime > 0 {
			end = time.Now().Add(o.runtime)
			_ = s.SetDeadline(end)
		}
		start := time.Now()
		if err := s.SendInfo(info, msg); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break
			}
			return rtts, failure(s, id, err)
		}
		if err := pingEcho(s, id, len(msg)); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break
			}
			return rtts, err
		}
		if i >= o.warmup {
			rtts = append(rtts, time.Since(start))
		}
	}
	_ = s.SetDeadline(time.Time{})
	return rtts, nil
}

// pingEcho waits for the echo of a message of n bytes on association id.
func pingEcho(s *api.Socket, id api.AssocID, n int) error {
	for {
		d, err := recv(s)
		switch {
		case err != nil:
			return err
		case d.Assoc() != id:
		case d.Event == nil:
			if len(d.Data) != n {
				return fmt.Errorf("echo of %d bytes, sent %d", len(d.Data), n)
			}
			return nil
		case ended(d.Event):
			return fmt.Errorf("%w: %s", errAssocFailed, describeEvent(d.Event))
		}
	}
}

// pingSummary formats the distribution of the round trips rtts (sorted in
// place) of messages of length bytes.
func pingSummary(rtts []time.Duration, length int) string {
	slices.Sort(rtts)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	q := func(p float64) time.Duration { return rtts[min(len(rtts)-1, int(p*float64(len(rtts))))] }
	return fmt.Sprintf("round trips %d, length %d, min %.1f, median %.1f, p99 %.1f, max %.1f (us)",
		len(rtts), length, us(rtts[0]), us(q(0.5)), us(q(0.99)), us(rtts[len(rtts)-1]))
}
