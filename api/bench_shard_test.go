package api

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/packetio"
)

// BenchmarkShardedServer measures the server side of two busy
// associations on one server UDP port, on two shards: a Listener (a
// one-to-one socket with Shards(2)) whose two accepted Conns each have a
// goroutine reading their messages, as a Go server does. The peers are
// not stacks: they are pre-built DATA packets (one 1200-byte message
// each, consecutive TSNs, correct tags and checksums) that a transport
// double (feed) hands to the stack's readers as fast as they take them,
// within the receive window the server advertises in its SACKs (which
// the double reads and then drops), so that what is measured is the
// server: reading, routing, the two cores, the SACKs, the Conns' reads.
// The double has a receive queue per shard (packetio.Queued), steered by
// verification tag, as udpencap's group of sockets on Linux: each shard
// has a reader of its own.
// One op is one DATA packet processed and its message read; pkts/s is
// the rate. Run it with -cpu 1,2: with two cores the rate should be at
// least 1.6 times that with one (bench/cores.sh runs the two alternately
// and prints the ratio of their medians). cpu-ns/pkt is the CPU time
// the process spent per packet, and cpus the CPUs it kept busy on
// average (where the system reports it): on a machine whose cores other
// processes use meanwhile, the rate tells less than these two.
func BenchmarkShardedServer(b *testing.B) { benchShardedServer(b, newFeed(2)) }

// BenchmarkShardedServerOneQueue is BenchmarkShardedServer over a
// transport with one receive queue (as the portable fallback of
// udpencap, or any packetio.Transport that is not packetio.Queued): the
// stack's readers take turns reading it and hand each datagram to its
// shard.
func BenchmarkShardedServerOneQueue(b *testing.B) { benchShardedServer(b, newFeed(1)) }

func benchShardedServer(b *testing.B, f *feed) {
	l, err := Listen("sctp", ":7", OverTransport(f), Shards(2), Recbuf(1<<20), SCTPNodelay(true))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	peers := f.peersOnTwoShards(b, l, 2)
	type reader struct{ want chan int }
	done := make(chan error, len(peers))
	readers := make([]reader, len(peers))
	for i, p := range peers {
		readers[i] = reader{want: make(chan int, 1)}
		go func(c *Conn, want <-chan int) {
			buf := make([]byte, 2*feedMsgSize)
			for n := range want {
				for ; n > 0; n-- {
					k, err := c.Read(buf)
					if err == nil && k != feedMsgSize {
						err = fmt.Errorf("read %d bytes", k)
					}
					if err != nil {
						done <- err
						return
					}
				}
				done <- nil
			}
		}(p.conn, readers[i].want)
	}
	defer func() {
		for i, r := range readers {
			close(r.want)
			peers[i].abort()
		}
	}()
	b.SetBytes(feedMsgSize)
	var cpu time.Duration // the process's CPU time in the timed part
	b.ResetTimer()
	for left := b.N; left > 0; {
		b.StopTimer()
		per := min((left+len(peers)-1)/len(peers), feedSegment)
		f.prepare(per)
		b.StartTimer()
		cpu -= cpuTime()
		for i := range readers {
			readers[i].want <- per
		}
		f.release()
		for range readers {
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		}
		cpu += cpuTime()
		left -= per * len(peers)
	}
	b.StopTimer()
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/pkt")
		b.ReportMetric(cpu.Seconds()/b.Elapsed().Seconds(), "cpus")
	}

	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
}

// The messages of the feed's peers.
const (
	feedMsgSize = 1200
	feedSegment = 8192 // the packets each peer has built at a time
	feedSrvPort = 7
	// feedMsgCost is what a message costs of the server's window at
	// most: the window advertised counts less than the buffer for the
	// overhead of each message held (association.ChunkOverhead), so a
	// peer that sent a window of these messages would see some dropped.
	feedMsgCost = feedMsgSize + association.ChunkOverhead
)

// feed is a packetio.Transport for one server stack whose peers are
// pre-built packets: ReadBatch hands out what the peers have released,
// one peer after the other (as packets from two senders interleave on a
// UDP socket), and WriteBatch reads the server's packets for what a peer
// needs to know (the INIT ACK and COOKIE ACK of its handshake, the
// cumulative TSN and window of its SACKs) and drops them. It is a
// packetio.Queued transport with up to maxQueues queues, steered by
// packetio.QueueOf as udpencap's socket group on Linux steers them.
type feed struct {
	mu        sync.Mutex
	conds     []*sync.Cond // of each queue: its readers wait on it
	closed    bool
	ctrl      []packetio.Message // handshake packets waiting to be read
	peers     []*feedPeer
	next      int // the peer ReadBatch starts with
	local     netip.AddrPort
	maxQueues int
	queues    int // SetQueues's
}

// feedPeer is one peer of the feed: an address, its tags, and its DATA
// packets.
type feedPeer struct {
	addr        netip.AddrPort // IP and UDP port
	tag         uint32         // the peer's own tag: the server's packets carry it
	srvTag      uint32         // the server's tag: the peer's packets carry it
	srvRwnd     uint32         // the window of the server's INIT ACK
	cookie      []byte
	cookieAcked bool
	conn        *Conn

	pkts  [][]byte // the segment's DATA packets, TSN tsn0 onwards
	tsn0  uint32   // TSN of pkts[0]
	sent  int      // pkts handed out
	limit uint32   // the first TSN the server's window does not allow
	tsn   uint32   // next TSN to build
}

func newFeed(maxQueues int) *feed {
	f := &feed{local: netip.MustParseAddrPort("127.0.0.1:9899"), maxQueues: maxQueues, queues: 1}
	for range maxQueues {
		f.conds = append(f.conds, sync.NewCond(&f.mu))
	}
	return f
}

// peersOnTwoShards sets up associations of new peers with the listener
// l until n of them are on different shards of its stack (the shard of
// an association is its tag's class, endpoint.Shard), and returns those.
func (f *feed) peersOnTwoShards(b *testing.B, l *Listener, n int) []*feedPeer {
	b.Helper()
	shards := l.Socket().stk.Shards()
	var out []*feedPeer
	used := map[int]bool{}
	for i := 1; len(out) < n; i++ {
		if i > 64 {
			b.Fatal("no peers on different shards")
		}
		p := f.handshake(b, l, i)
		if sh := int(p.srvTag % uint32(shards)); !used[sh] {
			used[sh] = true
			out = append(out, p)
			continue
		}
		p.abort()
	}
	f.mu.Lock()
	f.peers = out
	f.mu.Unlock()
	return out
}

// handshake sets up the association of peer i (127.0.1.i, SCTP port
// 5000) with the listener and accepts it.
func (f *feed) handshake(b *testing.B, l *Listener, i int) *feedPeer {
	b.Helper()
	p := &feedPeer{addr: netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 1, byte(i)}), 9899),
		tag: 0x1000 + uint32(i), tsn: 1}
	f.mu.Lock()
	f.peers = append(f.peers, p)
	f.mu.Unlock()
	f.push(p, 0, &chunk.Init{InitiateTag: chunk.VerificationTag(p.tag), ARwnd: 1 << 20,
		OutboundStreams: 1, InboundStreams: 1, InitialTSN: chunk.TSN(p.tsn)})
	f.await(b, func() bool { return p.cookie != nil })
	f.push(p, p.srvTag, &chunk.CookieEcho{Cookie: p.cookie})
	f.await(b, func() bool { return p.cookieAcked })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := l.AcceptSCTP(ctx)
	if err != nil {
		b.Fatal(err)
	}
	p.conn = c
	f.mu.Lock()
	f.peers = f.peers[:len(f.peers)-1]
	f.mu.Unlock()
	return p
}

// abort closes the server's end of p's association at once.
func (p *feedPeer) abort() {
	_ = p.conn.Socket().SetOpts(Linger(true, 0))
	_ = p.conn.Close()
}

// push queues a packet of peer p with one chunk for the server.
func (f *feed) push(p *feedPeer, tag uint32, c chunk.Chunk) {
	var pb packet.Builder
	pb.Reset(make([]byte, 0, 1500), packet.Header{SrcPort: 5000, DstPort: feedSrvPort,
		VerificationTag: chunk.VerificationTag(tag)}, 1500)
	pb.Add(c)
	data := pb.Finish()
	f.mu.Lock()
	f.ctrl = append(f.ctrl, packetio.Message{Data: data, From: p.addr, To: f.local})
	f.mu.Unlock()
	f.wakeAll()
}

// wakeAll wakes the readers of every queue.
func (f *feed) wakeAll() {
	for _, c := range f.conds {
		c.Broadcast()
	}
}

// await waits until cond, called with f.mu held, holds.
func (f *feed) await(b *testing.B, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.mu.Lock()
		ok := cond()
		f.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			b.Fatal("handshake: no answer from the server")
		}
		time.Sleep(time.Millisecond)
	}
}

// prepare builds the next n DATA packets of every peer (consecutive
// TSNs and stream sequence numbers on stream 0, a 1200-byte message
// each), reusing the buffers of the last segment, and holds them until
// release.
func (f *feed) prepare(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	msg := make([]byte, feedMsgSize)
	var pb packet.Builder
	for _, p := range f.peers {
		for len(p.pkts) < n {
			p.pkts = append(p.pkts, make([]byte, 0, feedMsgSize+64))
		}
		p.pkts = p.pkts[:n]
		p.tsn0 = p.tsn
		for i := range p.pkts {
			pb.Reset(p.pkts[i][:0], packet.Header{SrcPort: 5000, DstPort: feedSrvPort,
				VerificationTag: chunk.VerificationTag(p.srvTag)}, 1500)
			pb.Add(&chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: chunk.TSN(p.tsn),
				SSN: chunk.SSN(p.tsn - 1), UserData: msg})
			p.pkts[i] = pb.Finish()
			p.tsn++
		}
		p.sent = 0
		if p.limit == 0 { // before the first SACK: the INIT ACK's window
			p.limit = p.tsn0 + p.srvRwnd/feedMsgCost
		}
	}
}

// release lets ReadBatch hand out the packets prepared.
func (f *feed) release() { f.wakeAll() }

// ReadBatch implements packetio.Transport: it waits until a packet is
// available, then fills msgs, one peer after the other.
func (f *feed) ReadBatch(msgs []packetio.Message) (int, error) { return f.ReadQueue(-1, msgs) }

// SetQueues implements packetio.Queued.
func (f *feed) SetQueues(n int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n > f.maxQueues {
		n = 1
	}
	f.queues = n
	return n
}

// ReadQueue implements packetio.Queued: ReadBatch for the packets of
// queue q (-1: all).
func (f *feed) ReadQueue(q int, msgs []packetio.Message) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		if f.closed {
			return 0, net.ErrClosed
		}
		n := 0
		f.ctrl = slices.DeleteFunc(f.ctrl, func(m packetio.Message) bool {
			if n == len(msgs) || q >= 0 && packetio.QueueOf(m.Data, f.queues) != q {
				return false
			}
			msgs[n] = m
			n++
			return true
		})
		for stalled := 0; n < len(msgs) && stalled < len(f.peers); {
			p := f.peers[f.next]
			f.next = (f.next + 1) % len(f.peers)
			if p.sent >= len(p.pkts) || p.tsn0+uint32(p.sent) >= p.limit ||
				q >= 0 && int(p.srvTag%uint32(f.queues)) != q {
				stalled++
				continue
			}
			stalled = 0
			msgs[n] = packetio.Message{Data: p.pkts[p.sent], From: p.addr, To: f.local}
			p.sent++
			n++
		}
		if n > 0 {
			return n, nil
		}
		f.conds[max(q, 0)].Wait()
	}
}

// ReleaseBatch implements packetio.Transport: the packets stay the
// feed's.
func (f *feed) ReleaseBatch(msgs []packetio.Message) {
	for i := range msgs {
		msgs[i].Data = nil
	}
}

// WriteBatch implements packetio.Transport: it reads what the peers need
// from the server's packets and drops them.
func (f *feed) WriteBatch(msgs []packetio.OutMessage) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, net.ErrClosed
	}
	var opened uint64 // the queues of the peers whose window opened
	for _, m := range msgs {
		opened |= f.heard(m.Data)
	}
	for q, c := range f.conds {
		if opened&(1<<q) != 0 {
			c.Broadcast()
		}
	}
	return len(msgs), nil
}

// heard takes in a packet of the server and returns the bit of the
// queue of the peer whose window it opened, if any.
func (f *feed) heard(b []byte) (opened uint64) {
	if len(b) < packet.HeaderLen+4 {
		return 0
	}
	tag := binary.BigEndian.Uint32(b[4:8])
	var p *feedPeer
	for _, x := range f.peers {
		if x.tag == tag {
			p = x
		}
	}
	if p == nil {
		return 0
	}
	for c := b[packet.HeaderLen:]; len(c) >= 4; {
		l := int(binary.BigEndian.Uint16(c[2:4]))
		if l < 4 || l > len(c) {
			break
		}
		switch chunk.Type(c[0]) {
		case chunk.TypeSACK:
			if l >= 16 {
				cum, rwnd := binary.BigEndian.Uint32(c[4:8]), binary.BigEndian.Uint32(c[8:12])
				limit := cum + 1 + rwnd/feedMsgCost
				if limit > p.limit {
					p.limit, opened = limit, 1<<(p.srvTag%uint32(f.queues))
				}
			}
		case chunk.TypeInitAck:
			var ia chunk.InitAck
			if _, err := ia.Parse(c); err == nil && ia.StateCookie() != nil {
				p.srvTag, p.srvRwnd = uint32(ia.InitiateTag), ia.ARwnd
				p.cookie = append([]byte(nil), ia.StateCookie().Cookie...)
			}
		case chunk.TypeCookieAck:
			p.cookieAcked = true
		}
		c = c[min(len(c), (l+3)&^3):]
	}
	return opened
}

// LocalAddrs implements packetio.Transport.
func (f *feed) LocalAddrs() []netip.AddrPort { return []netip.AddrPort{f.local} }

// Close implements packetio.Transport.
func (f *feed) Close() error {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	f.wakeAll()
	return nil
}

var _ packetio.Queued = (*feed)(nil)
