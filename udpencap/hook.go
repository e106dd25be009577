package udpencap

import (
	"net/netip"
	"strconv"
	"time"
)

// Direction tells a [Hook] whether a datagram is being received or sent.
type Direction uint8

const (
	// In is a datagram received from the network.
	In Direction = iota
	// Out is a datagram being sent.
	Out
)

// String returns "in" or "out".
func (d Direction) String() string {
	switch d {
	case In:
		return "in"
	case Out:
		return "out"
	}
	return "Direction(" + strconv.Itoa(int(d)) + ")"
}

// Verdict is what a [Hook] decides for a datagram: [Pass], [Drop],
// [Duplicate], or a delay made by [Delay].
type Verdict int64

const (
	// Pass lets the datagram through unchanged.
	Pass Verdict = 0
	// Drop discards the datagram, as a lossy network would.
	Drop Verdict = -1
	// Duplicate lets the datagram through twice.
	Duplicate Verdict = -2
)

// Delay returns the verdict that holds a datagram back for d and then lets
// it through (re-injected by a timer goroutine owned by the Conn, reordered
// after the datagrams that follow it). A d <= 0 is [Pass].
func Delay(d time.Duration) Verdict {
	if d <= 0 {
		return Pass
	}
	return Verdict(d)
}

// Delay returns the delay of a verdict made by [Delay], and 0 for the
// others.
func (v Verdict) Delay() time.Duration {
	if v <= 0 {
		return 0
	}
	return time.Duration(v)
}

// String returns "pass", "drop", "duplicate" or "delay(<duration>)".
func (v Verdict) String() string {
	switch {
	case v == Pass:
		return "pass"
	case v == Drop:
		return "drop"
	case v == Duplicate:
		return "duplicate"
	case v > 0:
		return "delay(" + time.Duration(v).String() + ")"
	}
	return "Verdict(" + strconv.FormatInt(int64(v), 10) + ")"
}

// Hook sees every datagram a [Conn] receives (dir [In], after the read,
// before [Conn.ReadBatch] returns it) and sends (dir [Out], before the
// write), with its source and destination address and port, and returns
// what to do with it. It must not retain or modify b. Hooks are for tests
// (fault injection by address): while one is set, writes take the
// one-datagram-per-system-call path, and duplicated or delayed datagrams
// are copied. A hook may be called from several goroutines at once (one
// per socket for [In], the writers' for [Out]). A Verdict that is none of
// the documented ones counts as [Pass].
type Hook func(dir Direction, from, to netip.AddrPort, b []byte) Verdict

// SetHook installs h for the datagrams that follow; nil removes it. Hooks
// are for tests.
func (c *Conn) SetHook(h Hook) {
	if h == nil {
		c.hook.Store(nil)
		return
	}
	c.hook.Store(&h)
}

// filterIn applies the hook to received messages, compacts the ones that
// pass to the front of ms and returns their number. Dropped messages keep
// their buffers in the batch for the next read.
func (s *socket) filterIn(h Hook, ms []Message) int {
	c := s.c
	k := 0
	var dups []Message
	for i := range ms {
		m := &ms[i]
		switch v := h(In, m.From, m.To, m.Data); {
		case v == Drop:
			c.stats.hookDropsIn.Add(1)
			continue
		case v == Duplicate:
			c.stats.hookDuplicates.Add(1)
			dups = append(dups, c.copyMessage(m))
		case v > 0:
			c.stats.hookDelays.Add(1)
			c.delay(v.Delay(), delayed{in: c.copyMessage(m)})
			continue
		}
		ms[i], ms[k] = ms[k], ms[i]
		k++
	}
	if len(dups) > 0 {
		c.inject(dups)
	}
	return k
}

// copyMessage copies m's datagram into a new pooled buffer.
func (c *Conn) copyMessage(m *Message) Message {
	buf := c.pool.Get()
	n := copy(buf, m.Data)
	return Message{Buf: buf, Data: buf[:n], From: m.From, To: m.To, IP: m.IP}
}

// writeHooked sends msgs one at a time, applying the hook to each.
func (c *Conn) writeHooked(h Hook, msgs []OutMessage) (int, error) {
	for i := range msgs {
		m := &msgs[i]
		s := c.sockFor(m.From, m.To.Addr())
		if s == nil {
			return i, c.opError("write", ErrNoSocket)
		}
		copies := 1
		switch v := h(Out, s.local, m.To, m.Data); {
		case v == Drop:
			c.stats.hookDropsOut.Add(1)
			continue
		case v == Duplicate:
			c.stats.hookDuplicates.Add(1)
			copies = 2
		case v > 0:
			c.stats.hookDelays.Add(1)
			data := append([]byte(nil), m.Data...)
			c.delay(v.Delay(), delayed{out: OutMessage{Data: data, To: m.To}, sock: s})
			continue
		}
		for range copies {
			if err := s.writeOne(m); err != nil {
				return i, c.opError("write", err)
			}
		}
	}
	return len(msgs), nil
}
