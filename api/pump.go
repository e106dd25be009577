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
// stop signal. As with Recv, each message arrives whole in a buffer of
// its own, the receiver's: one allocation of the message's size per
// message (RecvBuffer, in passive mode, receives without allocating).
//
// On a nil *Socket it returns nil.
func (s *Socket) Deliveries() <-chan Delivery {
	if s == nil {
		return nil
	}
	return s.own
}

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
	if s == nil {
		return nilSocketError("controlling_process")
	}
	if ch == nil {
		ch = s.own
	}
	var old chan<- Delivery
	err := s.do(func(timer.Time) error {
		old = s.owner
		s.owner, s.handoff = ch, true // the pump stops (see pumpLocked)
		return nil
	})
	if err != nil {
		return opError("controlling_process", 0, -1, err)
	}
	// Take back a delivery parked for the old channel: from now on it is
	// either in the old channel or still at the head of the outbox.
	s.park.Unpark(s.stk)
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
		s.stk.Schedule(&s.pump)
		return nil
	})
	return nil
}

// stop ends the delivery of a closed socket: when it returns, nothing
// more is sent to its channels.
func (s *Socket) stop() {
	s.park.Unpark(s.stk)
}

// pumpLocked is the delivery of active mode, a task of the stack's event
// loop run when the socket was notified (a change of one of its
// associations, of the socket itself, or its parked delivery sent): while
// the socket is active it takes one delivery at a time from its
// associations and hands it to the owner's channel without blocking,
// counting it (the gen_sctp documentation) when taken. When the channel is full the
// delivery is parked (stack.Parker), with a goroutine that sends it once
// there is room and runs the pump again; meanwhile the socket polls
// nothing more, so a slow reader holds data in the receive windows
// (back-pressure to the peers).
func (s *Socket) pumpLocked(now timer.Time) {
	if s.closed || s.handoff || s.park.IsParked() {
		return
	}
	for {
		if s.outbox.len() == 0 {
			if !s.st.active.on() {
				return
			}
			nd, ok := s.nextLocked(now, nil)
			if !ok {
				return
			}
			s.outbox.push(nd)
			if s.st.active.delivered() {
				s.outbox.push(Delivery{Kind: KindPassive, Socket: s})
			}
		}
		d, _ := s.outbox.peek()
		select {
		case s.owner <- d:
			s.outbox.pop()
		default:
			s.park.Park(s.stk, s.owner, d, s.sent)
			return
		}
	}
}

// sentLocked runs when the parked head of the outbox was sent: it is
// delivered, and the pump goes on. (On a closed socket the outbox is
// empty already.)
func (s *Socket) sentLocked(timer.Time) {
	s.outbox.pop()
	s.stk.Schedule(&s.pump)
}
