package stack

import (
	"net/netip"

	"github.com/gensctp/gensctp/internal/logs"
	"github.com/gensctp/gensctp/packetio"
	"github.com/pion/logging"
)

// tracer is the Tap that logs every packet of an SCTP port sent and
// received as one line (appendSummary) at trace level (Trace).
type tracer struct {
	log   *logs.Logger
	of    TapFilter      // the packets it logs
	local netip.AddrPort // the transport's first local address, for packets that do not say theirs
}

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
	return s.AddTap(t)
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
	t.log.Trace(string(appendSummary(nil, "recv", m.From, to, m.Data)))
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
	t.log.Trace(string(appendSummary(nil, "send", from, m.To, m.Data)))
}
