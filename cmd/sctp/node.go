package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
)

// node is one running stack with one SCTP endpoint.
type node struct {
	st *stack.Stack
	ep *endpoint.Endpoint
}

// closeTimeout bounds a graceful close at the end of a command.
const closeTimeout = 5 * time.Second

// openNode opens the UDP sockets of udp and adds an endpoint for port
// (0: an ephemeral port in the dynamic range of RFC 6335) with cfg as the
// association template; a listening node accepts associations.
func openNode(udp udpencap.Config, port uint16, cfg association.Config, maxAssocs int, listen bool) (*node, error) {
	if udp.LocalAddrs == nil && listen {
		// A server listens on IPv6 too where the host has it.
		udp.IPv6 = true
		if st, err := stack.New(stack.Config{UDP: udp}); err == nil {
			return addEndpoint(st, port, cfg, maxAssocs, listen)
		}
		udp.IPv6 = false
	}
	st, err := stack.New(stack.Config{UDP: udp})
	if err != nil {
		return nil, err
	}
	return addEndpoint(st, port, cfg, maxAssocs, listen)
}

func addEndpoint(st *stack.Stack, port uint16, cfg association.Config, maxAssocs int, listen bool) (*node, error) {
	if port == 0 {
		port = uint16(49152 + rand.IntN(65536-49152))
	}
	ep, err := st.AddEndpoint(endpoint.Config{Port: port, Assoc: cfg, MaxAssociations: maxAssocs})
	if err != nil {
		st.Close()
		return nil, err
	}
	if listen {
		_ = st.Do(func(timer.Time) error { ep.Listen(true); return nil })
	}
	return &node{st: st, ep: ep}, nil
}

// addrs describes where the node listens, for the "listening" lines.
func (n *node) addrs() string {
	s := ""
	for i, a := range n.st.LocalAddrs() {
		if i > 0 {
			s += ", "
		}
		s += a.String()
	}
	return fmt.Sprintf("UDP %s, SCTP port %d", s, n.ep.Port())
}

// close shuts the associations down gracefully, bounded by closeTimeout.
func (n *node) close() {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = n.st.CloseGracefully(ctx)
}

// errAssocFailed is returned when an association could not be set up or
// failed.
var errAssocFailed = errors.New("association failed")

// connect starts an association to peers at SCTP port and waits for its
// outcome (for a node with no other association: other deliveries polled
// meanwhile are dropped).
func (n *node) connect(ctx context.Context, peers []netip.AddrPort, port uint16, cfg *association.Config) (endpoint.AssocID, *association.AssocChange, error) {
	var id endpoint.AssocID
	err := n.st.Do(func(now timer.Time) error {
		var err error
		id, err = n.ep.Connect(now, peers, port, cfg)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	var ac *association.AssocChange
	err = n.st.Wait(ctx, func(timer.Time) bool {
		for ac == nil {
			got, d, ok := n.ep.Poll()
			if !ok {
				return false
			}
			if c, isAC := d.Event.(*association.AssocChange); isAC && got == id {
				ac = c
			}
		}
		return true
	})
	if err != nil {
		return id, nil, err
	}
	if ac.State != association.CommUp {
		return id, ac, fmt.Errorf("%w: %s", errAssocFailed, describeEvent(ac))
	}
	return id, ac, nil
}

// describeEvent formats an event in gen_sctp's terms.
func describeEvent(ev association.Event) string {
	switch e := ev.(type) {
	case *association.AssocChange:
		s := "assoc_change " + e.State.String()
		if e.OutboundStreams != 0 || e.InboundStreams != 0 {
			s += fmt.Sprintf(", %d outbound / %d inbound streams", e.OutboundStreams, e.InboundStreams)
		}
		if e.Error != 0 {
			s += fmt.Sprintf(", error %v", e.Error)
		}
		return s
	case *association.PaddrChange:
		return fmt.Sprintf("paddr_change %v %s", e.Addr, e.State)
	case *association.RemoteError:
		return fmt.Sprintf("remote_error %v", e.Error)
	case *association.SendFailed:
		return fmt.Sprintf("send_failed error %v, %d bytes on stream %d", e.Error, len(e.Data), e.Info.Stream)
	case *association.ShutdownEvent:
		return "shutdown_event: the peer shuts down"
	case *association.AdaptationEvent:
		return fmt.Sprintf("adaptation_event indication %d", e.Indication)
	case *association.PDAPIEvent:
		return fmt.Sprintf("pdapi_event %s on stream %d", e.Indication, e.Stream)
	}
	return fmt.Sprintf("%T", ev)
}

// ended reports whether ev ends an association: nothing more will be
// delivered after it.
func ended(ev association.Event) bool {
	ac, ok := ev.(*association.AssocChange)
	return ok && (ac.State == association.CommLost || ac.State == association.ShutdownComp || ac.State == association.CantAssoc)
}

// peerOf returns the primary peer address of association id.
func (n *node) peerOf(id endpoint.AssocID) netip.AddrPort {
	if a, ok := n.ep.Assoc(id); ok {
		return a.Status().Primary.Addr
	}
	return netip.AddrPort{}
}

// waitFor calls fn on the stack whenever the core changed, until fn
// returns true, ctx is done or every interval (0: never) with tick set.
// It returns ctx's error or stack.ErrClosed.
func (n *node) waitFor(ctx context.Context, interval time.Duration, fn func(now timer.Time, tick bool) bool) error {
	for {
		wctx, cancel := ctx, context.CancelFunc(func() {})
		if interval > 0 {
			wctx, cancel = context.WithTimeout(ctx, interval)
		}
		done := false
		err := n.st.Wait(wctx, func(now timer.Time) bool {
			done = fn(now, false)
			return done
		})
		cancel()
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			stop := false
			_ = n.st.Do(func(now timer.Time) error { stop = fn(now, true); return nil })
			if stop {
				return nil
			}
		default:
			return err
		}
	}
}
