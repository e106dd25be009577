package sctp

import (
	"errors"
	"fmt"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/association"
)

// recvLoop receives the association's messages into their Streams and
// handles its events, until it ends. It stops receiving while the
// messages not yet read reach MaxReceiveBufferSize: the socket's receive
// window then closes and the peer waits (pion/sctp's bound on received
// data). A message larger than MaxReceiveBufferSize, which could never be
// received whole, aborts the association.
func (a *Association) recvLoop() {
	defer a.wg.Done()
	limit := int64(a.cfg.MaxReceiveBufferSize)
	buf := make([]byte, min(recvPiece, limit))
	partial := map[partialKey][]byte{}
	for {
		for a.recvQueued.Load() >= limit {
			select {
			case <-a.room:
			case <-a.ctx.Done():
				return
			}
		}
		// Messages larger than buf come in parts, gathered here: the
		// socket does not hold them (its MaxMessageSize bounds writes).
		d, err := a.sock.RecvBuffer(a.ctx, buf)
		if err != nil {
			a.end(fmt.Errorf("%w: %w", ErrAssociationClosed, err))
			return
		}
		switch d.Kind {
		case api.KindData:
			a.deliver(d, partial, limit)
		case api.KindEvent, api.KindError:
			a.dropPartial(d.Event, partial)
			a.event(d.Event)
		}
	}
}

// recvPiece is the most bytes of a message received at a time.
const recvPiece = 64 << 10

// partialKey is the stream of a message received in parts, and whether
// it is unordered (an unordered message may complete within an ordered
// one of the same stream).
type partialKey struct {
	stream    uint16
	unordered bool
}

// dropPartial drops the parts gathered of the messages that ev aborted: a
// partial delivery aborted (the message abandoned, RFC 3758) or the
// peer's restart (RFC 9260 Section 5.2.4).
func (a *Association) dropPartial(ev api.Event, partial map[partialKey][]byte) {
	drop := func(k partialKey) {
		a.readDone(len(partial[k]))
		delete(partial, k)
	}
	switch e := ev.(type) {
	case *api.PdapiEvent:
		drop(partialKey{e.Stream, false})
		drop(partialKey{e.Stream, true})
	case *api.AssocChange:
		if e.State == api.Restart {
			for k := range partial {
				drop(k)
			}
		}
	}
}

// deliver queues a message (or a piece of one) on its stream, creating
// the stream and offering it to AcceptStream when new. A message larger
// than limit aborts the association.
func (a *Association) deliver(d api.Delivery, partial map[partialKey][]byte, limit int64) {
	id := d.Info.Stream
	k := partialKey{id, d.Info.Flags&api.Unordered != 0}
	data := append(partial[k], d.Data...)
	a.recvQueued.Add(int64(len(d.Data)))
	a.recv.Add(uint64(len(d.Data)))
	if size := int64(len(data)); size > limit || d.Partial && size == limit {
		a.tooLarge(limit)
		return
	}
	if d.Partial {
		partial[k] = data
		return
	}
	delete(partial, k)
	a.mu.Lock()
	if a.ended {
		a.mu.Unlock()
		return
	}
	s, ok := a.streams[id]
	for !ok && len(a.accepted) >= acceptQueueSize && !a.ended {
		a.cond.Wait()
		s, ok = a.streams[id] // OpenStream may have opened it meanwhile
	}
	if a.ended {
		a.mu.Unlock()
		return
	}
	if !ok {
		s = newStream(a, id)
		s.SetDefaultPayloadType(PayloadProtocolIdentifier(d.Info.PPID))
		a.streams[id] = s
		a.accepted = append(a.accepted, s)
		a.cond.Broadcast()
	}
	a.mu.Unlock()
	s.push(inMessage{data: data, ppid: PayloadProtocolIdentifier(d.Info.PPID)})
}

// tooLarge aborts the association for a message received larger than
// limit (MaxReceiveBufferSize).
func (a *Association) tooLarge(limit int64) {
	err := fmt.Errorf("%w: %w: a message received is larger than MaxReceiveBufferSize (%d bytes)",
		ErrAssociationClosed, api.ErrMessageTooLarge, limit)
	a.log.Warnf("[%s] %v", a.cfg.Name, err)
	_ = a.sock.SendInfo(api.SndRcvInfo{AssocID: a.id, Flags: api.Abort}, []byte("message too large"))
	a.end(err)
}

// readDone accounts for n bytes read from a stream.
func (a *Association) readDone(n int) {
	a.recvQueued.Add(int64(-n))
	select {
	case a.room <- struct{}{}:
	default:
	}
}

// event handles an event of the association.
func (a *Association) event(ev api.Event) {
	switch e := ev.(type) {
	case *api.AssocChange:
		switch e.State {
		case api.CommLost, api.CantAssoc:
			err := fmt.Errorf("%w: %v", ErrAssociationClosed, e)
			if e.Err != nil {
				err = fmt.Errorf("%w: %w", ErrAssociationClosed, e.Err)
			}
			a.end(err)
		case api.ShutdownComp:
			a.end(errEOF)
		case api.Restart:
			a.restarted()
		}
	case *api.StreamResetEvent:
		a.streamReset(e)
	}
}

// streamReset handles the reset of streams: the peer's (reads return
// io.EOF, the stream leaves the association so that its id opens a new
// one) or the outcome of ours (the next one may be asked for).
func (a *Association) streamReset(e *api.StreamResetEvent) {
	if e.Flags&association.StreamResetIncoming != 0 {
		var reset []*Stream
		a.mu.Lock()
		if len(e.Streams) == 0 {
			for id, s := range a.streams {
				reset = append(reset, s)
				delete(a.streams, id)
			}
		}
		for _, id := range e.Streams {
			if s, ok := a.streams[id]; ok {
				reset = append(reset, s)
				delete(a.streams, id)
			}
		}
		a.mu.Unlock()
		for _, s := range reset {
			s.inboundReset()
		}
	}
	if e.Flags&(association.StreamResetOutgoing|association.StreamResetDenied|association.StreamResetFailed) != 0 {
		a.resetDone(e)
	}
}

// isResetting reports whether err says the stream waits for its reset.
func isResetting(err error) bool { return errors.Is(err, association.ErrStreamResetting) }
