package api

import (
	"errors"
	"net/netip"
	"slices"

	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/internal/logs"
	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/timer"
)

// Ephemeral SCTP ports (Port(0)) come from the dynamic range of RFC 6335
// Section 6.
const (
	ephemeralFirst = 49152
	ephemeralLast  = 65535
)

// Open opens a socket (gen_sctp open/0,1,2). Without options it is a
// one-to-many (SeqPacket) socket on the wildcard address, on a free SCTP
// port, passive, on local UDP encapsulation port 9899 (RFC 6951), reaching
// peers on their UDP port 9899. The open-only options are IP (repeatable,
// multihoming), IfAddr, Port, Inet, Inet6, Type, Netns, LocalUDPPort,
// RemoteUDPPort, RemoteUDPPortFor, Network, Shards, Capture, and OverTransport,
// OverPacketConn, OverConn or OverDTLS to run on a packet transport other than UDP
// sockets of the socket's own; every socket option may be given too. A bad option is an *Error with reason badarg wrapping
// ErrInvalidOption (gen_sctp raises badarg); a taken port one with reason
// eaddrinuse. Sockets of any bound addresses share a UDP port as
// LocalUDPPort describes (as many as there are SCTP ports), and on a
// wildcard socket an association's local addresses are the real ones its
// peer's packets arrive on, and its replies leave from them (SockNames).
func Open(opts ...Option) (*Socket, error) {
	st := defaultSettings()
	if err := applyOptions(&optCtx{st: &st, mode: modeOpen}, opts); err != nil {
		return nil, &Error{Op: "open", Stream: -1, Reason: Badarg, Err: err}
	}
	st.dtlsDefaults()
	if err := st.checkOpen(); err != nil {
		return nil, &Error{Op: "open", Stream: -1, Reason: Badarg, Err: joinErrors(ErrInvalidOption, err)}
	}
	log := st.resolveLogger()
	addrs := st.addrs
	if !slices.ContainsFunc(addrs, func(a netip.Addr) bool { return !a.IsUnspecified() }) {
		addrs = nil // the wildcard given explicitly is the wildcard: IPv4 too on inet6
	}
	if st.v6only && st.family == FamilyInet6 && len(addrs) == 0 {
		addrs = []netip.Addr{netip.IPv6Unspecified()} // no IPv4 wildcard
	}
	sh, err := acquireStack(stackSpec{port: st.localUDPPort, addrs: addrs, ipv6: st.family == FamilyInet6,
		net: st.net, netns: st.netns, transport: st.transport, shards: st.shards, logger: st.logger})
	if err != nil {
		return nil, opError("open", 0, -1, err)
	}
	if err := pushIP(sh.st.Transport(), st.ip, st.ipSet); err != nil {
		sh.release()
		return nil, opError("open", 0, -1, err)
	}
	share := &epShare{sh: sh, peeled: make(map[AssocID]*Socket), refs: 1, log: log}
	var s *Socket
	err = addEndpoint(sh.st, share, st)
	if err == nil {
		err = sh.st.Watch(share.ep, share.changedLocked)
	}
	if err == nil {
		err = sh.st.Do(func(timer.Time) error {
			s = newSocket(share, st)
			share.parent = s
			return nil
		})
	}
	if err != nil {
		sh.release()
		return nil, opError("open", 0, -1, err)
	}
	of := stack.TapFilter{Port: share.ep.Port(), Addrs: st.assoc.LocalAddrs,
		NoIPv6: st.family != FamilyInet6, NoIPv4: st.family == FamilyInet6 && st.v6only}
	if st.capture != nil {
		share.capture = startCapture(sh.st, of, st.capture)
	}
	share.untrace = sh.st.Trace(logs.New(st.logger, logs.ScopeStack), of)
	s.logOpen()
	return s, nil
}

// addEndpoint creates the endpoint of the socket on its SCTP port, or on
// a free one for port 0.
func addEndpoint(st *stack.Stack, share *epShare, set settings) error {
	tmpl := onTransport(set.inNamespace(set.assoc), st.Transport())
	tmpl.Rand = stack.CryptoSource()
	cfg := endpoint.Config{Port: set.port, Style: set.typ, Assoc: tmpl, Backlog: set.backlog, LoggerFactory: set.logger,
		// The socket's family: no IPv6 on inet, no IPv4 on inet6 with
		// ipv6_v6only, whoever else opened the UDP sockets of the port.
		NoIPv6: set.family != FamilyInet6, NoIPv4: set.family == FamilyInet6 && set.v6only}
	endpointLimits(&cfg, &set)
	if set.port != 0 {
		ep, err := st.AddEndpoint(cfg)
		share.ep = ep
		return err
	}
	// Ephemeral: start at a point that depends on the stack, then probe.
	start := ephemeralFirst + int(stack.CryptoSource().Uint64()%(ephemeralLast-ephemeralFirst+1))
	for i := range ephemeralLast - ephemeralFirst + 1 {
		cfg.Port = uint16(ephemeralFirst + (start-ephemeralFirst+i)%(ephemeralLast-ephemeralFirst+1))
		ep, err := st.AddEndpoint(cfg)
		if err == nil {
			share.ep = ep
			return nil
		}
		if !errors.Is(err, endpoint.ErrPortInUse) {
			return err
		}
	}
	return ErrAddrInUse
}

// Listen makes the socket accept associations (gen_sctp listen/2 with
// true) or stop accepting new ones (false); existing associations are not
// affected.
func (s *Socket) Listen(on bool) error {
	return opError("listen", 0, -1, s.do(func(timer.Time) error {
		if s.peeled {
			return ErrNotSupported
		}
		s.share.ep.Listen(on)
		return nil
	}))
}

// ListenBacklog is gen_sctp listen/2 with an integer: a positive backlog
// listens with that backlog (the Backlog option: the associations a
// one-to-one socket has set up and Accept has not taken yet), 0 or less
// stops listening. One-to-many sockets have no backlog: they keep the
// value without effect.
func (s *Socket) ListenBacklog(backlog int) error {
	if backlog <= 0 {
		return s.Listen(false)
	}
	return opError("listen", 0, -1, s.do(func(now timer.Time) error {
		if s.peeled {
			return ErrNotSupported
		}
		if err := s.setOptsLocked(now, modeSet, []Option{Backlog(backlog)}); err != nil {
			return err
		}
		s.share.ep.Listen(true)
		return nil
	}))
}
