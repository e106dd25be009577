package api

import (
	"sync"

	"github.com/gensctp/gensctp/timer"
)

// Stats are the counters of a socket (inet:getstat/1,2 for SCTP): received
// and sent user messages, their bytes, the largest, the average size and
// its average deviation, and the bytes waiting to be sent.
type Stats struct {
	RecvCnt, RecvOct, RecvMax uint64
	RecvAvg, RecvDvi          uint64
	SendCnt, SendOct, SendMax uint64
	SendAvg                   uint64
	// SendPend is the bytes queued and not yet sent, over the socket's
	// associations.
	SendPend uint64
}

// counters are the running statistics of one direction.
type counters struct {
	mu   sync.Mutex  // a leaf: Conn.Read counts without the stack's lock (connread.go)
	recv dirCounters // guarded by mu
	// send is guarded by the stack's lock, under which the Send family
	// counts and Stats reads: no lock of its own per message.
	send dirCounters
}

type dirCounters struct {
	cnt, oct, max uint64
	avg, dvi      float64
}

// add counts a message of n bytes: the average and the average deviation
// as inet_drv keeps them (running means over the count).
func (c *dirCounters) add(n int) {
	c.cnt++
	c.oct += uint64(n)
	c.max = max(c.max, uint64(n))
	d := float64(n) - c.avg
	c.avg += d / float64(c.cnt)
	if d < 0 {
		d = -d
	}
	c.dvi += (d - c.dvi) / float64(c.cnt)
}

func (c *counters) received(n int) {
	c.mu.Lock()
	c.recv.add(n)
	c.mu.Unlock()
}

// sentLocked counts a message sent; the caller holds the stack's lock.
func (c *counters) sentLocked(n int) { c.send.add(n) }

// Stats returns the counters of the socket. Receive counters count whole
// messages as delivered by Recv or on the channel (RecvBuffer and
// Conn.Read count a message once, however many parts they return it in,
// and each piece of one the association delivers in pieces); send counters count
// the messages the Send family accepted (gen_sctp: "The send counters
// count SCTP sends").
func (s *Socket) Stats() (Stats, error) {
	var out Stats
	err := s.do(func(timer.Time) error {
		s.stats.mu.Lock()
		r, w := &s.stats.recv, &s.stats.send
		out = Stats{RecvCnt: r.cnt, RecvOct: r.oct, RecvMax: r.max, RecvAvg: uint64(r.avg), RecvDvi: uint64(r.dvi),
			SendCnt: w.cnt, SendOct: w.oct, SendMax: w.max, SendAvg: uint64(w.avg)}
		s.stats.mu.Unlock()
		for _, id := range s.ownedLocked() {
			if a, ok := s.share.ep.Assoc(id); ok {
				out.SendPend += uint64(a.Buffered())
			}
		}
		return nil
	})
	return out, opError("getstat", 0, -1, err)
}
