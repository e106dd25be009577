package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/stream"
)

var perfCommand = command{
	name:    "perf",
	args:    "[address...]",
	summary: "throughput test, flag-compatible with usrsctp's tsctp",
	details: `Without an address, perf is a server: it accepts associations and prints,
when each one ends, tsctp's line
  length, messages, recv calls, bytes, seconds, bytes/s, notifications
(seconds from the first message to the peer's shutdown). With addresses
(several for a multihomed peer; a host name stands for every address it
resolves to, IPv6 first), perf is a client: it sends -n messages
of -l bytes on stream 0 (or for -T seconds), shuts the association down
gracefully and prints
  Sending of N messages of length L took S seconds.
  Throughput was T Byte/sec.
where S runs from the association's establishment until the peer
acknowledged everything and the shutdown completed.
-P and -t give the messages a partial reliability policy (RFC 7496), as
tsctp does: -P 1 -t MS abandons a message MS milliseconds after it was
queued, -P 2 -t N after N retransmissions, -P 3 -t PRIO when the send
buffer needs room for a message of a higher priority (a smaller PRIO).
-streams N sends the messages on streams 0 to N-1 in turn, and -scheduler
picks the stream scheduler that shares the association between them (RFC
8260 Section 3: fcfs, rr, rr_pkt, prio, fb or wfq, with or without the
SCTP_SS_ prefix; the stream values are the defaults, so prio and wfq
share as rr and fb do). -I offers user message interleaving (I-DATA, RFC
8260), used when both ends offer it: the scheduler then interleaves the
fragments of messages of different streams.
One-letter flags may be glued as with getopt: -n1000, -uD.`,
}

// perfOpts are the flags of perf.
type perfOpts struct {
	knobs
	transport
	port, length, count, frag, adapt, done int64
	policy, prValue                        int64
	streams                                int64
	scheduler                              schedulerFlag
	countFlag                              *intValue
	runtime, interval                      time.Duration
	unordered, nodelay, verbose, vverbose  bool
	interleave                             bool
	capture                                captureFlag
	profile                                cpuProfile
}

func runPerf(ctx context.Context, sio stdio, args []string) int {
	fs := newFlagSet(perfCommand)
	var o perfOpts
	newInt(fs, &o.port, 5001, 1, 65535, []string{"p"}, "SCTP `port` (the server's)")
	newInt(fs, &o.length, 1024, 1, 16<<20, []string{"l"}, "message `length` in bytes")
	o.countFlag = newInt(fs, &o.count, 1024, 0, 1<<62, []string{"n"}, "`number` of messages to send, 0 means infinite")
	newDur(fs, &o.runtime, 0, 0, 1e6*time.Second, true, []string{"T"}, "send for this many `seconds` (-n then defaults to 0)")
	fs.BoolVar(&o.unordered, "u", false, "send unordered messages")
	newInt(fs, &o.policy, 0, 0, 3, []string{"P"}, "partial reliability `policy` of the messages (0=none, 1=ttl, 2=rtx, 3=buf)")
	newInt(fs, &o.prValue, 0, 0, 1<<32-1, []string{"t"}, "based on -P the time to live (ms), number of retransmissions, or `priority` of the messages")
	fs.BoolVar(&o.nodelay, "D", false, "turn Nagle off (SCTP_NODELAY)")
	newInt(fs, &o.streams, 1, 1, 65535, []string{"streams"}, "send on this `number` of streams in turn, from stream 0")
	fs.BoolVar(&o.interleave, "I", false, "offer user message interleaving (I-DATA, RFC 8260; used when both ends offer it)")
	fs.Var(&o.scheduler, "scheduler", "stream scheduler `name` (RFC 8260: fcfs, rr, rr_pkt, prio, fb, wfq; default rr)")
	newInt(fs, &o.frag, 0, 0, 65535, []string{"f"}, "fragmentation point: largest user data of a DATA chunk (`bytes`, SCTP_MAXSEG; 0: the path's)")
	newInt(fs, &o.adapt, 0, 0, 1<<32-1, []string{"a"}, "send this Adaptation Layer `indication` (RFC 5061; 0: none)")
	newDur(fs, &o.interval, 0, 0, 1e6*time.Second, true, []string{"d"},
		"every this many `seconds`, print a status line per association and per UDP port to stderr; a server prints tsctp's throughput line too")
	newInt(fs, &o.done, 0, 0, maxInt32, []string{"c"}, "server: exit after `N` associations ended (0: run until killed)")
	fs.BoolVar(&o.verbose, "v", false, "verbose")
	fs.BoolVar(&o.vverbose, "V", false, "very verbose: a line per message")
	o.knobs.register(fs, true)
	o.transport.register(fs, true, true)
	o.capture.register(fs, "the socket")
	o.profile.register(fs)
	pos, code, ok := parseCommand(sio, perfCommand, fs, expandGetopt(fs, args))
	if !ok {
		return code
	}
	stopProfile, err := o.profile.start()
	if err != nil {
		return fail(sio, perfCommand, err)
	}
	defer func() {
		if err := stopProfile(); err != nil {
			fmt.Fprintf(sio.err, "sctp perf: -cpuprofile: %v\n", err)
		}
	}()
	if o.runtime > 0 && !o.countFlag.set {
		o.count = 0
	}
	o.verbose = o.verbose || o.vverbose
	if o.frag > 0 && o.frag < api.MinMaxseg {
		return usageFail(sio, perfCommand, usagef("-f must be 0 or at least %d", api.MinMaxseg))
	}
	if o.streams > o.os {
		return usageFail(sio, perfCommand, usagef("-streams %d is more than the %d outbound streams of -os", o.streams, o.os))
	}
	addrs, err := o.transport.peers(ctx, pos)
	if err != nil {
		return fail(sio, perfCommand, err)
	}
	opts := append(o.knobs.options(), api.SCTPNodelay(o.nodelay), api.SCTPMaxseg(int(o.frag)),
		api.SCTPAdaptationLayer(api.SetAdaptation{AdaptationInd: uint32(o.adapt)}),
		api.SCTPStreamScheduler(api.AssocValue{AssocValue: uint32(o.scheduler.s)}),
		api.SCTPInterleavingSupported(o.interleave))
	return o.capture.run(sio, perfCommand, func(capture []api.Option) int {
		opts := append(opts, capture...)
		if len(addrs) == 0 {
			// The adaptation event is printed with -v.
			opts = append(opts, api.Port(uint16(o.port)), lingerClose,
				api.SCTPEvents(api.EventSubscribe{AdaptationLayerEvent: api.True}))
			return perfServer(ctx, sio, &o, append(opts, o.transport.options(true, nil)...))
		}
		return perfClient(ctx, sio, &o, append(opts, o.transport.options(false, addrs)...), addrs)
	})
}

// perfClient sends the messages and prints tsctp's client summary.
func perfClient(ctx context.Context, sio stdio, o *perfOpts, opts []api.Option, addrs []netip.Addr) int {
	// Abandoned messages (-P) are not read back: no sctp_send_failed
	// event holds their data.
	noFailed := api.SCTPEvents(api.EventSubscribe{SendFailureEvent: api.False})
	s, err := openSocket(append(opts, api.Linger(true, 0), noFailed), false, false)
	if err != nil {
		return fail(sio, perfCommand, err)
	}
	o.capture.opened(s)
	defer s.Close() // aborts what did not end
	defer onDone(ctx, s)()
	defer startStatus(ctx, sio.err, o.interval, func() []labelled { return []labelled{{s: s}} })()
	if o.verbose {
		fmt.Fprintf(sio.out, "Send buffer size: %d.\n", o.sndbuf)
	}
	ac, err := connect(ctx, s, addrs, uint16(o.port))
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
	sent, err := perfSend(ctx, sio, s, ac.AssocID, o)
	if err != nil {
		return fail(sio, perfCommand, err)
	}
	if o.verbose {
		fmt.Fprintf(sio.out, "Closing socket.\n")
	}
	if err := shutdownAndWait(ctx, s, ac.AssocID); err != nil {
		return fail(sio, perfCommand, err)
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(sio.out, "Sending of %d messages of length %d took %f seconds.\n", sent, o.length, secs)
	fmt.Fprintf(sio.out, "Throughput was %f Byte/sec.\n", float64(sent)*float64(o.length)/secs)
	return 0
}

// perfSend sends until -n messages were queued, -T elapsed (the write
// deadline) or ctx is done (onDone), blocking while the send buffer is
// full. It returns the number of messages queued.
func perfSend(ctx context.Context, sio stdio, s *api.Socket, id api.AssocID, o *perfOpts) (uint64, error) {
	if o.runtime > 0 {
		_ = s.SetWriteDeadline(time.Now().Add(o.runtime))
		if ctx.Err() != nil {
			_ = s.SetWriteDeadline(time.Now()) // interrupted meanwhile
		}
	}
	buf := bytes.Repeat([]byte{'b'}, int(o.length))
	info := o.sendInfo(id)
	var sent uint64
	for o.count == 0 || sent < uint64(o.count) {
		info.Stream = uint16(sent % uint64(o.streams))
		if err := s.SendInfo(info, buf); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break // -T elapsed or interrupted: shut down
			}
			return sent, failure(s, id, err)
		}
		sent++
		if o.vverbose {
			fmt.Fprintf(sio.out, "Sending message number %d.\n", sent)
		}
	}
	return sent, nil
}

// sendInfo returns the send parameters of the messages of perfSend:
// -u, -P and -t.
func (o *perfOpts) sendInfo(id api.AssocID) api.SndRcvInfo {
	info := api.SndRcvInfo{AssocID: id, PrInfo: api.PrInfo{Policy: api.PrPolicy(o.policy), Value: uint32(o.prValue)}}
	if o.unordered {
		info.Flags = api.Unordered
	}
	return info
}

// schedulerFlag is the -scheduler flag: an RFC 8260 scheduler name.
type schedulerFlag struct{ s api.StreamScheduler }

// String implements flag.Value.
func (f *schedulerFlag) String() string { return f.s.String() }

// Set implements flag.Value.
func (f *schedulerFlag) Set(v string) error {
	s, ok := stream.ParseScheduler(v)
	if !ok {
		return fmt.Errorf("unknown stream scheduler %q (fcfs, rr, rr_pkt, prio, fb, wfq)", v)
	}
	f.s = s
	return nil
}
