package stack

import (
	"net/netip"
	"sync"
	"time"

	"github.com/gensctp/gensctp/internal/logs"
	"github.com/gensctp/gensctp/packetio"
	"github.com/pion/logging"
)

// tracer is the Tap that logs every packet of an SCTP port sent and
// received as one line (appendSummary) at trace level (Trace).
//
// The packet path only formats the line and queues it: a goroutine of the
// tracer's, running while there are lines, hands them to the logger, so
// that a logger whose writer blocks holds up no packet. When
// maxTraceLines wait, a line is dropped, and the count of those dropped
// is logged once the logger takes lines again.
type tracer struct {
	log   *logs.Logger
	of    TapFilter      // the packets it logs
	local netip.AddrPort // the transport's first local address, for packets that do not say theirs

	mu      sync.Mutex
	lines   []string      // waiting for the logger
	spare   []string      // the other slice of lines, for the goroutine to swap in
	dropped int           // lines dropped since the last report
	idle    chan struct{} // closed when the goroutine ends; nil when none runs
}

// maxTraceLines bounds the lines a tracer keeps waiting for its logger.
const maxTraceLines = 1024

// traceStopWait bounds how long removing a trace or closing the stack
// waits for the logger to take the lines queued before.
const traceStopWait = time.Second

// Trace logs with log, at trace level, one line per packet the stack
// sends from or receives for the endpoint that of selects (every packet
// for port 0), with its chunks (appendSummary), until remove is called.
// When log does not log at trace level it adds nothing: the packet path
// formats nothing, and does not even call a tap.
func (s *Stack) Trace(log *logs.Logger, of TapFilter) (remove func()) {
	if !log.On(logging.LogLevelTrace) {
		return func() {}
	}
	t := &tracer{log: log, of: of}
	if la := s.conn.LocalAddrs(); len(la) > 0 {
		t.local = la[0]
	}
	untap := s.AddTap(t)
	return func() {
		untap()
		t.wait(time.Now().Add(traceStopWait))
	}
}

// push queues line for the logger, starting the goroutine that hands the
// lines to it if none runs; it drops the line when maxTraceLines wait.
func (t *tracer) push(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) >= maxTraceLines {
		t.dropped++
		return
	}
	t.lines = append(t.lines, line)
	if t.idle == nil {
		t.idle = make(chan struct{})
		go t.drain(t.idle)
	}
}

// drain hands the queued lines to the logger until there are none, then
// closes idle: the goroutine of push.
func (t *tracer) drain(idle chan struct{}) {
	var batch []string
	for {
		t.mu.Lock()
		if batch == nil {
			batch, t.spare = t.spare, nil
		}
		if len(t.lines) == 0 {
			t.spare, t.idle = batch[:0], nil
			t.mu.Unlock()
			close(idle)
			return
		}
		batch, t.lines = t.lines, batch[:0]
		dropped := t.dropped
		t.dropped = 0
		t.mu.Unlock()
		if dropped > 0 {
			t.log.Tracef("%d packet lines dropped: the logger's writer is slow", dropped)
		}
		for _, l := range batch {
			t.log.Trace(l)
		}
		clear(batch)
	}
}

// wait waits until the logger took the lines queued, or until deadline.
func (t *tracer) wait(deadline time.Time) {
	t.mu.Lock()
	idle := t.idle
	t.mu.Unlock()
	if idle == nil {
		return
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-idle:
	case <-timer.C:
	}
}

// Received implements Tap.
func (t *tracer) Received(m *packetio.Message) {
	if !t.of.Received(m) {
		return
	}
	to := m.To
	if !to.IsValid() {
		to = t.local
	}
	t.push(string(appendSummary(nil, "recv", m.From, to, m.Data)))
}

// Sent implements Tap.
func (t *tracer) Sent(m *packetio.OutMessage) {
	if !t.of.Sent(m) {
		return
	}
	from := t.local
	if m.From.IsValid() && !m.From.IsUnspecified() {
		from = netip.AddrPortFrom(m.From, t.local.Port())
	}
	t.push(string(appendSummary(nil, "send", from, m.To, m.Data)))
}

// waitTraces waits, for at most traceStopWait, until the loggers of the
// traces took the lines queued: a closed stack's trace is complete.
func (s *Stack) waitTraces() {
	deadline := time.Now().Add(traceStopWait)
	for _, t := range s.taps.get() {
		if tr, ok := t.(*tracer); ok {
			tr.wait(deadline)
		}
	}
}
