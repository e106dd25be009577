package stack

import (
	"net/netip"

	"github.com/gensctp/gensctp/internal/logs"
	"github.com/gensctp/gensctp/packetio"
	"github.com/pion/logging"
)

// tracer is the Tap that logs every packet sent and received as one line
// (appendSummary) at trace level, in scope sctp-stack. The stack adds it
// only when that scope logs at trace level (logs.Logger.On): otherwise
// nothing is formatted, nor even called, per packet.
type tracer struct {
	log   *logs.Logger
	local netip.AddrPort // the transport's first local address, for packets that do not say theirs
}

// newTracer returns the tracer of the stack of conn, or nil when log does
// not log at trace level.
func newTracer(log *logs.Logger, conn packetio.Transport) *tracer {
	if !log.On(logging.LogLevelTrace) {
		return nil
	}
	t := &tracer{log: log}
	if la := conn.LocalAddrs(); len(la) > 0 {
		t.local = la[0]
	}
	return t
}

// Received implements Tap.
func (t *tracer) Received(m *packetio.Message) {
	to := m.To
	if !to.IsValid() {
		to = t.local
	}
	t.log.Trace(string(appendSummary(nil, "recv", m.From, to, m.Data)))
}

// Sent implements Tap.
func (t *tracer) Sent(m *packetio.OutMessage) {
	from := t.local
	if m.From.IsValid() && !m.From.IsUnspecified() {
		from = netip.AddrPortFrom(m.From, t.local.Port())
	}
	t.log.Trace(string(appendSummary(nil, "send", from, m.To, m.Data)))
}
