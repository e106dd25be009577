package api

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"

	"github.com/gensctp/gensctp/timer"
)

// resolverOption is the name of the Resolver option.
const resolverOption = "resolver"

// Resolver sets the resolver of the host names the socket is given
// (ConnectHost, ConnectHosts, ConnectInitHost, ConnectxInitHosts,
// LookupHost), an addition to gen_sctp, whose inet_db plays that part;
// nil, the default, means net.DefaultResolver. Dial, Listen and
// ListenContext use it for the host of their address too. IP literals
// never go through it. Open-only.
func Resolver(r *net.Resolver) Option {
	return Option{name: resolverOption, openOnly: true, apply: func(c *optCtx) error {
		c.st.resolver = r
		return nil
	}}
}

// resolverOf returns the resolver set in opts (the last Resolver
// option), or nil.
func resolverOf(opts []Option) *net.Resolver {
	var st settings
	for _, o := range opts {
		if o.name == resolverOption && o.apply != nil {
			_ = o.apply(&optCtx{st: &st})
		}
	}
	return st.resolver
}

// resolverOrDefault returns r, or net.DefaultResolver for nil.
func resolverOrDefault(r *net.Resolver) *net.Resolver {
	if r == nil {
		return net.DefaultResolver
	}
	return r
}

// lookupNetwork returns the network of net.Resolver.LookupNetIP for a
// socket of family fam: an inet socket takes IPv4 addresses only, an
// inet6 one both (IPv6 only with ipv6_v6only).
func lookupNetwork(fam Family, v6only bool) string {
	switch {
	case fam == FamilyInet:
		return "ip4"
	case v6only:
		return "ip6"
	}
	return "ip"
}

// lookupHosts returns the addresses of hosts, in order, without
// duplicates: an IP literal as it is, without asking r; a name as r
// resolves it for network ("ip4", "ip6" or "ip"), the IPv6 addresses
// first (each family in the resolver's order). A name that does not
// resolve, or to no address of network, is an error wrapping
// ErrNXDomain and the resolver's *net.DNSError; the end of ctx an error
// wrapping its cause (context.DeadlineExceeded, context.Canceled).
func lookupHosts(ctx context.Context, r *net.Resolver, network string, hosts []string) ([]netip.Addr, error) {
	out := make([]netip.Addr, 0, len(hosts))
	for _, h := range hosts {
		if ip, err := netip.ParseAddr(h); err == nil {
			out = appendNew(out, ip.Unmap())
			continue
		}
		ips, err := resolverOrDefault(r).LookupNetIP(ctx, network, h)
		if err != nil {
			return nil, resolveError(ctx, h, err)
		}
		if len(ips) == 0 {
			return nil, resolveError(ctx, h, &net.DNSError{Err: "no such host", Name: h, IsNotFound: true})
		}
		for i := range ips {
			ips[i] = ips[i].Unmap()
		}
		// Stable: each family keeps the resolver's order.
		slices.SortStableFunc(ips, func(a, b netip.Addr) int {
			return boolInt(a.Is4()) - boolInt(b.Is4())
		})
		for _, ip := range ips {
			out = appendNew(out, ip)
		}
	}
	return out, nil
}

// appendNew appends ip to addrs unless it is there already.
func appendNew(addrs []netip.Addr, ip netip.Addr) []netip.Addr {
	if slices.Contains(addrs, ip) {
		return addrs
	}
	return append(addrs, ip)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// resolveError returns the error of a failed resolution of host: the
// cause of ctx when it ended (reason timeout or ecanceled), else
// ErrNXDomain (reason nxdomain); both wrap the resolver's error.
func resolveError(ctx context.Context, host string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("resolving %q: %w: %w", host, context.Cause(ctx), err)
	}
	return fmt.Errorf("%w: %w", ErrNXDomain, err)
}

// LookupHost returns the addresses the socket connects to for hosts, as
// ConnectHosts and ConnectxInitHosts do, an addition to gen_sctp: each
// IP literal as it is; each name resolved by the Resolver option with
// the socket's family (an inet socket takes the IPv4 addresses only, an
// inet6 socket both, IPv6 first, or IPv6 only with ipv6_v6only), every
// address of a name; without duplicates. ctx and the write deadline
// (SetWriteDeadline) bound the resolution. A name that does not resolve
// fails with an *Error of reason nxdomain wrapping ErrNXDomain and the
// *net.DNSError (errors.Is, errors.As); the end of ctx or the deadline
// with reason timeout or ecanceled.
func (s *Socket) LookupHost(ctx context.Context, hosts ...string) ([]netip.Addr, error) {
	return s.lookup(ctx, "lookup", hosts)
}

// lookup is LookupHost for operation op.
func (s *Socket) lookup(ctx context.Context, op string, hosts []string) ([]netip.Addr, error) {
	if s == nil {
		return nil, nilSocketError(op)
	}
	if addrs, ok := literals(hosts); ok {
		return addrs, nil
	}
	var fam Family
	var v6only bool
	var r *net.Resolver
	err := s.do(func(timer.Time) error {
		fam, v6only, r = s.st.family, s.st.v6only, s.st.resolver
		return nil
	})
	if err == nil {
		err = s.wdl.check(ctx)
	}
	if err == nil {
		rctx, stop := withDone(ctx, s.wdl.done(), os.ErrDeadlineExceeded)
		defer stop()
		var addrs []netip.Addr
		if addrs, err = lookupHosts(rctx, r, lookupNetwork(fam, v6only), hosts); err == nil {
			return addrs, nil
		}
	}
	return nil, opError(op, 0, -1, err)
}

// literals returns the addresses of hosts, without duplicates, if every
// one is an IP literal.
func literals(hosts []string) ([]netip.Addr, bool) {
	out := make([]netip.Addr, 0, len(hosts))
	for _, h := range hosts {
		ip, err := netip.ParseAddr(h)
		if err != nil {
			return nil, false
		}
		out = appendNew(out, ip.Unmap())
	}
	return out, true
}

// withDone returns a context that ends when ctx ends or, with cause,
// when done is closed, and the function that releases it.
func withDone(ctx context.Context, done <-chan struct{}, cause error) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	stopped := make(chan struct{})
	go func() {
		select {
		case <-done:
			cancel(cause)
		case <-stopped:
		}
	}()
	return ctx, func() { close(stopped); cancel(nil) }
}

// ConnectHost is Connect to host, an IP literal or a host name (gen_sctp
// connect/4,5 with a hostname()): a name is resolved as LookupHost does,
// bounded by ctx and the write deadline, and the association gets every
// address it resolves to, as ConnectAddrs.
// A name that does not resolve fails with reason nxdomain, an error
// wrapping ErrNXDomain and the *net.DNSError, before opts are applied.
func (s *Socket) ConnectHost(ctx context.Context, host string, port uint16, opts ...Option) (*AssocChange, error) {
	return s.ConnectHosts(ctx, []string{host}, port, opts...)
}

// ConnectHosts is ConnectAddrs to hosts, IP literals or host names: the
// addresses of each in turn (see ConnectHost).
func (s *Socket) ConnectHosts(ctx context.Context, hosts []string, port uint16, opts ...Option) (*AssocChange, error) {
	addrs, err := s.lookup(ctx, "connect", hosts)
	if err != nil {
		return nil, err
	}
	return s.ConnectAddrs(ctx, addrs, port, opts...)
}

// ConnectInitHost is ConnectInit to host, an IP literal or a host name
// (gen_sctp connect_init/4,5 with a hostname()), with every address the
// name resolves to (see ConnectHost). ctx and the write deadline bound
// the resolution only, as connect_init/5's Timeout does.
func (s *Socket) ConnectInitHost(ctx context.Context, host string, port uint16, opts ...Option) error {
	addrs, err := s.lookup(ctx, "connect_init", []string{host})
	if err != nil {
		return err
	}
	_, _, err = s.startConnect("connect_init", addrs, port, opts, false)
	return err
}

// ConnectxInitHosts is ConnectxInit to hosts, IP literals or host names
// (gen_sctp connectx_init/4,5): the addresses of each in turn (see
// ConnectHost). ctx and the write deadline bound the resolution only, as
// connectx_init/5's Timeout does.
func (s *Socket) ConnectxInitHosts(ctx context.Context, hosts []string, port uint16, opts ...Option) (AssocID, error) {
	addrs, err := s.lookup(ctx, "connectx_init", hosts)
	if err != nil {
		return 0, err
	}
	return s.ConnectxInit(ctx, addrs, port, opts...)
}
