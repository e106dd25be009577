package packetio

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// Conn is a [Transport] over a connected net.Conn that carries one SCTP
// packet per Read and per Write: a DTLS connection (RFC 8261), or any
// connected datagram transport. It has one peer, whose address is
// implied: every packet read comes from [Conn.Peer], and every packet
// written goes to the net.Conn, whatever its destination. It implements
// [Connected], so that SCTP over it is single-homed (RFC 8261 Section
// 6.1: "The INIT and INIT-ACK chunk MUST NOT contain any IPv4 Address
// or IPv6 Address parameters").
//
// Writes are as blocking as the net.Conn's Write: a stack writes with
// its core locked, so a Write that waits for the peer to read (as
// net.Pipe's does) can stall both ends. Use a net.Conn whose writes do
// not wait for the reader (a DTLS connection over UDP, or an in-memory
// pipe with a queue such as packetiotest.Pipe).
//
// A goroutine of the Conn reads c while the stack processes what was
// read, and one [Conn.ReadBatch] returns every packet queued. The Conn
// owns c: its Close closes c. c must not be read by anyone else, nor
// have a read deadline set (each timeout would be reported). Once c
// fails to read (for example because the peer closed it: io.EOF), the
// Conn is closed.
type Conn struct {
	c           net.Conn
	r           *reader
	peer, local netip.AddrPort
	dtls        bool // made by NewDTLSConn
	closed      atomic.Bool
	once        sync.Once
}

var _ DTLS = (*Conn)(nil)

// standIn is the peer address of a Conn whose net.Conn has no IP
// address: 192.0.0.8, the IPv4 dummy address of RFC 7600 (an address
// that stands for none), port 0 (unknown).
var standIn = netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 0, 8}), 0)

// NewConn returns a [Transport] over c, which it owns from then on. Its
// peer address is c's RemoteAddr when that is a unicast IP address (a
// DTLS connection over UDP), else 192.0.0.8 port 0 (RFC 7600's IPv4
// dummy address: an address that stands for none); its local address
// is c's LocalAddr when that is an IP address, else 0.0.0.0 port 0.
func NewConn(c net.Conn) *Conn {
	t := &Conn{c: c, peer: standIn, local: netip.AddrPortFrom(netip.IPv4Unspecified(), 0)}
	t.r = newReader(t.read, connTerminal)
	if ap, ok := addrPortOf(c.RemoteAddr()); ok && unicast(ap.Addr()) {
		t.peer = ap
	}
	if ap, ok := addrPortOf(c.LocalAddr()); ok {
		t.local = ap
	}
	return t
}

// NewDTLSConn is [NewConn] for c, a DTLS connection (RFC 8261): the
// Conn's [Conn.DTLS] reports true, so that SCTP over it takes the
// defaults of SCTP over DTLS and may negotiate a zero checksum (RFC 9653
// Section 6). The caller vouches for c: nothing checks that it is DTLS.
func NewDTLSConn(c net.Conn) *Conn {
	t := NewConn(c)
	t.dtls = true
	return t
}

// DTLS reports whether the Conn was made by [NewDTLSConn] (see [DTLS]).
func (t *Conn) DTLS() bool { return t.dtls }

// unicast reports whether a may be a peer's address.
func unicast(a netip.Addr) bool {
	return !a.IsUnspecified() && !a.IsMulticast() && a != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// NetConn returns the net.Conn below.
func (t *Conn) NetConn() net.Conn { return t.c }

// Peer returns the address packets come from (see [NewConn]).
func (t *Conn) Peer() netip.AddrPort { return t.peer }

// ReadBatch returns the packets received (see [Transport]). A timeout of
// the net.Conn is transient; any other error closes the Conn, and
// ReadBatch fails with it, wrapped to satisfy errors.Is(err,
// net.ErrClosed).
func (t *Conn) ReadBatch(msgs []Message) (int, error) {
	return t.r.readBatch(msgs, netip.AddrPort{})
}

// read reads one packet, from the peer.
func (t *Conn) read(b []byte) (int, netip.AddrPort, error) {
	n, err := t.c.Read(b)
	return n, t.peer, err
}

// connTerminal reports whether a read error of a connected net.Conn ends
// it: any but a timeout.
func connTerminal(err error) bool {
	var ne net.Error
	return !errors.As(err, &ne) || !ne.Timeout()
}

// ReleaseBatch hands the buffers of msgs back (see [Transport]).
func (t *Conn) ReleaseBatch(msgs []Message) { t.r.pool.ReleaseBatch(msgs) }

// WriteBatch writes each message with one Write of the net.Conn (see
// [Transport]); To and From are not used.
func (t *Conn) WriteBatch(msgs []OutMessage) (int, error) {
	for i := range msgs {
		if _, err := t.c.Write(msgs[i].Data); err != nil {
			if t.closed.Load() || terminal(err) {
				err = closedError(err)
			}
			return i, err
		}
	}
	return len(msgs), nil
}

// LocalAddrs returns the local address (see [NewConn]).
func (t *Conn) LocalAddrs() []netip.AddrPort { return []netip.AddrPort{t.local} }

// Close closes the net.Conn (see [Transport]).
func (t *Conn) Close() error {
	var err error
	t.once.Do(func() {
		t.closed.Store(true)
		err = t.c.Close()
		t.r.close()
	})
	return err
}
