// Package stack runs gensctp for real: it drives an endpoint.Mux (one or
// more local SCTP ports) over a packet transport (packetio.Transport: by
// default the UDP sockets of a udpencap.Conn) with the real clock. It is
// the event loop of DESIGN.md "The I/O edge", used by cmd/sctp and by the
// api package:
//
//   - one reader goroutine feeds received datagrams into the sans-IO core;
//   - one runtime timer, re-armed to the core's next deadline after every
//     input, fires the protocol timers: no goroutine or timer per
//     association;
//   - user operations run under the stack's lock through Do, and callers
//     block for deliveries or send-buffer space with WaitOn, on a
//     WaitQueue of their own (the readers of a socket, say);
//   - after every input the stack takes from each endpoint the
//     associations that changed (endpoint.Endpoint.TakeChanged) and hands
//     them to the endpoint's watcher (Watch), which wakes exactly the
//     queues concerned and schedules work (Schedule: the active-mode
//     delivery of a socket, say): nothing scans the idle associations,
//     sockets or waiters;
//   - a value for a full channel waits in a Parker, with a goroutine of
//     its own only while it is parked: no goroutine per association or
//     per socket otherwise.
//
// Everything the core produces is written out (in batches) before the lock
// is released.
package stack

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
)

// ErrClosed is returned by operations on a closed Stack. It satisfies
// errors.Is(err, net.ErrClosed).
var ErrClosed = net.ErrClosed

// Config configures a Stack.
type Config struct {
	// Transport carries the packets; the Stack owns it and closes it when
	// it closes. nil opens UDP encapsulation sockets as UDP says.
	Transport packetio.Transport
	// UDP opens the encapsulation sockets when Transport is nil.
	UDP udpencap.Config
}

// Stack is a running SCTP stack. It is safe for concurrent use.
type Stack struct {
	conn  packetio.Transport
	udp   *udpencap.Conn // conn when it is UDP encapsulation, else nil
	epoch time.Time
	// failed is the error of the transport once it closed under the
	// stack (transportClosed); guarded by mu.
	failed error

	mu     sync.Mutex // guards everything below and the core
	mux    *endpoint.Mux
	timer  *time.Timer
	closed bool
	out    []packetio.OutMessage
	bufs   [][]byte
	wake   waking // whom to wake after a change (watch.go, wait.go)

	done       chan struct{}  // closed by Close
	parkers    sync.WaitGroup // the goroutines of parked values (park.go)
	readerDone chan struct{}
}

// batch is the number of packets written per WriteBatch call.
const batch = 64

// New starts the loop on cfg.Transport, or on UDP sockets it opens.
func New(cfg Config) (*Stack, error) {
	conn := cfg.Transport
	if conn == nil {
		udp, err := udpencap.Listen(cfg.UDP)
		if err != nil {
			return nil, err
		}
		conn = udp
	}
	udp, _ := conn.(*udpencap.Conn)
	s := &Stack{
		conn:       conn,
		udp:        udp,
		epoch:      time.Now(),
		mux:        endpoint.NewMux(),
		done:       make(chan struct{}),
		readerDone: make(chan struct{}),
		bufs:       make([][]byte, batch),
	}
	for i := range s.bufs {
		s.bufs[i] = make([]byte, 0, 65536)
	}
	s.timer = time.AfterFunc(time.Hour, s.onTimer)
	s.timer.Stop()
	go s.readLoop()
	return s, nil
}

// Conn returns the UDP sockets (for their addresses, statistics and test
// hooks), or nil when the stack runs on another transport.
func (s *Stack) Conn() *udpencap.Conn { return s.udp }

// Transport returns the packet transport.
func (s *Stack) Transport() packetio.Transport { return s.conn }

// Now returns the current time on the core's timeline.
func (s *Stack) Now() timer.Time { return timer.Time(time.Since(s.epoch)) }

// AddEndpoint creates and adds an endpoint for cfg.Port. It fails with
// ErrTransportClosed once the transport closed under the stack.
func (s *Stack) AddEndpoint(cfg endpoint.Config) (*endpoint.Endpoint, error) {
	var ep *endpoint.Endpoint
	err := s.Do(func(now timer.Time) error {
		if s.failed != nil {
			return s.failed
		}
		var err error
		if ep, err = endpoint.New(cfg, now); err != nil {
			return err
		}
		if err = s.mux.Add(ep); err != nil {
			return err
		}
		s.addWatchLocked(ep)
		return nil
	})
	return ep, err
}

// ErrNoEndpoint is returned by RemoveEndpoint for an endpoint that is not
// attached to the stack.
var ErrNoEndpoint = errors.New("stack: endpoint not attached")

// RemoveEndpoint detaches ep from the stack, after writing out what it
// still has to send (the ABORT chunks of an endpoint just aborted, for
// example): from then on packets for its SCTP port are out of the blue
// (RFC 9260 Section 8.4) and the port may be added again. Deliveries ep
// still holds are dropped with it.
func (s *Stack) RemoveEndpoint(ep *endpoint.Endpoint) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if cur, ok := s.mux.Endpoint(ep.Port()); !ok || cur != ep {
		return ErrNoEndpoint
	}
	s.flushLocked()
	s.mux.Remove(ep.Port())
	s.removeWatchLocked(ep)
	s.afterLocked()
	return nil
}

// Do runs fn with the core locked and the current time, then settles the
// core: the watchers hear of the associations that changed (and wake
// their waiters), the tasks scheduled run, what the core wants to send is
// sent, the timer is re-armed, and the callers of Wait are woken. fn may
// use any endpoint or association of this stack; an association it
// changes is looked up with Endpoint.Assoc in fn (see Endpoint.Assoc).
func (s *Stack) Do(fn func(now timer.Time) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	err := fn(s.Now())
	s.afterLocked()
	return err
}

// afterLocked settles the core after a change (see settleLocked) and
// wakes the callers of Wait.
func (s *Stack) afterLocked() {
	s.settleLocked(s.Now())
	s.wake.any.Wake()
}

// flushLocked writes every packet the core has to send.
func (s *Stack) flushLocked() {
	now := s.Now()
	for {
		s.out = s.out[:0]
		for len(s.out) < batch {
			o, ok := s.mux.AppendPacket(now, s.bufs[len(s.out)][:0])
			if !ok {
				break
			}
			s.out = append(s.out, packetio.OutMessage{Data: o.Data, To: o.To, From: o.From})
		}
		if len(s.out) == 0 {
			return
		}
		s.write(s.out)
		if len(s.out) < batch {
			return
		}
	}
}

// rearmLocked sets the runtime timer to the core's next deadline.
func (s *Stack) rearmLocked() {
	next := s.mux.NextDeadline()
	if next == timer.Never {
		s.timer.Stop()
		return
	}
	s.timer.Reset(max(next.Sub(s.Now()), 0))
}

func (s *Stack) onTimer() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.mux.HandleTimeout(s.Now())
	s.afterLocked()
}

func (s *Stack) readLoop() {
	defer close(s.readerDone)
	msgs := make([]packetio.Message, batch)
	var bo backoff
	for {
		n, err := s.conn.ReadBatch(msgs)
		if n > 0 {
			s.mu.Lock()
			if !s.closed {
				now := s.Now()
				for i := 0; i < n; i++ {
					d := inbound(now, &msgs[i])
					_ = s.mux.HandleDatagram(&d)
				}
				s.afterLocked()
			}
			s.mu.Unlock()
			s.conn.ReleaseBatch(msgs[:n])
		}
		if errors.Is(err, net.ErrClosed) {
			s.transportClosed(err)
			return
		}
		if !s.pause(bo.next(n, err)) { // a transient read error: read again
			return
		}
	}
}

// Close stops the loop and closes the sockets at once. Associations still
// open are not shut down: use CloseGracefully for that.
func (s *Stack) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.timer.Stop()
	close(s.done) // wakes every waiter and parked value
	s.wake.reset()
	s.mu.Unlock()
	err := s.conn.Close()
	<-s.readerDone
	s.parkers.Wait()
	return err
}

// CloseGracefully shuts every association down (SHUTDOWN, RFC 9260 Section
// 9.2), waits until they are closed or ctx is done, and closes the stack.
func (s *Stack) CloseGracefully(ctx context.Context) error {
	_ = s.Do(func(now timer.Time) error {
		for _, ep := range s.mux.Endpoints() {
			ep.Close(now)
		}
		return nil
	})
	err := s.Wait(ctx, func(timer.Time) bool {
		for _, ep := range s.mux.Endpoints() {
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
