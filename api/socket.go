package api

import (
	"net/netip"
	"sync/atomic"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/internal/logs"
	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
)

// Socket is an SCTP socket: gen_sctp's sctp_socket(). A one-to-many
// (SeqPacket) socket holds any number of associations; a one-to-one
// (Stream) socket one, and Peeloff and Accept make one-to-one sockets
// out of associations of another socket.
//
// A Socket is safe for concurrent use: Send, Recv and the other methods
// may be called from any goroutine, by many at once. Every method that
// may block takes a context or honours the deadlines; Close unblocks them
// all. Internally every socket state is guarded by the lock of the stack
// (the event loop of its UDP port, shared with the other sockets on that
// port), which also guards the sans-IO endpoint and associations; the
// Read of a Conn on an accepted or peeled-off socket takes a message that
// is there under the lock of its association's shard only (see
// Conn.readDirect), so that busy Conns on different shards are read in
// parallel. The
// stack wakes a socket's callers only when one of its associations, or
// the socket itself, changed. Active-mode delivery runs on the stack's
// event loop (a task, run when the socket was notified), so a socket has
// no goroutine of its own, except one while a delivery waits for room in
// a full channel.
type Socket struct {
	share *epShare
	stk   *stack.Stack
	typ   SocketType
	// peeled: the socket was made by Peeloff or Accept for the
	// association assoc1.
	peeled bool

	closeStarted atomic.Bool
	// direct: Conn.Read may take the next message straight from the
	// association, under its shard's lock only (connread.go). Set by
	// Conn.Read with the stack's lock held when the receive side is
	// plain (directLocked), cleared by whatever may leave it otherwise:
	// every poll of the other paths, options, Close.
	direct atomic.Bool

	rdl, wdl deadline

	// Guarded by the stack's lock.
	closed bool
	// assoc1 is the association of a one-to-one socket: fixed for a
	// peeled socket, set by Connect on a Stream socket; 0 if none.
	assoc1     AssocID
	st         settings
	stash      fifo[rawDelivery]
	outbox     fifo[Delivery]
	rest       piece                   // what RecvBuffer or Conn.Read hands out next (recvpiece.go)
	pieced     map[partialKey]struct{} // messages going out in pieces
	partial    map[partialKey]*partialMsg
	partialLen map[AssocID]int // bytes in partial and whole in stash, per association
	connecting map[AssocID]*connectWait
	peers      map[AssocID]netip.AddrPort // last known peer address per association
	peersPeak  int                        // the most entries peers held since it was made (forgetPeerLocked)
	own        chan Delivery
	owner      chan<- Delivery
	handoff    bool                   // SetOwner is changing the owner: the pump waits
	pump       stack.Task             // the active-mode delivery (pumpLocked)
	park       stack.Parker[Delivery] // the outbox head, waiting for room in owner
	sent       func(timer.Time)       // sentLocked, bound once: Park takes it without allocating
	rq         stack.WaitQueue        // the callers waiting to read (Recv, Conn.Read): one per delivery (wake.go)
	aq         stack.WaitQueue        // the callers of Accept
	// senders are the callers of Send waiting for send buffer space, by
	// association: a queue while some wait (wake.go).
	senders map[AssocID]*stack.WaitQueue
	spareQ  *stack.WaitQueue // an empty queue for the next senders
	linger  lingering        // what Close waits for (close.go)
	stats   counters
	// recvIP is what the socket asked the UDP sockets for (recvip.go).
	recvIP udpencap.RecvIP
}

// epShare is an endpoint (one SCTP port) and the sockets using it: the
// socket that opened it and the one-to-one sockets peeled off it.
type epShare struct {
	sh *sharedStack
	ep *stack.Endpoint

	// Guarded by the stack's lock.
	parent       *Socket             // the opening socket; nil once closed
	closedParent *Socket             // the opening socket once closed
	peeled       map[AssocID]*Socket // associations owned by peeled-off sockets
	refs         int                 // sockets using the endpoint

	capture *capture     // the Capture option's recording; nil: none
	log     *logs.Logger // scope sctp-api; nil: off
	untrace func()       // ends the packet trace of the port (stack.Trace)
}

// owner returns the socket that owns association id (closed or not), or
// nil.
func (e *epShare) owner(id AssocID) *Socket {
	if s := e.peeled[id]; s != nil {
		return s
	}
	if e.parent != nil {
		return e.parent
	}
	return e.closedParent
}

// newSocket returns a socket on share with the settings st, not yet
// running (see start).
func newSocket(share *epShare, st settings) *Socket {
	s := &Socket{
		share:      share,
		stk:        share.sh.st,
		typ:        st.typ,
		st:         st,
		connecting: make(map[AssocID]*connectWait),
		peers:      make(map[AssocID]netip.AddrPort),
		own:        make(chan Delivery, DefaultDeliveryBuffer),
	}
	s.owner = s.own
	s.sent = s.sentLocked
	s.pump.Run = s.pumpLocked
	if st.passiveDue {
		s.st.passiveDue = false
		s.outbox.push(Delivery{Kind: KindPassive, Socket: s})
	}
	s.syncRecvIPLocked()
	s.stk.Schedule(&s.pump) // deliveries may be waiting already
	return s
}

// assocLocked returns association id of the socket; for id 0 on a
// one-to-one socket, its association.
func (s *Socket) assocLocked(id AssocID) (AssocID, *association.Association, error) {
	if s.closed {
		return id, nil, errClosed
	}
	if id == 0 && s.typ == Stream {
		if id = s.assoc1; id == 0 {
			return 0, nil, ErrNotConnected
		}
	}
	if id == 0 || s.share.owner(id) != s {
		return id, nil, ErrNoAssociation
	}
	a, ok := s.share.ep.Assoc(id)
	if !ok {
		return id, nil, ErrNoAssociation
	}
	return id, a, nil
}

// bindLocked tells the stack that the readers of a one-to-one socket
// work on association id (stack.Endpoint.Bind): they wait for its shard
// without holding up the other shards' operations. (The senders wait on
// a queue per association, bound as it is made: sendQueueLocked.)
func (s *Socket) bindLocked(id AssocID) {
	s.share.ep.Bind(&s.rq, id)
}

// ownedLocked returns the associations of the socket.
func (s *Socket) ownedLocked() []AssocID {
	if s.peeled {
		if s.assoc1 == 0 {
			return nil
		}
		return []AssocID{s.assoc1}
	}
	ids := s.share.ep.Associations()
	out := ids[:0]
	for _, id := range ids {
		if s.share.peeled[id] == nil {
			out = append(out, id)
		}
	}
	return out
}

// do runs fn with the stack locked, unless the socket is closed.
func (s *Socket) do(fn func(now timer.Time) error) error {
	if s == nil {
		return ErrNilSocket
	}
	return s.stk.Do(func(now timer.Time) error {
		if s.closed {
			return errClosed
		}
		return fn(now)
	})
}

// Type returns the socket type.
func (s *Socket) Type() SocketType {
	if s == nil {
		return 0
	}
	return s.typ
}

// Port returns the local SCTP port (inet:port/1).
func (s *Socket) Port() uint16 {
	if s == nil {
		return 0
	}
	return s.share.ep.Port()
}

// UDPPort returns the local UDP encapsulation port (RFC 6951 Section
// 5.1), an addition to gen_sctp: the port peers must send to. It is 0 on
// a transport without one (OverConn; OverTransport with a transport that
// has no Port() int method).
func (s *Socket) UDPPort() int {
	if s == nil {
		return 0
	}
	if p, ok := s.stk.Transport().(interface{ Port() int }); ok {
		return p.Port()
	}
	return 0
}

// SockNames returns the local addresses with the SCTP port
// (inet:socknames/2): those of the socket for assoc 0, else those of the
// association. A socket bound to specific addresses lists them, one
// bound to the wildcard the wildcard of each family it receives. An
// association lists its own local addresses, never the wildcard: on a
// wildcard socket, the addresses its peer's packets arrived on (learned
// from each datagram's destination address where the platform reports it:
// Linux's and macOS's IP_PKTINFO and IPV6_RECVPKTINFO; elsewhere the
// association lists the socket's addresses), so that the socket names of
// one end are the peer names of the other. IPv6 addresses come first on
// an inet6 socket.
func (s *Socket) SockNames(assoc AssocID) ([]netip.AddrPort, error) {
	var out []netip.AddrPort
	err := s.do(func(timer.Time) error {
		var a *association.Association
		if assoc != 0 || s.peeled {
			_, aa, err := s.assocLocked(assoc)
			if err != nil {
				return err
			}
			a = aa
		}
		port := s.share.ep.Port()
		for _, l := range s.localAddrsLocked(a) {
			out = append(out, s.st.show(netip.AddrPortFrom(l, port)))
		}
		return nil
	})
	return out, opError("socknames", assoc, -1, err)
}

// PeerNames returns the peer addresses of an association with its SCTP
// port (inet:peernames/2), the primary first. On a one-to-many socket
// assoc 0 is an error (ErrNotConnected, as gen_sctp's enotconn); on a
// one-to-one socket it means the socket's association.
func (s *Socket) PeerNames(assoc AssocID) ([]netip.AddrPort, error) {
	var out []netip.AddrPort
	err := s.do(func(timer.Time) error {
		if assoc == 0 && s.typ == SeqPacket {
			return ErrNotConnected
		}
		_, a, err := s.assocLocked(assoc)
		if err != nil {
			return err
		}
		port := a.Config().PeerPort
		for _, p := range a.Paths() {
			ap := s.st.show(netip.AddrPortFrom(p.Addr.Addr(), port))
			if p.Primary {
				out = append([]netip.AddrPort{ap}, out...)
			} else {
				out = append(out, ap)
			}
		}
		return nil
	})
	return out, opError("peernames", assoc, -1, err)
}

// peerLocked returns the peer address (primary path IP and SCTP port) of
// association id, remembered for when the association is gone.
func (s *Socket) peerLocked(id AssocID) netip.AddrPort {
	if a, ok := s.share.ep.Assoc(id); ok {
		ap := netip.AddrPortFrom(a.Status().Primary.Addr.Addr(), a.Config().PeerPort)
		s.peers[id] = ap
		return s.st.show(ap)
	}
	return s.st.show(s.peers[id])
}

// show returns an address as the socket reports it: IPv4 addresses
// mapped to IPv6 when sctp_i_want_mapped_v4_addr is on (inet6 only),
// else unmapped.
func (st *settings) show(ap netip.AddrPort) netip.AddrPort {
	if !ap.IsValid() {
		return ap
	}
	return netip.AddrPortFrom(st.showAddr(ap.Addr()), ap.Port())
}

// showAddr is show for an address without port.
func (st *settings) showAddr(a netip.Addr) netip.Addr {
	a = a.Unmap()
	if st.mappedV4 && st.family == FamilyInet6 && a.Is4() {
		return netip.AddrFrom16(a.As16())
	}
	return a
}
