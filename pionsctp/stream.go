package sctp

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gensctp/gensctp/api"
)

// errEOF is what reads return after the peer reset the stream.
var errEOF = io.EOF

// Stream is one SCTP stream of an Association, both directions: its
// messages received, read by ReadSCTP, and its writes, sent in order by
// the association. Its methods are safe for concurrent use.
type Stream struct {
	a    *Association
	id   uint16
	ppid atomic.Uint32 // default PPID of Write

	mu   sync.Mutex
	cond *sync.Cond // a message, an error or the deadline
	msgs []inMessage
	// uncharged: the messages left are no longer counted against the
	// association's receive buffer (the stream left the association).
	uncharged bool
	readErr   error // io.EOF after the peer's reset, the association's end
	deadline  readDeadline

	unordered bool
	relType   byte
	relVal    uint32
	state     StreamState
	wdl       time.Time // write deadline (BlockWrite)

	sendErr  error  // why a message queued was not sent, for the next write
	buffered uint64 // written, not yet taken by the association's socket
	lowMark  uint64
	onLow    func()
}

// inMessage is a message received and not read yet.
type inMessage struct {
	data []byte
	ppid PayloadProtocolIdentifier
}

// readDeadline is the read deadline of a stream: hit once it passed,
// until the next SetReadDeadline.
type readDeadline struct {
	timer *time.Timer
	gen   uint64
	hit   bool
}

// newStream returns stream id of a.
func newStream(a *Association, id uint16) *Stream {
	s := &Stream{a: a, id: id}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// StreamIdentifier returns the stream's identifier.
func (s *Stream) StreamIdentifier() uint16 { return s.id }

// SetDefaultPayloadType sets the PPID of Write.
func (s *Stream) SetDefaultPayloadType(p PayloadProtocolIdentifier) { s.ppid.Store(uint32(p)) }

// SetReliabilityParams sets how the next writes are sent: unordered or
// not, and reliably (ReliabilityTypeReliable), with at most relVal
// retransmissions (ReliabilityTypeRexmit) or abandoned relVal
// milliseconds after the write (ReliabilityTypeTimed). DCEP messages
// (PayloadTypeWebRTCDCEP) are always sent ordered and reliably (RFC 8832
// Section 6).
func (s *Stream) SetReliabilityParams(unordered bool, relType byte, relVal uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unordered, s.relType, s.relVal = unordered, relType, relVal
}

// Read reads one message into p, without its PPID; see ReadSCTP.
func (s *Stream) Read(p []byte) (int, error) {
	n, _, err := s.ReadSCTP(p)
	return n, err
}

// ReadSCTP waits for the next message and copies it into p, returning its
// length and PPID. A message longer than p stays queued: ReadSCTP returns
// its length and io.ErrShortBuffer. Once the messages received are read,
// it returns io.EOF after the peer reset the stream (its data channel
// closed), the association's error once it ended, and
// ErrReadDeadlineExceeded once the read deadline passed.
func (s *Stream) ReadSCTP(p []byte) (int, PayloadProtocolIdentifier, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if len(s.msgs) > 0 {
			m := s.msgs[0]
			if len(p) < len(m.data) {
				return len(m.data), 0, io.ErrShortBuffer
			}
			copy(p, m.data)
			s.msgs[0] = inMessage{}
			s.msgs = s.msgs[1:]
			if !s.uncharged {
				s.a.readDone(len(m.data))
			}
			return len(m.data), m.ppid, nil
		}
		switch {
		case s.readErr != nil:
			return 0, 0, s.readErr
		case s.deadline.hit:
			return 0, 0, ErrReadDeadlineExceeded
		}
		s.cond.Wait()
	}
}

// SetReadDeadline sets the time at which waiting reads fail with
// ErrReadDeadlineExceeded (as net.Conn's); the zero time means none.
func (s *Stream) SetReadDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := &s.deadline
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.gen++
	d.hit = false
	if t.IsZero() {
		return nil
	}
	wait := time.Until(t)
	if wait <= 0 {
		d.hit = true
		s.cond.Broadcast()
		return nil
	}
	gen := d.gen
	d.timer = time.AfterFunc(wait, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.deadline.gen == gen {
			s.deadline.hit = true
			s.cond.Broadcast()
		}
	})
	return nil
}

// SetWriteDeadline sets the time at which a write waiting with
// Config.BlockWrite fails with os.ErrDeadlineExceeded; other writes do
// not wait.
func (s *Stream) SetWriteDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wdl = t
	return nil
}

// SetDeadline sets both deadlines.
func (s *Stream) SetDeadline(t time.Time) error {
	if err := s.SetReadDeadline(t); err != nil {
		return err
	}
	return s.SetWriteDeadline(t)
}

// Write writes p as one message with the default PPID; see WriteSCTP.
func (s *Stream) Write(p []byte) (int, error) {
	return s.WriteSCTP(p, PayloadProtocolIdentifier(s.ppid.Load()))
}

// WriteSCTP writes p as one message with PPID ppi and returns len(p): it
// copies p and queues it (BufferedAmount grows by len(p) until the
// association's socket takes it), or with Config.BlockWrite waits until
// the socket took it. An empty p sends nothing. Errors:
// ErrOutboundPacketTooLarge above MaxMessageSize, api.ErrInvalidStream
// for a stream id the association does not have, ErrStreamClosed after
// Close, ErrPayloadDataStateNotExist once the association ended, and the
// error of an earlier message of the stream that was queued and could not
// be sent (returned once, by the next write).
func (s *Stream) WriteSCTP(p []byte, ppi PayloadProtocolIdentifier) (int, error) {
	if most := s.a.MaxMessageSize(); len(p) > int(most) {
		return 0, fmt.Errorf("%w: %d", ErrOutboundPacketTooLarge, most)
	}
	if n := s.a.outStreams.Load(); int32(s.id) >= n {
		return 0, fmt.Errorf("%w: stream %d, the association has %d outgoing streams", api.ErrInvalidStream, s.id, n)
	}
	s.mu.Lock()
	if s.state != StreamStateOpen {
		s.mu.Unlock()
		return 0, ErrStreamClosed
	}
	if err := s.sendErr; err != nil {
		s.sendErr = nil
		s.mu.Unlock()
		return 0, err
	}
	if len(p) == 0 {
		s.mu.Unlock()
		return 0, nil
	}
	it := &outItem{s: s, data: append([]byte(nil), p...), info: s.sendInfoLocked(ppi)}
	if s.a.cfg.BlockWrite {
		it.done, it.deadline = make(chan error, 1), s.wdl
	}
	s.buffered += uint64(len(p))
	s.mu.Unlock()
	if err := s.a.enqueue(it); err != nil {
		s.release(len(p), false)
		return 0, err
	}
	if it.done != nil {
		return it.wait()
	}
	return len(p), nil
}

// sendInfoLocked returns the send parameters of a message with ppi.
func (s *Stream) sendInfoLocked(ppi PayloadProtocolIdentifier) api.SndRcvInfo {
	info := api.SndRcvInfo{AssocID: s.a.id, Stream: s.id, PPID: uint32(ppi), PrInfoValid: true}
	if ppi == PayloadTypeWebRTCDCEP {
		return info
	}
	if s.unordered {
		info.Flags |= api.Unordered
	}
	switch s.relType {
	case ReliabilityTypeRexmit:
		info.PrInfo = api.PrInfo{Policy: api.PrRtx, Value: s.relVal}
	case ReliabilityTypeTimed:
		info.PrInfo = api.PrInfo{Policy: api.PrTTL, Value: s.relVal}
	}
	return info
}

// release takes n bytes off the buffered amount and calls the
// OnBufferedAmountLow callback when the amount crosses its threshold
// (notify).
func (s *Stream) release(n int, notify bool) {
	s.mu.Lock()
	from := s.buffered
	s.buffered -= min(uint64(n), s.buffered)
	f := s.onLow
	fire := notify && f != nil && from > s.lowMark && s.buffered <= s.lowMark
	s.mu.Unlock()
	if fire {
		s.a.notify(f)
	}
}

// failed records err, why a message queued was not sent, for the next
// write to return.
func (s *Stream) failed(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sendErr == nil {
		s.sendErr = fmt.Errorf("sctp: stream %d: a message written was not sent: %w", s.id, err)
	}
}

// Close resets the stream's outgoing direction (RFC 6525 Section 5.1.2,
// RFC 8831 Section 6.7) once what was written before is sent: the peer's
// reads then return io.EOF, and it resets its own direction in turn
// (pion/webrtc does). Writes fail with ErrStreamClosed from now on. A
// second Close does nothing. It fails with ErrResetPacketInStateNotExist
// once the association ended.
func (s *Stream) Close() error {
	s.mu.Lock()
	if s.state != StreamStateOpen {
		s.mu.Unlock()
		return nil
	}
	s.state = StreamStateClosing
	if s.readErr != nil {
		s.state = StreamStateClosed
	}
	s.mu.Unlock()
	return s.a.enqueue(&outItem{s: s, reset: true})
}

// BufferedAmount returns the bytes written and not yet taken by the
// association's socket.
func (s *Stream) BufferedAmount() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buffered
}

// BufferedAmountLowThreshold returns the threshold of OnBufferedAmountLow
// (0 by default).
func (s *Stream) BufferedAmountLowThreshold() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lowMark
}

// SetBufferedAmountLowThreshold sets the threshold of OnBufferedAmountLow.
func (s *Stream) SetBufferedAmountLowThreshold(th uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lowMark = th
}

// OnBufferedAmountLow sets f, called each time the buffered amount falls
// from above the threshold to at most it, on a goroutine that runs the
// association's callbacks in turn (not its send goroutine: f may write,
// with Config.BlockWrite too, and close the stream or the association).
func (s *Stream) OnBufferedAmountLow(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onLow = f
}

// State returns the state of the stream's outgoing direction.
func (s *Stream) State() StreamState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// push queues a message received on the stream.
func (s *Stream) push(m inMessage) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.cond.Broadcast()
	s.mu.Unlock()
}

// setReadErr makes reads return err once the queued messages are read.
func (s *Stream) setReadErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.readErr == nil {
		s.readErr = err
	}
	s.cond.Broadcast()
}

// inboundReset is the peer's reset of the stream (its data channel
// closed): reads return io.EOF once the messages queued are read. The
// stream has left the association: its messages not read no longer count
// against the receive buffer (as in pion/sctp), so that a reader that
// stops reading a closed stream does not stop the association receiving.
func (s *Stream) inboundReset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.readErr == nil {
		s.readErr = errEOF
	}
	if s.state == StreamStateClosing {
		s.state = StreamStateClosed
	}
	s.uncharge()
	s.cond.Broadcast()
}

// uncharge takes the messages not read off the association's receive
// buffer; s.mu is held.
func (s *Stream) uncharge() {
	if s.uncharged {
		return
	}
	s.uncharged = true
	n := 0
	for _, m := range s.msgs {
		n += len(m.data)
	}
	s.a.readDone(n)
}
