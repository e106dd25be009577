package sim

import (
	"net"
	"net/netip"
	"sync"

	"github.com/gensctp/gensctp/packetio"
)

// maxQueued bounds the datagrams waiting in a Transport for ReadBatch: a
// reader that stopped reading loses the rest, as a full socket buffer
// does.
const maxQueued = 4096

// Transport is a host's attachment to a Net: a packetio.Transport (for
// api.OverTransport) whose packets travel on the simulated network. It is
// safe for concurrent use.
type Transport struct {
	s     *Net
	addrs []netip.AddrPort
	wake  chan struct{} // a token when the queue becomes non-empty
	done  chan struct{} // closed by Close

	mu      sync.Mutex
	queue   []Datagram
	closed  bool
	dropped uint64
}

var _ packetio.Transport = (*Transport)(nil)

// source is the address a packet from the IP from leaves from.
func (t *Transport) source(from netip.Addr) netip.AddrPort {
	if from.IsValid() {
		for _, a := range t.addrs {
			if a.Addr() == from {
				return a
			}
		}
	}
	return t.addrs[0]
}

// push queues a datagram that arrived (the Net's lock is held).
func (t *Transport) push(d Datagram) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed || len(t.queue) >= maxQueued {
		t.dropped++
		return
	}
	t.queue = append(t.queue, d)
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// ReadBatch blocks until a datagram has arrived, then fills msgs with the
// datagrams queued; after Close it fails with net.ErrClosed.
func (t *Transport) ReadBatch(msgs []packetio.Message) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	for {
		t.mu.Lock()
		if t.closed {
			t.mu.Unlock()
			return 0, net.ErrClosed
		}
		if len(t.queue) > 0 {
			n := min(len(msgs), len(t.queue))
			for i := range n {
				d := t.queue[i]
				msgs[i] = packetio.Message{Buf: d.Data, Data: d.Data, From: d.From, To: d.To}
			}
			t.queue = append(t.queue[:0], t.queue[n:]...)
			if len(t.queue) > 0 {
				select {
				case t.wake <- struct{}{}:
				default:
				}
			}
			t.mu.Unlock()
			return n, nil
		}
		t.mu.Unlock()
		select {
		case <-t.wake:
		case <-t.done:
		}
	}
}

// ReleaseBatch clears the messages; their buffers go to the garbage
// collector.
func (t *Transport) ReleaseBatch(msgs []packetio.Message) {
	for i := range msgs {
		msgs[i].Buf, msgs[i].Data = nil, nil
	}
}

// WriteBatch puts msgs on the network, each from the address of its From
// IP (else the first address).
func (t *Transport) WriteBatch(msgs []packetio.OutMessage) (int, error) {
	for i, m := range msgs {
		t.mu.Lock()
		closed := t.closed
		t.mu.Unlock()
		if closed {
			return i, net.ErrClosed
		}
		if err := t.s.send(t, m.Data, m.From, m.To); err != nil {
			return i, err
		}
	}
	return len(msgs), nil
}

// LocalAddrs returns the transport's addresses.
func (t *Transport) LocalAddrs() []netip.AddrPort { return append([]netip.AddrPort(nil), t.addrs...) }

// Port returns the UDP port of the first address: what api reports as the
// socket's UDP port.
func (t *Transport) Port() int { return int(t.addrs[0].Port()) }

// Dropped returns the number of datagrams that arrived while the queue
// was full (or after Close).
func (t *Transport) Dropped() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.dropped
}

// Close frees the transport's addresses and unblocks ReadBatch. Calls
// after the first do nothing.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	t.queue = nil
	close(t.done)
	t.mu.Unlock()
	t.s.mu.Lock()
	for _, a := range t.addrs {
		if t.s.hosts[a] == t {
			delete(t.s.hosts, a)
		}
	}
	t.s.mu.Unlock()
	return nil
}
