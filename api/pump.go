package api

import (
	"github.com/gensctp/gensctp/timer"
)

// Deliveries returns the socket's delivery channel: in active mode every
// message and event arrives there as a Delivery (gen_sctp's {sctp, ...}
// and {sctp_error, ...} messages), and the passive notice of count mode
// as KindPassive. It has room for DefaultDeliveryBuffer deliveries; the
// socket reads its associations only while the channel has room for one
// more, so a slow reader holds data in the receive windows and the peers
// stop sending (gen_sctp's mailbox, by contrast, grows without bound).
// After SetOwner with another channel, new deliveries go there instead.
// The channel is never closed: select on it together with your own
// stop signal.
func (s *Socket) Deliveries() <-chan Delivery { return s.own }

// SetOwner hands active-mode delivery to ch (gen_sctp
// controlling_process/2); nil means the socket's own channel
// (Deliveries). Deliveries not yet handed out go to ch, and, when the
// previous channel was the socket's own, the messages and ordinary events
// still buffered in it are forwarded to ch first, as gen_sctp forwards the
// queued {sctp, ...} messages; error-class deliveries and passive notices
// stay in the own channel, as gen_sctp leaves {sctp_error, ...} and
// {sctp_passive, ...} with the old owner. A Go channel has no owning
// goroutine: whoever reads the channel is the controlling process, so
// handing over the channel itself needs no call at all.
func (s *Socket) SetOwner(ch chan<- Delivery) error {
	if ch == nil {
		ch = s.own
	}
	var old chan<- Delivery
	err := s.do(func(timer.Time) error {
		old = s.owner
		s.owner, s.handoff = ch, true
		close(s.ownerGen)
		s.ownerGen = make(chan struct{})
		return nil
	})
	if err != nil {
		return opError("controlling_process", 0, -1, err)
	}
	// Wait until the delivery goroutine is out of a send to the old
	// channel (the closed ownerGen interrupts a blocked one).
	s.sendMu.Lock()
	s.sendMu.Unlock() //nolint:staticcheck // an empty critical section is the point
	var fwd, keep []Delivery
	if old == (chan<- Delivery)(s.own) && ch != (chan<- Delivery)(s.own) {
		for n := len(s.own); n > 0; n-- {
			select {
			case d := <-s.own:
				if d.Kind == KindData || d.Kind == KindEvent {
					fwd = append(fwd, d)
				} else {
					keep = append(keep, d)
				}
			default:
				n = 1
			}
		}
	}
	_ = s.stk.Do(func(timer.Time) error {
		for i := len(fwd) - 1; i >= 0; i-- {
			s.outbox.pushFront(fwd[i])
		}
		for _, d := range keep {
			select {
			case s.own <- d: // room: it was just drained and nothing else sends to it
			default:
			}
		}
		s.handoff = false
		return nil
	})
	return nil
}

// pump is the delivery goroutine of active mode: while the socket is
// active it takes one delivery at a time (so polling stops while the
// channel is full) and sends it to the owner's channel, counting it
// (REFERENCE §4.1) when taken.
func (s *Socket) pump() {
	defer close(s.pumpDone)
	for {
		var d Delivery
		var ch chan<- Delivery
		var gen chan struct{}
		err := s.stk.Wait(s.closeCtx, func(now timer.Time) bool {
			if s.closed {
				return true
			}
			if s.handoff {
				return false
			}
			if s.outbox.len() == 0 && s.st.active.on() {
				// Stashing for other sockets ends this wait too (woke),
				// so that their readers wake up.
				nd, ok, woke := s.nextLocked(now)
				if ok {
					s.outbox.push(nd)
					if s.st.active.delivered() {
						s.outbox.push(Delivery{Kind: KindPassive, Socket: s})
					}
				} else if woke {
					return true
				}
			}
			var ok bool
			if d, ok = s.outbox.pop(); ok {
				ch, gen = s.owner, s.ownerGen
			}
			return ok
		})
		if err != nil {
			return
		}
		if ch == nil {
			if s.isClosed() {
				return
			}
			continue
		}
		if !s.deliver(ch, gen, d) {
			return
		}
	}
}

// deliver sends d to ch and reports false when the socket closed. When
// the owner changes meanwhile, d goes back to the front of the outbox.
func (s *Socket) deliver(ch chan<- Delivery, gen chan struct{}, d Delivery) bool {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	select {
	case ch <- d:
		return true
	case <-gen:
		_ = s.stk.Do(func(timer.Time) error {
			s.outbox.pushFront(d)
			return nil
		})
		return true
	case <-s.closing:
		return false
	}
}

// isClosed reports whether Close was called.
func (s *Socket) isClosed() bool { return s.closeStarted.Load() }
