package association

// deliveryQueue is a FIFO of deliveries in a ring buffer whose length is
// a power of two. It starts with room for one: most associations hold one
// delivery at a time (the CommUp event of an idle one, the message of a
// request), and the buffer stays allocated once grown.
type deliveryQueue struct {
	buf  []Delivery
	head int
	n    int
}

func (q *deliveryQueue) len() int { return q.n }

func (q *deliveryQueue) push(d Delivery) {
	if q.n == len(q.buf) {
		nb := make([]Delivery, max(1, 2*len(q.buf)))
		for i := 0; i < q.n; i++ {
			nb[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
		}
		q.buf, q.head = nb, 0
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = d
	q.n++
}

// last returns the delivery pushed last, or nil.
func (q *deliveryQueue) last() *Delivery {
	if q.n == 0 {
		return nil
	}
	return &q.buf[(q.head+q.n-1)&(len(q.buf)-1)]
}

// peek returns the delivery pop would return, leaving it queued.
func (q *deliveryQueue) peek() (Delivery, bool) {
	if q.n == 0 {
		return Delivery{}, false
	}
	return q.buf[q.head], true
}

func (q *deliveryQueue) pop() (Delivery, bool) {
	if q.n == 0 {
		return Delivery{}, false
	}
	d := q.buf[q.head]
	q.buf[q.head] = Delivery{}
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return d, true
}

// pushEvent queues an event for Poll, unless too many of its kind wait
// (see maxQueuedNotices).
func (a *Association) pushEvent(e Event) {
	if f, ok := e.(*SendFailed); ok && !a.chargeFailed(f) {
		return
	}
	if k := noticeOf(e); k != noticeNone {
		if a.queuedEventsByKind[k] >= maxQueuedNotices {
			if k == noticeRemoteError {
				a.stats.DroppedRemoteErrors++
			} else {
				a.stats.DroppedEvents++
			}
			return
		}
		a.queuedEventsByKind[k]++
	}
	a.pending.push(Delivery{Event: e})
}

// chargeFailed counts the SendFailed event f and charges it against the
// receive buffer, without its data if that does not fit (see SendFailed).
// It reports false if the event does not fit: it is dropped.
func (a *Association) chargeFailed(f *SendFailed) bool {
	d := a.details()
	d.AbandonedMessages++
	st := a.detail
	if (st.failedEvents+1)*ChunkOverhead > a.cfg.ReceiveBuffer {
		d.SendFailedDropped++
		return false
	}
	if st.failedBytes+len(f.Data) > a.cfg.ReceiveBuffer {
		// The buffer is left to the garbage collector: chunks still
		// outstanding may share it.
		f.Data, f.DataDropped = nil, true
		d.SendFailedDataDropped++
	}
	st.failedEvents++
	st.failedBytes += len(f.Data)
	return true
}

// noticeKind is a kind of event the peer can cause again and again.
type noticeKind uint8

const (
	noticeNone        noticeKind = iota
	noticeRemoteError            // an ERROR chunk each
	noticePaddrChange            // path states flapping with the peer's answers
	noticeRestart                // an AssocChange Restart: a handshake each
	noticeAdaptation             // with each restart
	noticeReconfig               // a RE-CONFIG request each: resets, added streams
	numNoticeKinds
)

// noticeCounts counts events by noticeKind, each at most maxQueuedNotices.
type noticeCounts [numNoticeKinds]uint8

// maxQueuedNotices fits a noticeCounts entry (a larger value does not
// compile).
const _ = uint8(maxQueuedNotices)

// maxQueuedNotices bounds the events of each noticeKind waiting in Poll.
// Events do not count against the receive window, and the peer decides
// how many ERROR chunks it sends, how often it restarts the association
// and when it answers heartbeats: while the user does not poll, at most
// maxQueuedNotices events of a kind wait; the others are counted
// (Stats.DroppedRemoteErrors, Stats.DroppedEvents) and dropped.
const maxQueuedNotices = 64

// noticeOf returns the kind of e.
func noticeOf(e Event) noticeKind {
	switch e := e.(type) {
	case *RemoteError:
		return noticeRemoteError
	case *PaddrChange:
		return noticePaddrChange
	case *AdaptationEvent:
		return noticeAdaptation
	case *StreamResetEvent, *StreamChangeEvent, *AssocResetEvent:
		return noticeReconfig
	case *AuthEvent:
		// A key change each (NEW_KEY), or one per handshake (NO_AUTH):
		// counted with the events of a restart, rather than growing
		// the Association (TestAssociationSize).
		return noticeAdaptation
	case *AssocChange:
		if e.State == Restart {
			return noticeRestart
		}
	}
	return noticeNone
}
