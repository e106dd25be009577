package api

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/timer"
)

// connectWait is a blocking Connect waiting for its AssocChange.
type connectWait struct {
	ev *AssocChange
	to netip.AddrPort  // the primary peer address and SCTP port
	q  stack.WaitQueue // the Connect, woken by changes of its association
}

// Connect sets up an association with the peer at addr and SCTP port
// port and waits for the outcome (gen_sctp connect/4,5; ConnectHost
// takes a host name, gen_sctp's hostname()). The peer is
// reached on its UDP encapsulation port (RemoteUDPPort,
// RemoteUDPPortFor). opts are applied to the socket first and stay there
// (gen_sctp prim_inet:chgopts: record fields left zero keep their current
// values). It returns the comm_up AssocChange; when the association
// cannot be set up, an *Error whose Reason is the state (for example
// cant_assoc) wrapping an *EventError that carries the AssocChange
// (errors.As).
//
// The AssocChange is consumed by Connect: it is not delivered again by
// Recv or on the delivery channel (in count mode it still counts, as
// gen_sctp's mailbox delivery does). Unlike gen_sctp's passive-mode
// connect, which receives whatever comes next and may swallow another
// association's message, Connect waits for its own association's event
// and leaves every other delivery where it was. When ctx ends first,
// Connect returns a timeout (or cancellation) error and the attempt goes
// on: its AssocChange is then delivered as an ordinary event, as in
// gen_sctp.
func (s *Socket) Connect(ctx context.Context, addr netip.Addr, port uint16, opts ...Option) (*AssocChange, error) {
	return s.ConnectAddrs(ctx, []netip.Addr{addr}, port, opts...)
}

// ConnectAddrs is Connect to a multihomed peer: addrs are its addresses.
// The INIT goes to the first; while it goes unanswered, its
// retransmissions go to the next ones in turn (RFC 9260 Section 5.1), and
// the address that answers is the primary path.
func (s *Socket) ConnectAddrs(ctx context.Context, addrs []netip.Addr, port uint16, opts ...Option) (*AssocChange, error) {
	id, w, err := s.startConnect("connect", addrs, port, opts, true)
	if err != nil {
		return nil, err
	}
	return s.waitConnect(ctx, id, w)
}

// ConnectInit starts setting up an association and returns at once
// (gen_sctp connect_init/4,5; ConnectInitHost takes a host name): the outcome arrives later as an
// AssocChange event (comm_up or cant_assoc) through Recv or the delivery
// channel. Errors are those of starting the attempt only.
func (s *Socket) ConnectInit(ctx context.Context, addr netip.Addr, port uint16, opts ...Option) error {
	_, _, err := s.startConnect("connect_init", []netip.Addr{addr}, port, opts, false)
	return err
}

// ConnectxInit is ConnectInit to a multihomed peer (gen_sctp
// connectx_init; ConnectxInitHosts takes host names): it returns the association id at once, the id the later
// AssocChange carries.
func (s *Socket) ConnectxInit(ctx context.Context, addrs []netip.Addr, port uint16, opts ...Option) (AssocID, error) {
	id, _, err := s.startConnect("connectx_init", addrs, port, opts, false)
	return id, err
}

// startConnect applies opts and starts the handshake (the gen_sctp documentation
// steps 2 to 4).
func (s *Socket) startConnect(op string, addrs []netip.Addr, port uint16, opts []Option, wait bool) (AssocID, *connectWait, error) {
	var id AssocID
	var w *connectWait
	err := s.do(func(now timer.Time) error {
		// The addresses are checked before opts are applied: a call that
		// fails for them changes nothing.
		if err := checkPeerAddrs(addrs); err != nil {
			return err
		}
		if err := s.setOptsLocked(now, modeConnect, opts); err != nil {
			return err
		}
		for _, a := range addrs {
			if s.st.v6only && s.st.family == FamilyInet6 && a.Unmap().Is4() {
				return fmt.Errorf("%w: an IPv4 peer on an ipv6_v6only socket", ErrNotSupported)
			}
		}
		if s.peeled || s.typ == Stream && s.assoc1 != 0 {
			return ErrAlreadyConnected
		}
		peers, err := s.connectPeersLocked(addrs)
		if err != nil {
			return err
		}
		if err := s.stk.Failed(); err != nil {
			return err // the transport closed under the socket
		}
		id, err = s.share.ep.Connect(now, peers, port, nil)
		if err != nil {
			return err
		}
		s.peers[id] = netip.AddrPortFrom(peers[0].Addr(), port)
		if s.typ == Stream {
			s.assoc1 = id
			s.bindLocked(id)
		}
		if wait {
			w = &connectWait{to: s.peers[id]}
			s.connecting[id] = w
		}
		return nil
	})
	return id, w, opError(op, id, -1, err)
}

// checkPeerAddrs checks the peer addresses of a connect: at least one,
// each a valid IP (ErrNoPeerAddress, ErrBadAddress; reason einval).
func checkPeerAddrs(addrs []netip.Addr) error {
	if len(addrs) == 0 {
		return ErrNoPeerAddress
	}
	for _, a := range addrs {
		if !a.IsValid() {
			return fmt.Errorf("%w: the zero netip.Addr", ErrBadAddress)
		}
	}
	return nil
}

// waitConnect waits for the AssocChange of association id.
func (s *Socket) waitConnect(ctx context.Context, id AssocID, w *connectWait) (*AssocChange, error) {
	var to netip.AddrPort
	got := false // the outcome, and to, read by the condition
	err := s.wait(ctx, &s.wdl, &w.q, func(now timer.Time) bool {
		if !s.closed && w.ev == nil {
			s.driveConnectLocked(now, id, w)
		}
		if w.ev != nil {
			to, got = s.st.show(w.to), true
		}
		return got || s.closed
	})
	if err == nil && got {
		// The outcome came with the end of the wait, under the lock
		// (connectDoneLocked dropped the connectWait): nothing to tidy,
		// no second locking.
		return connectOutcome(id, w.ev, to)
	}
	derr := s.stk.Do(func(timer.Time) error {
		to = s.st.show(w.to)
		if w.ev != nil {
			err = nil // the outcome came with the end of the wait
		} else {
			delete(s.connecting, id)
			if err == nil {
				err = errClosed
			}
			if a, ok := s.share.ep.Assoc(id); ok && a.State() == association.StateCookieWait &&
				(errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded)) {
				err = s.noAnswerLocked(id, err) // nothing came back: say where the INITs went
			}
		}
		return nil
	})
	if derr != nil && err == nil {
		// The stack closed (the socket's last Close) after the wait
		// ended and before the outcome could be read.
		err = errClosed
	}
	if err != nil {
		return nil, opError("connect", id, -1, err)
	}
	return connectOutcome(id, w.ev, to)
}

// connectOutcome returns what Connect returns for the AssocChange ev of
// association id, whose peer is to.
func connectOutcome(id AssocID, ev *AssocChange, to netip.AddrPort) (*AssocChange, error) {
	if ev.State != CommUp {
		return nil, &Error{Op: "connect", Assoc: id, Stream: -1, Reason: eventReason(ev),
			Err: &EventError{From: to, Event: ev}}
	}
	return ev, nil
}

// assocErrLocked returns the Err of an AssocChange of association id
// as this package reports it: ErrConnRefused for an attempt the peer
// aborted, a *NoAnswerError for one it never answered.
func (s *Socket) assocErrLocked(id AssocID, err error) error {
	switch {
	case errors.Is(err, association.ErrRefused):
		return ErrConnRefused
	case errors.Is(err, association.ErrNoAnswer):
		na := s.noAnswerLocked(id, ErrNoAnswer)
		na.InitAcked = errors.Is(err, association.ErrNoCookieAck)
		return na
	}
	return err
}

// noAnswerLocked returns the *NoAnswerError of association id, wrapping
// err: the peer's addresses the handshake went to (those given to
// connect, not those its INIT ACK listed), each with the UDP port its
// packets go to, and its SCTP port.
func (s *Socket) noAnswerLocked(id AssocID, err error) *NoAnswerError {
	peer := s.peers[id]
	na := &NoAnswerError{Err: err}
	if a, ok := s.share.ep.Assoc(id); ok {
		for _, pi := range a.Paths() {
			if pi.State != association.PathUnconfirmed {
				na.Addrs = append(na.Addrs, s.st.show(pi.Addr))
			}
		}
		peer = netip.AddrPortFrom(peer.Addr(), a.Config().PeerPort)
	}
	if len(na.Addrs) == 0 {
		na.Addrs = []netip.AddrPort{s.st.show(netip.AddrPortFrom(peer.Addr(), s.st.remoteUDP(peer.Addr())))}
	}
	na.Peer = netip.AddrPortFrom(na.Addrs[0].Addr(), peer.Port())
	na.UDPPort = na.Addrs[0].Port()
	return na
}

// driveConnectLocked reads the connecting association directly until its
// AssocChange, so that a Connect on a socket nobody reads completes;
// other deliveries met on the way are stashed for the user, in order.
func (s *Socket) driveConnectLocked(now timer.Time, id AssocID, w *connectWait) {
	if _, ok := s.share.ep.Assoc(id); !ok || s.share.owner(id) != s {
		return
	}
	for w.ev == nil {
		d, ok := s.share.ep.PollAssoc(id)
		if !ok {
			return
		}
		r := rawDelivery{id: id, d: d}
		if _, ac := d.Event.(*association.AssocChange); ac {
			if _, ok := s.eventLocked(now, r); ok {
				s.stash.push(r) // not the Connect's after all
			}
			continue
		}
		s.stash.push(r)
		s.readableLocked(false) // for the socket's readers
	}
}

// connectDoneLocked hands an AssocChange to the Connect waiting for it
// and reports whether there was one. In count mode the event counts as
// delivered (gen_sctp delivers it to the mailbox, where connect picks it
// up).
func (s *Socket) connectDoneLocked(e *AssocChange) bool {
	w := s.connecting[e.AssocID]
	if w == nil {
		return false
	}
	delete(s.connecting, e.AssocID)
	w.ev = e
	w.q.Wake()
	if s.st.active.mode == activeMulti && s.st.active.delivered() {
		s.outbox.push(Delivery{Kind: KindPassive, Socket: s})
		s.stk.Schedule(&s.pump)
	}
	if e.State != CommUp && e.State != Restart {
		s.forgetLocked(e.AssocID)
	}
	return true
}
