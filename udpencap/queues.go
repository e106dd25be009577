package udpencap

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/gensctp/gensctp/packetio"
	"github.com/pion/transport/v3/stdnet"
)

// rqueue is a receive queue of a Conn: the batches that the reader
// goroutines of its sockets pass on, read by ReadBatch (the first) or
// ReadQueue.
type rqueue struct {
	full    chan *batch
	mu      sync.Mutex // serialises the reads; guards cur, pos and pending
	cur     *batch
	pos     int
	pending error
}

// The receive queues of a Conn (packetio.Queued).
//
// With [Config].Queues n > 1, on Linux, over the operating system's
// network, each local address gets a group of n sockets on the Conn's
// port (SO_REUSEPORT) whose kernel steering program (a classic BPF
// program, SO_ATTACH_REUSEPORT_CBPF) hands each datagram to member
// tag mod n of the group, tag being the SCTP verification tag (bytes 4
// to 8 of the UDP payload): packetio.QueueOf. Member k fills queue k, so
// that a stack sharded n ways reads the packets of each shard on a queue
// of its own. The first member is the address's socket as Listen binds
// it (without SO_REUSEPORT, so that an ephemeral port is one of its own),
// which then allows SO_REUSEPORT for the others to join it: like any
// SO_REUSEPORT socket, from then on the port is open to sockets of the
// same user with SO_REUSEPORT set (Linux refuses other users). The group
// members only receive; the first sends.
//
// Until SetQueues accepts the queues, and where the groups cannot be made
// (another platform, a virtual network, an error), every datagram goes to
// the first queue, which ReadBatch reads.

// errQueue is the error of ReadQueue for a queue the Conn does not have.
var errQueue = errors.New("udpencap: no such receive queue")

// startGroups opens, for [Config].Queues > 1 where the platform steers
// datagrams, the group of sockets of each socket of the Conn, makes the
// queues and starts the members' readers. If a group cannot be made, it
// closes what it opened and the Conn keeps one queue. Listen calls it
// before it starts the first sockets' readers.
func (c *Conn) startGroups() {
	n := c.cfg.Queues
	if n <= 1 || !groupSupported {
		return
	}
	if _, std := c.cfg.Net.(*stdnet.Net); !std {
		return
	}
	var group []*socket
	socks := c.sockets()
	for i, s := range socks {
		g, err := c.openGroup(s, n)
		if err != nil {
			// The groups made are closed, and their first sockets' ports
			// closed to others again, as a Conn without groups keeps them.
			for _, x := range group {
				_ = x.uc.Close()
			}
			for _, f := range socks[:i] {
				closePort(f)
			}
			return
		}
		group = append(group, g...)
	}
	for range n - 1 {
		c.rqs = append(c.rqs, &rqueue{full: make(chan *batch, cap(c.rqs[0].full))})
	}
	c.group = group
	for _, s := range group {
		c.pool.Grow(2 * s.nbuf)
		c.wg.Add(1)
		go s.readLoop()
	}
}

// queue returns the channel through which s passes its batches: that of
// its own queue once SetQueues took the queues, else the first.
func (s *socket) queue() chan *batch {
	if s.q > 0 && s.c.queued.Load() {
		return s.c.rqs[s.q].full
	}
	return s.c.rqs[0].full
}

// queueIndex returns the index of the queue s fills (see queue).
func (s *socket) queueIndex() int {
	if s.q > 0 && s.c.queued.Load() {
		return s.q
	}
	return 0
}

// pushFunc is the function of SetPush.
type pushFunc = func(queue int, msgs []Message, wait bool) (n int, yield bool)

// SetPush implements packetio.Pusher: from now on the reader goroutine of
// each socket calls fn with the datagrams it receives, and the index of
// the queue that would have returned them, instead of queueing them for
// ReadBatch or ReadQueue; nil queues them again. Within a sticky read
// (Linux: the reader holds the socket, which Close and Unbind wait for)
// it calls fn without wait, and offers what fn left with wait once it
// let go of the socket. When fn asks to yield, the reader yields
// (runtime.Gosched) before it reads on. Read errors, the end of
// the Conn and the datagrams a Hook delays or duplicates still go
// through the queues. [Conn.Close] waits for the calls in progress to
// return: a function that waits (wait set) must stop waiting once its
// user is done with the Conn. With [Config].DisablePush or
// GENSCTP_UDP_NOPUSH it does nothing.
func (c *Conn) SetPush(fn func(queue int, msgs []Message, wait bool) (n int, yield bool)) {
	if c.cfg.DisablePush || os.Getenv(envNoPush) != "" {
		return
	}
	if fn == nil {
		c.push.Store(nil)
		return
	}
	c.push.Store(&fn)
}

var _ packetio.Pusher = (*Conn)(nil)

// SetQueues implements packetio.Queued: it takes the Conn's n receive
// queues (see [Config].Queues) and returns n, or returns 1 when the Conn
// does not have n (every datagram then goes to ReadBatch, even after an
// earlier call took the queues).
func (c *Conn) SetQueues(n int) int {
	if n <= 1 || n != len(c.rqs) {
		c.queued.Store(false)
		return 1
	}
	c.queued.Store(true)
	return n
}

// ReadQueue implements packetio.Queued: it is ReadBatch for the
// datagrams of queue q, which its group members receive.
func (c *Conn) ReadQueue(q int, msgs []Message) (int, error) {
	if q < 0 || q >= len(c.rqs) {
		return 0, c.opError("read", fmt.Errorf("%w: %d of %d", errQueue, q, len(c.rqs)))
	}
	return c.readFrom(c.rqs[q], msgs)
}

var _ packetio.Queued = (*Conn)(nil)
