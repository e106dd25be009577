// Package dnstest is a DNS server on loopback for the tests of host
// names, so that they do not depend on the machine's DNS: Server answers
// A and AAAA queries from its table, NXDOMAIN for the names it does not
// know, and nothing for the silent ones; Server.Resolver is a
// net.Resolver that asks it only.
package dnstest

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// Server is a DNS server on 127.0.0.1 (UDP).
type Server struct {
	pc      net.PacketConn
	hosts   map[string][]netip.Addr // by lower-case FQDN ("multi.test.")
	silent  map[string]bool
	queries atomic.Int64
	done    chan struct{}
}

// New starts a Server with hosts (a name to its addresses, IP literals,
// answered in that order) and the silent names, stopped at the end of
// the test.
func New(t testing.TB, hosts map[string][]string, silent ...string) *Server {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &Server{pc: pc, hosts: map[string][]netip.Addr{}, silent: map[string]bool{}, done: make(chan struct{})}
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

// Queries returns the number of questions received.
func (f *Server) Queries() int64 { return f.queries.Load() }

// Resolver returns a pure-Go net.Resolver that asks f only (names of
// /etc/hosts, such as localhost, are still found there). Its connections
// close when the lookup's context ends, so that no lookup outlives it.
func (f *Server) Resolver() *net.Resolver {
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
func (f *Server) serve() {
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
func (f *Server) answer(query []byte) ([]byte, bool) {
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
