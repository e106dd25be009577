// Package stack runs gensctp for real: it drives the endpoints of one or
// more local SCTP ports over a packet transport (packetio.Transport: by
// default the UDP sockets of a udpencap.Conn) with the real clock. It is
// the event loop (the I/O edge), used by the api package:
//
//   - the associations are spread over shards (Config.Shards), each a
//     single-threaded sans-IO core of its own (an endpoint.Mux with one
//     endpoint.Endpoint per SCTP port, endpoint.Config.Shard) under a lock
//     of its own, with one runtime timer re-armed to the shard's next
//     deadline: no goroutine or timer per association;
//   - reader goroutines read batches of datagrams from the transport and
//     hand each to its shard (endpoint.Router: by verification tag, or by
//     a keyed hash of the source), so that associations of different
//     shards are processed in parallel, on different cores;
//   - what a shard has to send is queued under its lock and written after
//     the lock is released: no system call under a lock that other
//     associations need (see shard.go);
//   - user operations run under the stack's lock through Do, which takes
//     the lock of each shard an operation touches when it touches it
//     (Endpoint), and callers block for deliveries or send-buffer space
//     with WaitOn, on a WaitQueue of their own (the readers of a socket,
//     say); a caller working on one association only (the reader of a
//     one-to-one socket taking a message that is there) runs on its shard
//     alone, as a reader does, without the stack's lock (Endpoint.Direct);
//   - after every input the stack takes from each endpoint the
//     associations that changed (endpoint.Endpoint.TakeChanged) and hands
//     them to the watcher of its port (Watch), which wakes exactly the
//     queues concerned and schedules work (Schedule: the active-mode
//     delivery of a socket, say): nothing scans the idle associations,
//     sockets or waiters;
//   - a value for a full channel waits in a Parker, with a goroutine of
//     its own only while it is parked: no goroutine per association or
//     per socket otherwise.
//
// Locks are taken in one order: the stack's lock, then shard locks, then
// the small locks of queues (leaves). Readers and timers hold one shard
// lock and never wait for the stack's lock (they leave the changes they
// found for its holder, see lock.go), so user operations, serialised by
// the stack's lock, and the processing of packets do not deadlock.
package stack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/internal/logs"
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/pion/logging"
)

// ErrClosed is returned by operations on a closed Stack. It satisfies
// errors.Is(err, net.ErrClosed).
var ErrClosed = net.ErrClosed

// MaxShards bounds Config.Shards.
const MaxShards = 64

// maxReaders bounds the reader goroutines of a stack.
const maxReaders = 8

// EnvShards is the environment variable that, set to a number from 1 to
// MaxShards, replaces DefaultShards' choice: GENSCTP_SHARDS=1 runs every
// stack of the process on one core (as the tests do in CI, beside the
// default).
const EnvShards = "GENSCTP_SHARDS"

// DefaultShards returns the shards of a stack whose Config.Shards is 0:
// one per core the Go scheduler runs on (GOMAXPROCS when the stack
// starts), at most 8; or the number EnvShards holds.
func DefaultShards() int {
	if n, err := strconv.Atoi(os.Getenv(EnvShards)); err == nil && n >= 1 && n <= MaxShards {
		return n
	}
	return min(runtime.GOMAXPROCS(0), 8)
}

// Config configures a Stack.
type Config struct {
	// Transport carries the packets; the Stack owns it and closes it when
	// it closes. nil opens UDP encapsulation sockets as UDP says.
	Transport packetio.Transport
	// UDP opens the encapsulation sockets when Transport is nil.
	UDP udpencap.Config
	// Shards is the number of shards the associations are spread over,
	// 1 to MaxShards; 0 means DefaultShards. Each shard is a core of its
	// own, run in parallel with the others (with as many reader
	// goroutines as shards, at most 8); with 1, one core runs everything
	// as a single-threaded event loop. With more than one, the
	// randomness source of each endpoint's association template
	// (endpoint.Config.Assoc.Rand) is used by several shards at once and
	// must be safe for concurrent use (CryptoSource is).
	Shards int
	// LoggerFactory makes the logger of the stack, scope sctp-stack (see
	// internal/logs): the transport's failures. nil logs nothing, unless
	// pion's PION_LOG_* environment variables are set (logs.Resolve). The
	// packets are traced with Trace, by SCTP port.
	LoggerFactory logging.LoggerFactory
	// Taps see every packet received and sent (see Tap).
	Taps []Tap
}

// Stack is a running SCTP stack. It is safe for concurrent use.
type Stack struct {
	conn   packetio.Transport
	udp    *udpencap.Conn // conn when it is UDP encapsulation, else nil
	epoch  time.Time
	router endpoint.Router
	shards []*shard
	log    *logs.Logger // scope sctp-stack; nil: off
	taps   taps         // Config.Taps and AddTap's (the packet traces among them)

	// mu is the stack's lock: it guards the fields below, the fields of
	// the Endpoints, the WaitQueues, Tasks and Parkers, and whatever its
	// users keep with them (the api package's socket state). Shard locks
	// are taken inside it (see lock.go).
	mu     sync.Mutex
	closed bool
	// failed is the error of the transport once it closed under the
	// stack (transportClosed).
	failed error
	eps    []*Endpoint // the SCTP ports, in no particular order
	held   []*shard    // the shards the holder of mu locked, in order
	dirty  uint64      // shards with packets queued by the holder of mu
	wake   waking      // whom to wake after a change (watch.go, wait.go)

	pend pending // changes the shards found, for the holder of mu (lock.go)
	// holds counts, by address, the Bind calls whose endpoint does not
	// bind it yet: its UDP sockets stay open (unbind.go).
	holds map[netip.Addr]int

	// queued: the transport splits its packets over a queue per shard
	// (packetio.Queued), each read by a reader of its own (startReaders).
	queued bool
	// pushFree: the batches of pushed, per queue, when the transport
	// hands its datagrams over (packetio.Pusher, startPush).
	pushFree []chan *rbatch
	// holding: the holder of the lock holds a UDP socket (kickHolding);
	// sweeping: a goroutine of sweepLocked's is on its way. Guarded by mu.
	holding, sweeping bool
	// timersRan: a holder of mu ran a shard's protocol timers as it took
	// the shard (dueLocked), an input for the callers of Wait. Guarded
	// by mu.
	timersRan bool
	done      chan struct{}
	parkers   sync.WaitGroup // the goroutines of parked values (park.go)
	readers   sync.WaitGroup
}

// batch is the number of packets read per ReadBatch call, and queued per
// shard between two writes.
const batch = 64

// New starts the loop on cfg.Transport, or on UDP sockets it opens.
func New(cfg Config) (*Stack, error) {
	n := cfg.Shards
	if n == 0 {
		n = DefaultShards()
	}
	if n < 1 || n > MaxShards {
		return nil, fmt.Errorf("stack: %d shards (1 to %d)", cfg.Shards, MaxShards)
	}
	router, err := endpoint.NewRouter(n, CryptoSource())
	if err != nil {
		return nil, err
	}
	conn := cfg.Transport
	if conn == nil {
		if cfg.UDP.Queues == 0 && n <= maxReaders {
			cfg.UDP.Queues = n // a socket per shard and address (startReaders)
		}
		udp, err := udpencap.Listen(cfg.UDP)
		if err != nil {
			return nil, err
		}
		conn = udp
	}
	udp, _ := conn.(*udpencap.Conn)
	s := &Stack{
		conn:   conn,
		udp:    udp,
		epoch:  time.Now(),
		router: router,
		shards: make([]*shard, n),
		done:   make(chan struct{}),
	}
	s.log = logs.New(logs.Resolve(cfg.LoggerFactory), logs.ScopeStack)
	s.taps.set(slices.Clone(cfg.Taps))
	for i := range s.shards {
		s.shards[i] = newShard(s, i)
	}
	if p, ok := conn.(packetio.PTBReporter); ok {
		// Packet Too Big reports for PLPMTUD (RFC 8899 Section 4.6),
		// validated by the associations (Mux.HandlePTB).
		_ = p.EnablePTB()
	}
	s.startReaders()
	return s, nil
}

// Conn returns the UDP sockets (for their addresses, statistics and test
// hooks), or nil when the stack runs on another transport.
func (s *Stack) Conn() *udpencap.Conn { return s.udp }

// Transport returns the packet transport.
func (s *Stack) Transport() packetio.Transport { return s.conn }

// Shards returns the number of shards.
func (s *Stack) Shards() int { return len(s.shards) }

// Now returns the current time on the core's timeline.
func (s *Stack) Now() timer.Time { return timer.Time(time.Since(s.epoch)) }

// Do runs fn with the stack locked and the current time, then settles the
// core: the watchers hear of the associations that changed (and wake
// their waiters), the tasks scheduled run, the timers are re-armed, the
// callers of Wait are woken, and what the core wants to send is sent
// once the lock is released, before Do returns. fn may use the Endpoints
// of this stack, whose methods lock the shards they need until fn and
// the settling are over; an association fn changes is looked up with
// Endpoint.Assoc in fn (see endpoint.Endpoint.Assoc). With several
// shards, now may be a little earlier than the inputs a shard handled
// while fn waited for its lock.
func (s *Stack) Do(fn func(now timer.Time) error) error {
	s.lockOp()
	defer s.unlock()
	if s.closed {
		return ErrClosed
	}
	now := s.Now()
	err := fn(now)
	s.afterLocked(now)
	return err
}

// afterLocked settles the core after a change (see settleLocked) and
// wakes the callers of Wait.
func (s *Stack) afterLocked(now timer.Time) {
	s.settleLocked(now)
	s.timersRan = false
	s.wake.any.Wake()
}

// Close stops the loop and closes the sockets at once, once the packets
// the core produced so far are written. Associations still open are not
// shut down: use CloseGracefully for that.
func (s *Stack) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.releaseShardsLocked()
	s.closed = true
	for _, sh := range s.shards {
		sh.close()
	}
	close(s.done) // wakes every waiter and parked value
	s.wake.reset()
	s.mu.Unlock()
	// What the shards queued before goes out, as a single-threaded loop
	// would have written it before anyone saw the change that made it
	// (the SHUTDOWN COMPLETE of an association whose end let a socket
	// close, say); the datagrams a reader routed to a shard while its
	// close held it go back to the transport (service).
	for _, sh := range s.shards {
		s.service(sh)
	}
	err := s.conn.Close()
	s.readers.Wait()
	s.parkers.Wait()
	s.waitTraces()
	return err
}

// CloseGracefully shuts every association down (SHUTDOWN, RFC 9260 Section
// 9.2), waits until they are closed or ctx is done, and closes the stack.
func (s *Stack) CloseGracefully(ctx context.Context) error {
	_ = s.Do(func(now timer.Time) error {
		for _, ep := range s.eps {
			ep.Close(now)
		}
		return nil
	})
	err := s.Wait(ctx, func(timer.Time) bool {
		for _, ep := range s.eps {
			for _, id := range ep.Associations() {
				if a, ok := ep.Assoc(id); ok && a.State() != association.StateClosed {
					return false
				}
			}
		}
		return true
	})
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

// LocalAddrs returns the local addresses of the transport and their port
// (the UDP port for UDP encapsulation).
func (s *Stack) LocalAddrs() []netip.AddrPort { return s.conn.LocalAddrs() }

// ErrNoEndpoint is returned by RemoveEndpoint and Watch for an endpoint
// that is not attached to the stack.
var ErrNoEndpoint = errors.New("stack: endpoint not attached")
