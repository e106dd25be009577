package api

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/dns/dnsmessage"
)

// fakeDNS is a DNS server on 127.0.0.1 (UDP) for the resolver of tests,
// so that they do not depend on the machine's DNS: it answers A and AAAA
// queries from its table (in the table's order), NXDOMAIN for names it
// does not know, and nothing at all for the silent ones.
type fakeDNS struct {
	pc      net.PacketConn
	hosts   map[string][]netip.Addr // by lower-case FQDN ("multi.test.")
	silent  map[string]bool
	queries atomic.Int64 // questions received
	done    chan struct{}
}

// newFakeDNS starts a fakeDNS with hosts (name to addresses) and the
// silent names, stopped at the end of the test.
func newFakeDNS(t *testing.T, hosts map[string][]string, silent ...string) *fakeDNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	f := &fakeDNS{pc: pc, hosts: map[string][]netip.Addr{}, silent: map[string]bool{}, done: make(chan struct{})}
	for name, addrs := range hosts {
		for _, a := range addrs {
			f.hosts[fqdn(name)] = append(f.hosts[fqdn(name)], netip.MustParseAddr(a))
		}
	}
	for _, name := range silent {
		f.silent[fqdn(name)] = true
	}
	go f.serve()
	t.Cleanup(func() {
		pc.Close()
		<-f.done
	})
	return f
}

func fqdn(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) + "." }

// resolver returns a pure-Go net.Resolver that asks f only (names of
// /etc/hosts, such as localhost, are still found there). Its connections
// close when the lookup's context ends, so that no lookup outlives it.
func (f *fakeDNS) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, "udp", f.pc.LocalAddr().String())
		if err == nil {
			context.AfterFunc(ctx, func() { c.Close() })
		}
		return c, err
	}}
}

// serve answers queries until the socket closes.
func (f *fakeDNS) serve() {
	defer close(f.done)
	buf := make([]byte, 1500)
	for {
		n, from, err := f.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if resp, ok := f.answer(buf[:n]); ok {
			_, _ = f.pc.WriteTo(resp, from)
		}
	}
}

// answer returns the response to query, or false to stay silent.
func (f *fakeDNS) answer(query []byte) ([]byte, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, false
	}
	q, err := p.Question()
	if err != nil {
		return nil, false
	}
	f.queries.Add(1)
	name := strings.ToLower(q.Name.String())
	if f.silent[name] {
		return nil, false
	}
	addrs, known := f.hosts[name]
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true}
	if !known {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	if b.StartQuestions() != nil || b.Question(q) != nil || b.StartAnswers() != nil {
		return nil, false
	}
	rr := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}
	for _, a := range addrs {
		switch {
		case q.Type == dnsmessage.TypeA && a.Is4():
			err = b.AResource(rr, dnsmessage.AResource{A: a.As4()})
		case q.Type == dnsmessage.TypeAAAA && a.Is6():
			err = b.AAAAResource(rr, dnsmessage.AAAAResource{AAAA: a.As16()})
		}
		if err != nil {
			return nil, false
		}
	}
	resp, err := b.Finish()
	return resp, err == nil
}

// requireNXDomain checks that err is the typed error of a name that does
// not resolve: reason nxdomain, ErrNXDomain, a *net.DNSError.
func requireNXDomain(t *testing.T, err error) {
	t.Helper()
	require.ErrorIs(t, err, ErrNXDomain)
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	require.True(t, de.IsNotFound, "%v", err)
	var e *Error
	require.True(t, errors.As(err, &e), "%v", err)
	require.Equal(t, Nxdomain, e.Reason)
}
