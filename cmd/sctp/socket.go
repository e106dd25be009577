package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/congestion"
)

// The commands use gensctp through its public API only (package api):
// what they measure and show is what its users get.

// closeTimeout bounds a graceful close at the end of a command.
const closeTimeout = 5 * time.Second

// lingerClose is the Linger option of the servers: Close shuts their
// associations down gracefully and waits at most closeTimeout.
var lingerClose = api.Linger(true, int(closeTimeout/time.Second))

// errAssocFailed is returned when an association could not be set up or
// failed.
var errAssocFailed = errors.New("association failed")

// openSocket opens a one-to-many socket with opts, listening or not. A
// bad option (an inconsistent RTO, for example) is a usage error. With
// bothFamilies (a server without -L), it binds the IPv6 wildcard too
// where the host has IPv6.
func openSocket(opts []api.Option, listen, bothFamilies bool) (*api.Socket, error) {
	var s *api.Socket
	var err error
	if bothFamilies {
		s, err = api.Open(append([]api.Option{api.Inet6()}, opts...)...)
	}
	if s == nil {
		s, err = api.Open(opts...)
	}
	if err != nil {
		return nil, openError(err)
	}
	if listen {
		if err := s.Listen(true); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// openError makes a usage error of an option api refused.
func openError(err error) error {
	if !errors.Is(err, api.ErrInvalidOption) {
		return err
	}
	var ce *congestion.ConfigError
	if errors.As(err, &ce) {
		return usagef("RTO settings: need -rto-min <= -rto-initial <= -rto-max (%s: %s)", ce.Field, ce.Reason)
	}
	return usagef("%v", err)
}

// describeAddrs describes where s listens, for the "listening" lines:
// its local addresses with the UDP port, and its SCTP port.
func describeAddrs(s *api.Socket) string {
	names, _ := s.SockNames(0)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = netip.AddrPortFrom(n.Addr(), uint16(s.UDPPort())).String()
	}
	return fmt.Sprintf("UDP %s, SCTP port %d", strings.Join(parts, ", "), s.Port())
}

// resolver resolves the host names of peers; nil: net.DefaultResolver.
// Tests set one of their own.
var resolver *net.Resolver

// parseAddrs returns the peer addresses given as positional arguments:
// IP literals, or host names resolved within ctx as api.Dial resolves
// them (every address of a name, IPv6 first; IPv4 only when the -local
// addresses are all IPv4, as the socket is then).
func parseAddrs(ctx context.Context, args []string, local []netip.Addr) ([]netip.Addr, error) {
	network := "sctp"
	if len(local) > 0 && !slices.ContainsFunc(local, netip.Addr.Is6) {
		network = "sctp4"
	}
	return api.LookupAddrs(ctx, resolver, network, args...)
}

// connect sets up an association to the peer addresses addrs at SCTP
// port and waits for its outcome; a failed setup is errAssocFailed with
// the event.
func connect(ctx context.Context, s *api.Socket, addrs []netip.Addr, port uint16) (*api.AssocChange, error) {
	ac, err := s.ConnectAddrs(ctx, addrs, port)
	var ee *api.EventError
	if errors.As(err, &ee) {
		if fail, ok := ee.Event.(*api.AssocChange); ok {
			return fail, fmt.Errorf("%w: %s", errAssocFailed, describeEvent(fail))
		}
	}
	return ac, err
}

// onDone moves the deadlines of s to now when ctx ends, so that the calls
// blocked on s return (os.ErrDeadlineExceeded); stop releases it. The
// commands call s with context.Background() and deadlines rather than
// with a context that can end: api costs a context and a callback per
// call for such a context, nothing for one that cannot (14 allocations
// per message through SendContext and Recv instead of 2).
func onDone(ctx context.Context, s *api.Socket) (stop func() bool) {
	return context.AfterFunc(ctx, func() { _ = s.SetDeadline(time.Now()) })
}

// recv returns the next delivery of s: a message, or an event, the
// error-class ones (send failed, remote error, partial delivery aborted)
// included, which api.Socket.Recv returns as errors. It is bounded by the
// read deadline of s only (see onDone).
func recv(s *api.Socket) (api.Delivery, error) {
	d, err := s.Recv(context.Background())
	var ee *api.EventError
	if errors.As(err, &ee) {
		return api.Delivery{Kind: api.KindError, Socket: s, From: ee.From, Event: ee.Event}, nil
	}
	return d, err
}

// mailboxSize is the capacity of the delivery channels of mailbox.
const mailboxSize = 1024

// mailbox turns s active (gen_sctp {active, true}) with a delivery
// channel of mailboxSize of its own (controlling_process) and returns the
// channel. The readers that must keep up with a fast sender use it rather
// than Recv: the event loop hands the deliveries over in batches while it
// holds the stack's lock anyway, where Recv takes the lock for each
// message; a reader that falls behind leaves the receive buffer full of
// messages waiting to be read, which with small messages and a lost
// packet stalled the association for seconds (see the README). A full
// channel holds the data in the receive window: back-pressure to the
// peer, as with Recv.
func mailbox(s *api.Socket) (<-chan api.Delivery, error) {
	ch := make(chan api.Delivery, mailboxSize)
	if err := s.SetOwner(ch); err != nil {
		return nil, err
	}
	return ch, s.SetOpts(api.Active(api.ActiveTrue))
}

// describeEvent formats an event in gen_sctp's terms.
func describeEvent(ev api.Event) string {
	switch e := ev.(type) {
	case *api.AssocChange:
		s := "assoc_change " + e.State.String()
		if e.OutboundStreams != 0 || e.InboundStreams != 0 {
			s += fmt.Sprintf(", %d outbound / %d inbound streams", e.OutboundStreams, e.InboundStreams)
		}
		if e.Error != 0 {
			s += fmt.Sprintf(", error %v", e.Error)
		}
		if e.Err != nil {
			s += ": " + e.Err.Error() // refused, no answer (and where the INITs went), ...
		}
		return s
	case *api.PaddrChange:
		return fmt.Sprintf("paddr_change %v %s", e.Addr, e.State)
	case *api.RemoteError:
		return fmt.Sprintf("remote_error %v", e.Error)
	case *api.SendFailed:
		return fmt.Sprintf("send_failed error %v, %d bytes on stream %d", e.Error, len(e.Data), e.Info.Stream)
	case *api.ShutdownEvent:
		return "shutdown_event: the peer shuts down"
	case *api.AdaptationEvent:
		return fmt.Sprintf("adaptation_event indication %d", e.AdaptationInd)
	case *api.PdapiEvent:
		if e.Err != nil {
			return fmt.Sprintf("pdapi_event %s on stream %d: %v", e.Indication, e.Stream, e.Err)
		}
		return fmt.Sprintf("pdapi_event %s on stream %d", e.Indication, e.Stream)
	}
	return fmt.Sprintf("%T", ev)
}

// ended reports whether ev ends an association: nothing more will be
// delivered after it.
func ended(ev api.Event) bool {
	ac, ok := ev.(*api.AssocChange)
	return ok && (ac.State == api.CommLost || ac.State == api.ShutdownComp || ac.State == api.CantAssoc)
}

// endOf reads s until association id ends and returns its final event;
// other deliveries are dropped. It returns the error of s (its read
// deadline passed, it closed).
func endOf(s *api.Socket, id api.AssocID) (*api.AssocChange, error) {
	for {
		d, err := recv(s)
		if err != nil {
			return nil, err
		}
		if ac, ok := d.Event.(*api.AssocChange); ok && ac.AssocID == id && ended(ac) {
			return ac, nil
		}
	}
}

// failure explains why association id can take no more data: its final
// event when it comes within closeTimeout, else err.
func failure(s *api.Socket, id api.AssocID, err error) error {
	_ = s.SetReadDeadline(time.Now().Add(closeTimeout))
	if ac, rerr := endOf(s, id); rerr == nil {
		return fmt.Errorf("%w: %s", errAssocFailed, describeEvent(ac))
	}
	return err
}

// shutdownAndWait shuts association id down gracefully (RFC 9260 Section
// 9.2: everything queued is delivered first) and waits for the end,
// reading s until its read deadline. When ctx is done already
// (interrupted), the wait is bounded by closeTimeout; an interruption
// during the wait (onDone) aborts the association.
func shutdownAndWait(ctx context.Context, s *api.Socket, id api.AssocID) error {
	if err := s.Eof(id); err != nil {
		return failure(s, id, err)
	}
	if ctx.Err() != nil {
		_ = s.SetReadDeadline(time.Now().Add(closeTimeout))
	}
	ac, err := endOf(s, id)
	if err != nil {
		_ = s.Abort(id)
		return fmt.Errorf("shutdown: %w", err)
	}
	if ac.State != api.ShutdownComp {
		return fmt.Errorf("%w: %s", errAssocFailed, describeEvent(ac))
	}
	return nil
}
