package association

import (
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
)

// handleIData processes one I-DATA chunk (RFC 8260 Section 2.2.3) on an
// association that negotiated user message interleaving: the rules of
// DATA for the TSN, the receive window and the buffer (RFC 8260 Section
// 2.2.2: "All other properties of the existing SCTP DATA chunk also
// apply to the I-DATA chunk"), and reassembly by stream, U bit, MID and
// FSN (stream.Reassembly.AddI).
func (a *Association) handleIData(now timer.Time, pth *path, d *chunk.IData) error {
	tsn := d.TSN
	if ok, err := a.acceptData(pth, chunk.TypeIData, tsn, d.Flags, len(d.UserData)); !ok {
		a.relieve() // the buffer may be full of incomplete messages
		return err
	}
	if a.holdAhead(now, tsn, nil, d) || a.holdForReset(now, tsn, nil, d) {
		return nil
	}
	err := a.reassembly().AddI(tsn, d)
	if err := a.added(now, tsn, d.StreamID, d.Flags, chunk.TypeIData, err); err != nil {
		return err
	}
	a.relieve()
	return nil
}

// relieve starts the partial delivery of the messages next in line on
// their streams when the receive buffer is nearly full and reassembly
// holds most of it, bookkeeping included (stream.Reassembly.
// StartPartialDeliveries): with
// I-DATA the messages of many streams interleave, each may stay below
// the partial delivery point while together they fill the buffer, and
// the association would then wait for ever with nothing to deliver. A
// buffer with messages the user has not read yet needs no relief:
// reading frees it (Poll calls relieve once the user read them all).
// Each piece delivered is charged ChunkOverhead while it waits in Poll,
// the record of its message staying in reassembly: relieve starts as
// many partial deliveries as the buffer takes (and one at least), so
// that what Z holds stays within ReceiveBuffer + MTU (roomFor's overrun)
// + ChunkOverhead.
func (a *Association) relieve() {
	if a.reasm == nil || a.pendingMsgs > 0 || !a.reasm.IData() || !a.takesData() {
		return
	}
	cost, buf := a.cost(), a.rcvBuf()
	if buf-cost >= 2*(fullPayload(a.cfg.MTU)+ChunkOverhead) || cost-a.pendingBytes < buf/2 {
		return
	}
	if a.reasm.StartPartialDeliveries(max(1, (buf+a.cfg.MTU-cost)/ChunkOverhead)) > 0 {
		a.deliver()
	}
}

// handleIForwardTSN processes an I-FORWARD-TSN chunk (RFC 8260 Section
// 2.3.1) on an association that negotiated PR-SCTP with user message
// interleaving: the New Cumulative TSN as for FORWARD TSN, then the
// messages skipped by stream, U bit and MID (stream.Reassembly.ForwardI).
func (a *Association) handleIForwardTSN(now timer.Time, c *chunk.IForwardTSN) error {
	if held, err := a.holdAheadForward(now, chunk.TypeIForwardTSN, nil, c); held {
		return err
	}
	if ok, err := a.forwardCum(now, chunk.TypeIForwardTSN, c.NewCumTSN); !ok {
		return err
	}
	r := a.reasm
	if r == nil && len(c.Streams) > 0 {
		r = a.reassembly() // the skipped MIDs count before the first I-DATA
	}
	a.partialAborts(r.ForwardI(c.Streams, a.forgetHeldIP))
	a.deliver()
	return nil
}

// wrongKind answers a DATA or FORWARD TSN chunk of type t on an
// association that negotiated their I- forms, or one of those on an
// association that did not: RFC 8260 Section 2.2.3, "the reception of a
// DATA chunk is a violation of the above rules and therefore the receiver
// of the DATA chunk MUST abort the association by sending an ABORT chunk.
// The ABORT chunk MAY include the 'Protocol Violation' error cause. The
// same applies if I-DATA support has not been negotiated for an
// association and an I-DATA chunk is received" (and Section 2.3.1 for
// FORWARD-TSN and I-FORWARD-TSN). In the states without a receive path
// the chunk is discarded, as any DATA chunk there. It reports that the
// rest of the packet is to be skipped.
func (a *Association) wrongKind(now timer.Time, t chunk.Type) (bool, error) {
	if !a.takesData() {
		return false, discard(t.String()+" in state "+a.state.String(), t, nil)
	}
	info := t.String() + " chunk not negotiated"
	a.abort(now, &chunk.ProtocolViolationCause{Info: []byte(info)}, CommLost)
	return true, discard(info, t, nil)
}
