package packetio

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// PacketConn is a [Transport] over a net.PacketConn: a UDP socket of the
// caller's (*net.UDPConn), a virtual network's, or any datagram transport
// whose addresses are IP addresses and ports. Each datagram is one SCTP
// packet. As with package udpencap, the port of a packet's source
// address is the peer's encapsulation port (RFC 6951 Section 5.4), and a
// packet is sent to the port of its destination.
//
// A goroutine of the PacketConn reads pc while the stack processes what
// was read, and one [PacketConn.ReadBatch] returns every datagram queued.
// A *net.UDPConn (or
// any net.PacketConn with ReadFromUDPAddrPort and WriteToUDPAddrPort)
// is read and written without allocating; other net.PacketConns through
// ReadFrom and WriteTo, with the net.Addr of each peer kept (a bounded
// number of them) so that steady traffic allocates nothing either.
// Datagrams from addresses that are not IP addresses are dropped.
//
// The PacketConn owns pc: its Close closes pc. pc must not have a read
// deadline set, and must not be read by anyone else.
type PacketConn struct {
	pc     net.PacketConn
	ap     addrPortConn // pc when it reads and writes netip.AddrPort, else nil
	r      *reader
	local  netip.AddrPort
	hasIP  bool // local is an IP address
	udp    bool // pc's local address is a UDP address
	closed atomic.Bool
	once   sync.Once

	amu   sync.Mutex // guards addrs
	addrs map[netip.AddrPort]net.Addr
}

// addrPortConn is the allocation-free interface of *net.UDPConn.
type addrPortConn interface {
	ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error)
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
}

// maxAddrs bounds the net.Addr values a PacketConn keeps for WriteTo.
const maxAddrs = 1024

var _ Transport = (*PacketConn)(nil)

// NewPacketConn returns a [Transport] over pc, which it owns from then on.
func NewPacketConn(pc net.PacketConn) *PacketConn {
	p := &PacketConn{pc: pc}
	p.r = newReader(p.readFrom, terminal)
	p.ap, _ = pc.(addrPortConn)
	p.local, p.hasIP = addrPortOf(pc.LocalAddr())
	_, p.udp = pc.LocalAddr().(*net.UDPAddr)
	return p
}

// PacketConn returns the net.PacketConn below.
func (p *PacketConn) PacketConn() net.PacketConn { return p.pc }

// ReadBatch returns the datagrams received (see [Transport]).
func (p *PacketConn) ReadBatch(msgs []Message) (int, error) {
	return p.r.readBatch(msgs, p.local)
}

// readFrom reads one datagram and returns its source, the zero AddrPort
// when it is not an IP address.
func (p *PacketConn) readFrom(b []byte) (int, netip.AddrPort, error) {
	if p.ap != nil {
		n, from, err := p.ap.ReadFromUDPAddrPort(b)
		return n, netip.AddrPortFrom(from.Addr().Unmap(), from.Port()), err
	}
	n, addr, err := p.pc.ReadFrom(b)
	if err != nil {
		return 0, netip.AddrPort{}, err
	}
	from, ok := addrPortOf(addr)
	if !ok {
		return n, netip.AddrPort{}, nil
	}
	p.amu.Lock()
	if _, known := p.addrs[from]; !known {
		p.keepLocked(from, addr)
	}
	p.amu.Unlock()
	return n, from, nil
}

// keepLocked remembers addr as the net.Addr of ap.
func (p *PacketConn) keepLocked(ap netip.AddrPort, addr net.Addr) {
	if p.addrs == nil || len(p.addrs) >= maxAddrs {
		p.addrs = make(map[netip.AddrPort]net.Addr)
	}
	p.addrs[ap] = addr
}

// netAddr returns the net.Addr to write to ap: the one ap's packets came
// from, else a *net.UDPAddr.
func (p *PacketConn) netAddr(ap netip.AddrPort) net.Addr {
	p.amu.Lock()
	defer p.amu.Unlock()
	if a, ok := p.addrs[ap]; ok {
		return a
	}
	a := net.UDPAddrFromAddrPort(ap)
	p.keepLocked(ap, a)
	return a
}

// ReleaseBatch hands the buffers of msgs back (see [Transport]).
func (p *PacketConn) ReleaseBatch(msgs []Message) { p.r.pool.ReleaseBatch(msgs) }

// WriteBatch writes each message as one datagram to its To address (see
// [Transport]). From is not used: the datagrams leave from pc's address.
func (p *PacketConn) WriteBatch(msgs []OutMessage) (int, error) {
	for i := range msgs {
		var err error
		if p.ap != nil {
			_, err = p.ap.WriteToUDPAddrPort(msgs[i].Data, msgs[i].To)
		} else {
			_, err = p.pc.WriteTo(msgs[i].Data, p.netAddr(msgs[i].To))
		}
		if err != nil {
			if p.closed.Load() || terminal(err) {
				err = closedError(err)
			}
			return i, err
		}
	}
	return len(msgs), nil
}

// LocalAddrs returns pc's local address, or nothing when it is not an IP
// address.
func (p *PacketConn) LocalAddrs() []netip.AddrPort {
	if !p.hasIP {
		return nil
	}
	return []netip.AddrPort{p.local}
}

// Port returns the local UDP port: that of pc's local address when it is
// a UDP address, else 0.
func (p *PacketConn) Port() int {
	if !p.udp {
		return 0
	}
	return int(p.local.Port())
}

// Close closes pc (see [Transport]).
func (p *PacketConn) Close() error {
	var err error
	p.once.Do(func() {
		p.closed.Store(true)
		err = p.pc.Close()
		p.r.close()
	})
	return err
}
