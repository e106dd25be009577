package associationtest

import (
	"fmt"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
)

// Receiver checks what one end receives: the messages its peer sent, whose
// ids (and PPIDs) are base, base+1, ... in the order Expect recorded them.
// Each message must arrive at most once, intact (ScenarioMessage of its id
// and size, on the stream and with the ordering it was sent with), and the
// ordered messages of a stream in the order they were sent. Scenario.Run
// uses it; fuzzers that forge traffic relax it with Foreign and Lenient.
type Receiver struct {
	// Foreign, if set, reports the PPIDs of messages that no end sent
	// through Expect (forged by a test): they are not checked.
	Foreign func(chunk.PPID) bool
	// Lenient skips the checks of content, stream and ordering flag: a
	// forged DATA chunk that a peer accepted may have completed a message
	// in place of one of the real pieces. Each message is still delivered
	// at most once, and in order on its stream.
	Lenient bool
	// AnyEvent accepts every event; otherwise an assoc change other than
	// comm_up before SetClosing is an error.
	AnyEvent bool

	sent     []outMsg
	base     uint32
	got      map[uint32]int            // message id -> deliveries
	lastSeen map[chunk.StreamID]uint32 // last ordered id per stream
	partial  map[chunk.StreamID][]byte
	closing  bool // after the shutdown started, events are expected
	end      association.AssocChangeState
	ended    bool // an assoc change other than comm_up came
	err      error
}

// NewReceiver returns a Receiver of the messages whose ids start at base.
func NewReceiver(base uint32) *Receiver { return newReceiver(nil, base) }

func newReceiver(sent []outMsg, base uint32) *Receiver {
	return &Receiver{sent: sent, base: base, got: map[uint32]int{}, lastSeen: map[chunk.StreamID]uint32{},
		partial: map[chunk.StreamID][]byte{}}
}

// Expect records the next message the peer sent: its id is the base plus
// the number of messages recorded before, and info.PPID must be that id.
func (rcv *Receiver) Expect(info association.SendInfo, data []byte) {
	rcv.sent = append(rcv.sent, outMsg{info: info, data: data})
}

// NextID returns the id (and PPID) of the next message Expect records.
func (rcv *Receiver) NextID() uint32 { return rcv.base + uint32(len(rcv.sent)) }

// Err returns the first violation seen, or nil.
func (rcv *Receiver) Err() error { return rcv.err }

// Received returns how many distinct messages were delivered.
func (rcv *Receiver) Received() int { return len(rcv.got) }

// NewIncarnation forgets what was delivered, for a receiving end that is
// a new association: at-most-once and ordering hold within one
// association (a replayed State Cookie may recreate an old one).
func (rcv *Receiver) NewIncarnation() {
	clear(rcv.got)
	clear(rcv.lastSeen)
	clear(rcv.partial)
}

// Check checks one delivery of the receiving end.
func (rcv *Receiver) Check(d association.Delivery) {
	if rcv.err != nil {
		return
	}
	if d.Event != nil {
		rcv.event(d.Event)
		return
	}
	m := d.Message
	if prev, ok := rcv.partial[m.Stream]; ok {
		// RFC 6458 Section 8.1.21: the pieces of a partially delivered
		// message come in order, with nothing else of that stream between
		// them.
		m.Data = append(prev, m.Data...)
		delete(rcv.partial, m.Stream)
	}
	if !m.EndOfRecord {
		rcv.partial[m.Stream] = append([]byte(nil), m.Data...)
		return
	}
	if rcv.Foreign != nil && rcv.Foreign(m.PPID) {
		return
	}
	// The PPID names the message; its size, stream and ordering are the
	// ones it was sent with, its content is ScenarioMessage's.
	id := uint32(m.PPID)
	i := id - rcv.base
	if i >= uint32(len(rcv.sent)) {
		rcv.err = fmt.Errorf("message with unknown PPID %d (%d bytes)", id, len(m.Data))
		return
	}
	out := rcv.sent[i]
	switch {
	case rcv.Lenient:
	case m.Stream != out.info.Stream || m.Unordered != out.info.Unordered:
		rcv.err = fmt.Errorf("message %d: stream %d unordered %v, sent on %d unordered %v",
			id, m.Stream, m.Unordered, out.info.Stream, out.info.Unordered)
		return
	case string(ScenarioMessage(id, len(out.data))) != string(m.Data):
		rcv.err = fmt.Errorf("message %d corrupted: %d bytes, sent %d", id, len(m.Data), len(out.data))
		return
	}
	rcv.got[id]++
	if rcv.got[id] > 1 {
		rcv.err = fmt.Errorf("message %d delivered %d times", id, rcv.got[id])
		return
	}
	if !m.Unordered {
		if last, ok := rcv.lastSeen[m.Stream]; ok && id <= last {
			rcv.err = fmt.Errorf("stream %d: message %d after %d", m.Stream, id, last)
		}
		rcv.lastSeen[m.Stream] = id
	}
}

// event checks an event. A partial delivery that ends early (an aborted
// partial delivery, or the end or restart of the association) leaves no
// pieces behind.
func (rcv *Receiver) event(ev association.Event) {
	switch ev := ev.(type) {
	case *association.PDAPIEvent:
		delete(rcv.partial, ev.Stream)
	case *association.AssocChange:
		if ev.State == association.CommUp {
			return
		}
		clear(rcv.partial)
		if !rcv.closing && !rcv.AnyEvent {
			rcv.err = fmt.Errorf("unexpected %v (error %v)", ev.State, ev.Error)
		}
		rcv.end, rcv.ended = ev.State, true
	}
}
