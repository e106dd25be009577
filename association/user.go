package association

import (
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/congestion"
	"github.com/gensctp/gensctp/stream"
	"github.com/gensctp/gensctp/timer"
)

// SendInfo holds the parameters of a message to send: the send side of
// gen_sctp's sctp_sndrcvinfo.
type SendInfo struct {
	Stream chunk.StreamID
	PPID   chunk.PPID
	// Unordered requests unordered delivery (RFC 9260 Section 6.6).
	Unordered bool
	// Context is an opaque value reported back in a SendFailed event.
	Context uint32
	// TimeToLive is gen_sctp's timetolive: the lifetime of RFC 9260
	// Section 10.1 SEND. A message none of which was sent within it is
	// abandoned and handed back in a SendFailed event; once sent in part,
	// it is delivered reliably (unless its PRPolicy says otherwise). 0
	// means no lifetime.
	TimeToLive time.Duration
	// PRPolicy and PRValue are the partial reliability policy of the
	// message and its value (RFC 6458 Section 5.3.7 sctp_prinfo, RFC
	// 7496): see PRPolicy. Sent fragments are abandoned only on an
	// association that negotiated PR-SCTP (PartialReliability).
	PRPolicy PRPolicy
	PRValue  uint32
}

// Send queues one user message (RFC 9260 Section 10.1 SEND). Send copies
// data into a buffer of the association's pool (Config.Buffers), which
// goes back to the pool once the peer acknowledged the whole message, or
// to the user as the Data of a SendFailed event: the caller may reuse
// data at once, and a sender in steady state allocates nothing. Errors: ErrInvalidStream, ErrEmptyMessage, ErrMessageTooLarge,
// ErrWouldBlock (the send buffer is full), ErrClosed (closed or shutting
// down: RFC 9260 Section 9.2 "An endpoint SHOULD reject any new data
// request from its upper layer if it is in the SHUTDOWN-PENDING,
// SHUTDOWN-SENT, SHUTDOWN-RECEIVED, or SHUTDOWN-ACK-SENT state").
func (a *Association) Send(now timer.Time, info SendInfo, data []byte) error {
	defer a.startBurst()
	switch a.state {
	case StateEstablished, StateCookieWait, StateCookieEchoed:
	default:
		return ErrClosed
	}
	streams := a.outbound
	if a.state != StateEstablished {
		streams = a.cfg.OutboundStreams
	}
	if uint32(info.Stream) >= uint32(streams) {
		return ErrInvalidStream
	}
	if a.resetting(info.Stream) {
		return ErrStreamResetting
	}
	if len(data) == 0 {
		return ErrEmptyMessage
	}
	if a.cfg.DisableFragments && len(data) > a.maxPayload(a.primary) {
		// RFC 9260 Section 6.9: "An endpoint that does not support
		// fragmentation and is requested to send a user message such that
		// the outbound SCTP packet size would exceed the current PMTU MUST
		// return an error to its upper layer".
		return ErrMessageTooLarge
	}
	if info.PRPolicy >= PRPolicies {
		return ErrInvalidPolicy
	}
	if b := a.sendq.Buffered(); b > 0 && b+len(data) > a.sendBuffer() {
		a.makeRoom(now, info, len(data))
		if b := a.sendq.Buffered(); b > 0 && b+len(data) > a.sendBuffer() {
			return ErrWouldBlock
		}
	}
	m := a.newOutMessage()
	m.Stream, m.PPID, m.Unordered, m.Context = info.Stream, info.PPID, info.Unordered, info.Context
	if info.TimeToLive > 0 || info.PRPolicy != PRNone {
		a.setPR(now, m, info)
	}
	m.Data = a.cfg.Buffers.Copy(data)
	if err := a.sendQueue().Enqueue(m); err != nil {
		a.unqueued(m)
		a.cfg.Buffers.Put(m.Data)
		a.freeMsgs = append(a.freeMsgs, m)
		return ErrInvalidStream
	}
	a.stats.SentMessages++
	a.stats.SentBytes += uint64(len(data))
	a.touch(now)
	return nil
}

// SendDefault sends data on stream with the default send parameters
// (gen_sctp send/4 and sctp_default_send_param).
func (a *Association) SendDefault(now timer.Time, stream chunk.StreamID, data []byte) error {
	info := a.cfg.DefaultSend
	info.Stream = stream
	return a.Send(now, info, data)
}

// Buffered returns the bytes queued for sending and not yet transmitted,
// for back-pressure.
func (a *Association) Buffered() int { return a.sendq.Buffered() }

// Outstanding returns the bytes sent and not yet acknowledged.
func (a *Association) Outstanding() int { return a.out.bytes }

// newOutMessage returns a recycled or new message.
func (a *Association) newOutMessage() *stream.OutMessage {
	if n := len(a.freeMsgs); n > 0 {
		m := a.freeMsgs[n-1]
		a.freeMsgs = a.freeMsgs[:n-1]
		*m = stream.OutMessage{}
		return m
	}
	return new(stream.OutMessage)
}

// failOutstanding hands every message not yet acknowledged back to the
// user as SendFailed events: sent-but-unacknowledged ones with Sent set,
// then unsent ones.
func (a *Association) failOutstanding(code chunk.CauseCode) {
	var last *stream.OutMessage
	for i := 0; i < a.out.len(); i++ {
		c := a.out.index(i)
		if m := c.frag.Msg; m != nil && m != last && !m.PR.Abandoned {
			last = m
			if c.frag.Flags.Has(chunk.FlagBeginning) || i == 0 {
				a.pushEvent(&SendFailed{Sent: true, Error: code, Info: infoOf(m), Data: m.Data})
			}
		}
	}
	for _, m := range a.sendq.DiscardAll() {
		if m == last {
			continue // partly sent: already reported
		}
		a.pushEvent(&SendFailed{Sent: m.SentBytes() > 0, Error: code, Info: infoOf(m), Data: m.Data})
	}
	a.out.reset(a.nextTSN)
	for _, p := range a.paths {
		p.flightSize = 0
	}
	if s := a.prs; s != nil {
		// Nothing is queued or outstanding any more.
		s.expiring, s.prioQueued = 0, 0
		s.hasAdv, s.hasFwd = false, false
		s.lifetime.Stop()
	}
}

// infoOf returns the send parameters of m that a SendFailed event
// reports: all those Send was given (RFC 6458 Section 6.1.4, ssf_info:
// "the ancillary data ... used to send the undelivered message").
func infoOf(m *stream.OutMessage) SendInfo {
	return SendInfo{Stream: m.Stream, PPID: m.PPID, Unordered: m.Unordered, Context: m.Context,
		TimeToLive: time.Duration(m.PR.Lifetime), PRPolicy: PRPolicy(m.PR.Policy), PRValue: m.PR.Value}
}

// resetTransfer clears the data-transfer state for a restart.
func (a *Association) resetTransfer() {
	a.inRecovery = false
	a.fastRtxNow = false
	a.sackDue, a.sackNow = false, false
	a.packetsUnacked = 0
	a.gotFirstData = false
	a.rxAvg = 0
	a.sackTimer.Stop()
	a.hasLastAck = false
}

// resetPath returns a path's congestion state to its initial values (RFC
// 9260 Section 5.2.4 action A: "All the congestion control parameters ...
// MUST be reset to their initial values").
func (a *Association) resetPath(p *path) {
	p.cc.Reset(a.pmdcs(p), p.remote.Addr().Is6())
	p.rto, _ = congestion.NewRTOEstimator(a.cfg.RTO)
	p.flightSize, p.errorCount = 0, 0
	p.rttActive, p.hbOutstanding = false, false
	p.t3.Stop()
}

// pmdcs is the path's maximum DATA chunk size (RFC 9260 Section 1.3),
// the "MTU" of the congestion controller.
func (a *Association) pmdcs(p *path) int { return p.mtu - 12 }
