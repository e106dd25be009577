package udpencap

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/gensctp/gensctp/packetio"
	"github.com/pion/transport/v3"
	"github.com/pion/transport/v3/stdnet"
)

// DefaultPort is the IANA-assigned UDP port for SCTP over UDP
// (sctp-tunneling, RFC 6951 Section 5.1 and Section 7). [Config].Port is not
// defaulted to it: callers pass DefaultPort explicitly.
const DefaultPort = 9899

const (
	defaultBatchSize  = 32
	maxBatchSize      = 1024 // UIO_MAXIOV, the kernel's limit for one sendmmsg/recvmmsg
	defaultBufferSize = 1 << 16
	minBufferSize     = 1280 // the IPv6 minimum link MTU
	bindRetries       = 8
	envNoBatch        = "GENSCTP_UDP_NOBATCH"
	envNoGSO          = "GENSCTP_UDP_NOGSO"
	envNoGRO          = "GENSCTP_UDP_NOGRO"
	envNoPush         = "GENSCTP_UDP_NOPUSH"
	maxGRODatagram    = 1 << 16 // the largest UDP GRO super-datagram
)

// ErrNoSocket is returned by [Conn.WriteBatch] and [Conn.WriteTo] when the
// [Conn] has no socket of the destination's address family.
var ErrNoSocket = errors.New("udpencap: no local socket for the destination's address family")

// Config configures [Listen]. The zero value binds 0.0.0.0 on an ephemeral
// port through the standard library.
type Config struct {
	// Net opens the sockets; nil means the operating system's network
	// (stdnet.NewNet()). A pion vnet.Net gives a virtual network for tests.
	Net transport.Net
	// LocalAddrs are the addresses to bind, one socket each, all on the
	// same port. Empty means the IPv4 wildcard 0.0.0.0, plus the IPv6
	// wildcard [::] when IPv6 is set. IPv4-mapped IPv6 addresses are
	// treated as IPv4.
	LocalAddrs []netip.Addr
	// IPv6 adds the IPv6 wildcard [::] (with IPV6_V6ONLY) when LocalAddrs
	// is empty. It has no effect otherwise.
	IPv6 bool
	// Port is the local UDP port of every socket. 0 picks an ephemeral port
	// for the first socket and reuses it for the others; callers that want
	// the RFC 6951 port pass [DefaultPort].
	Port int
	// ReadBuffer and WriteBuffer set SO_RCVBUF and SO_SNDBUF on every
	// socket; 0 keeps the operating system's default. The kernel may cap
	// them (net.core.rmem_max and wmem_max on Linux).
	ReadBuffer, WriteBuffer int
	// BatchSize is the number of datagrams one system call reads or writes
	// on the batch path; 0 means 32. It is capped at 1024.
	BatchSize int
	// BufferSize is the size of each pooled receive buffer, and so the
	// largest datagram received intact; 0 means 65536. Values below 1280
	// are raised to 1280.
	BufferSize int
	// DisableBatch forces the portable path (one datagram per system call)
	// even where recvmmsg/sendmmsg are available.
	DisableBatch bool
	// DisableGSO keeps the batch path from using UDP generic segmentation
	// offload (Linux UDP_SEGMENT) for runs of equal-sized datagrams.
	DisableGSO bool
	// DisableGRO keeps the batch path from asking for UDP generic receive
	// offload (Linux UDP_GRO): coalesced datagrams, split again into
	// their segments as they are read.
	DisableGRO bool
	// DisablePush makes [Conn.SetPush] do nothing: the datagrams go
	// through the receive queues (ReadBatch, ReadQueue) whatever the
	// receiver asks. The environment variable GENSCTP_UDP_NOPUSH, when
	// non-empty, does the same.
	DisablePush bool
	// Queues asks for that many receive queues (packetio.Queued: a stack
	// sharded that many ways reads each shard's packets on a queue of
	// its own): on Linux, over the operating system's network, each
	// local address gets a group of Queues sockets on the port, whose
	// kernel steers each datagram by its SCTP verification tag
	// (packetio.QueueOf) to the socket of its queue; elsewhere, and
	// with 0 or 1, one socket per address and one queue. See
	// [Conn.SetQueues].
	Queues int
}

// Conn is a set of UDP sockets, one per local address, sharing one port. It
// is safe for concurrent use: writes may come from any goroutine, and
// concurrent calls to [Conn.ReadBatch] are serialised.
type Conn struct {
	socks     atomic.Pointer[[]*socket] // copied on write (Bind), under mu
	port      int
	batchSize int
	pool      *packetio.Pool
	stats     counters
	hook      atomic.Pointer[Hook]
	// push: the function the sockets' readers hand their batches to
	// (SetPush), instead of the receive queues.
	push atomic.Pointer[pushFunc]

	// Read side: the receive queues (rqs[0] for ReadBatch; more for a
	// group of sockets per address, see queues.go) and their deadline.
	rqs      []*rqueue
	queued   atomic.Bool // SetQueues took the queues: each socket fills its own
	group    []*socket   // the sockets of the groups beyond the first of each
	deadline packetio.Deadline

	ipmu sync.Mutex // guards ipo and rip and serialises the IP option setters
	ipo  IPOptions
	rip  recvIPState
	// tos is ipo.TOS (low byte) and ipo.TrafficClass (next byte), for
	// the writers that set the ECN field (storeTOSLocked, tosFor).
	tos atomic.Uint32
	// ptb: the sockets report Packet Too Big messages (EnablePTB).
	ptb atomic.Bool

	cfg   Config  // as normalised by Listen, for Bind
	paths ioPaths // the fast paths of the sockets, for Bind

	mu        sync.Mutex // guards Bind and the start of goroutines after Listen
	dmu       sync.Mutex // guards delays and the start of their goroutine
	delays    *delayQueue
	closed    atomic.Bool
	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// A Conn is the packet transport of SCTP over UDP.
var (
	_ packetio.Transport   = (*Conn)(nil)
	_ packetio.IPReporter  = (*Conn)(nil)
	_ packetio.ECNCapable  = (*Conn)(nil)
	_ packetio.PTBReporter = (*Conn)(nil)
)

// Listen opens the sockets described by cfg and starts one reader goroutine
// per socket. The returned [Conn] must be closed with [Conn.Close].
func Listen(cfg Config) (*Conn, error) {
	cfg, addrs, err := normalise(cfg)
	if err != nil {
		return nil, err
	}
	c := &Conn{
		batchSize: cfg.BatchSize,
		done:      make(chan struct{}),
	}
	paths := ioPaths{
		noBatch: cfg.DisableBatch || os.Getenv(envNoBatch) != "",
		gso:     !cfg.DisableGSO && os.Getenv(envNoGSO) == "",
		// GRO only where every receive buffer takes a super-datagram,
		// or the kernel would truncate it.
		gro: !cfg.DisableGRO && os.Getenv(envNoGRO) == "" && cfg.BufferSize >= maxGRODatagram,
	}
	for try := 0; ; try++ {
		err = c.bind(cfg, addrs, paths)
		if err == nil || cfg.Port != 0 || try == bindRetries || !errors.Is(err, syscall.EADDRINUSE) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	c.readIPOptions()
	buffered := 0
	socks := c.sockets()
	for _, s := range socks {
		buffered += s.nbuf
	}
	c.cfg = cfg
	c.paths = paths
	c.pool = packetio.NewPool(cfg.BufferSize, 2*buffered)
	c.rqs = []*rqueue{{full: make(chan *batch, buffered+len(socks))}}
	c.startGroups()
	for _, s := range socks {
		c.wg.Add(1)
		go s.readLoop()
	}
	return c, nil
}

// normalise validates cfg, fills in defaults and returns the addresses to
// bind.
func normalise(cfg Config) (Config, []netip.Addr, error) {
	if cfg.Port < 0 || cfg.Port > 65535 {
		return cfg, nil, fmt.Errorf("udpencap: port %d out of range", cfg.Port)
	}
	if cfg.Net == nil {
		n, err := stdnet.NewNet()
		if err != nil {
			return cfg, nil, fmt.Errorf("udpencap: %w", err)
		}
		cfg.Net = n
	}
	switch {
	case cfg.BatchSize <= 0:
		cfg.BatchSize = defaultBatchSize
	case cfg.BatchSize > maxBatchSize:
		cfg.BatchSize = maxBatchSize
	}
	switch {
	case cfg.BufferSize <= 0:
		cfg.BufferSize = defaultBufferSize
	case cfg.BufferSize < minBufferSize:
		cfg.BufferSize = minBufferSize
	}
	addrs := make([]netip.Addr, 0, len(cfg.LocalAddrs)+2)
	for _, a := range cfg.LocalAddrs {
		if !a.IsValid() {
			return cfg, nil, errors.New("udpencap: invalid local address")
		}
		a = a.Unmap()
		for _, b := range addrs {
			if a == b {
				return cfg, nil, fmt.Errorf("udpencap: local address %v listed twice", a)
			}
		}
		addrs = append(addrs, a)
	}
	if len(addrs) == 0 {
		addrs = append(addrs, netip.IPv4Unspecified())
		if cfg.IPv6 {
			addrs = append(addrs, netip.IPv6Unspecified())
		}
	}
	return cfg, addrs, nil
}

// ioPaths are the fast paths Listen may use.
type ioPaths struct{ noBatch, gso, gro bool }

// bind opens one socket per address on one port. On failure it closes what
// it opened.
func (c *Conn) bind(cfg Config, addrs []netip.Addr, paths ioPaths) error {
	var socks []*socket
	port := cfg.Port
	for _, a := range addrs {
		s, err := c.open(cfg, a, port, paths, nil)
		if err != nil {
			for _, s := range socks {
				_ = s.uc.Close()
			}
			return err
		}
		port = int(s.local.Port())
		socks = append(socks, s)
	}
	c.socks.Store(&socks)
	c.port = port
	return nil
}

// listenFunc binds a UDP socket.
type listenFunc func(network string, laddr *net.UDPAddr) (transport.UDPConn, error)

// open binds one socket with listen (nil: cfg.Net's ListenUDP) and sets
// its buffers.
func (c *Conn) open(cfg Config, a netip.Addr, port int, paths ioPaths, listen listenFunc) (*socket, error) {
	network := "udp4"
	if a.Is6() {
		network = "udp6"
	}
	laddr := &net.UDPAddr{IP: a.AsSlice(), Port: port, Zone: a.Zone()}
	if listen == nil {
		listen = cfg.Net.ListenUDP
	}
	uc, err := listen(network, laddr)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*socket, error) {
		_ = uc.Close()
		return nil, err
	}
	if cfg.ReadBuffer > 0 {
		if err := uc.SetReadBuffer(cfg.ReadBuffer); err != nil && !errors.Is(err, transport.ErrNotSupported) {
			return fail(err)
		}
	}
	if cfg.WriteBuffer > 0 {
		if err := uc.SetWriteBuffer(cfg.WriteBuffer); err != nil && !errors.Is(err, transport.ErrNotSupported) {
			return fail(err)
		}
	}
	ua, ok := uc.LocalAddr().(*net.UDPAddr)
	if !ok {
		return fail(fmt.Errorf("udpencap: local address %v is not UDP", uc.LocalAddr()))
	}
	local := ua.AddrPort()
	local = netip.AddrPortFrom(local.Addr().Unmap(), local.Port())
	s, err := newSocket(c, uc, local, cfg.BatchSize, paths)
	if err != nil {
		return fail(err)
	}
	if s.wild && s.std != nil && pktinfoSupported {
		// The destination of each datagram, and the source of replies.
		if err := setPktinfo(s.std, s.is4); err != nil {
			return fail(err)
		}
		s.pktinfo = true
	}
	return s, nil
}

// LocalAddrs returns the local address and port of every socket, in the
// order of [Config].LocalAddrs.
func (c *Conn) LocalAddrs() []netip.AddrPort {
	socks := c.sockets()
	out := make([]netip.AddrPort, len(socks))
	for i, s := range socks {
		out[i] = s.local
	}
	return out
}

// Port returns the local UDP port shared by all sockets: the local UDP
// encapsulation port of RFC 6951 Section 5.1.
func (c *Conn) Port() int { return c.port }

// Close closes every socket, stops the reader and timer goroutines, drops
// delayed datagrams and unblocks [Conn.ReadBatch], which then fails with an
// error satisfying errors.Is(err, net.ErrClosed). Close is idempotent: calls
// after the first return nil. It waits for the goroutines of the [Conn] to
// exit.
func (c *Conn) Close() error {
	var err error
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed.Store(true)
		close(c.done)
		c.mu.Unlock()
		// A delay that saw the Conn open has started its goroutine
		// (wg.Add) by the time dmu is free: before wg.Wait below.
		c.dmu.Lock()
		c.dmu.Unlock()
		for _, s := range slices.Concat(c.sockets(), c.group) {
			if e := s.uc.Close(); e != nil && err == nil {
				err = e
			}
		}
		c.deadline.Stop()
		c.wg.Wait()
	})
	return err
}

// opError wraps err the way package net does.
func (c *Conn) opError(op string, err error) error {
	var addr net.Addr
	if socks := c.sockets(); len(socks) > 0 {
		addr = net.UDPAddrFromAddrPort(socks[0].local)
	}
	return &net.OpError{Op: op, Net: "udp", Addr: addr, Err: err}
}
