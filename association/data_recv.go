package association

import (
	"errors"
	"net/netip"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/stream"
	"github.com/gensctp/gensctp/timer"
)

// held returns the bytes the receiver holds for the user: in reassembly
// and delivered but not yet polled.
func (a *Association) held() int { return a.reasm.Buffered() + a.pendingBytes }

// ChunkOverhead is what the receive buffer (Config.ReceiveBuffer, the
// a_rwnd it backs) is charged for each record reassembly keeps
// (stream.Reassembly Records: a message held, or a fragment held apart
// from the beginning of its message) and each message waiting in Poll,
// on top of its user data: the memory of its bookkeeping. Without it, a
// peer sending messages of one byte would make the receiver hold some
// hundred times the receive buffer in memory. A one-byte message held in
// reassembly behind a missing SSN takes about 210 bytes of heap, one
// waiting in Poll about 170 (measured by TestHostileRcvbufTinyMessagesHeap);
// the charge covers both, so that what the receiver holds stays within its
// receive buffer, as the kernel stacks charge their buffers' true size.
// The fragments of a message received in order are gathered in one buffer
// and charged once, so a message sent in tiny fragments still reaches the
// partial delivery point before its bookkeeping fills the buffer.
const ChunkOverhead = 256

// StreamOverhead is what the receive buffer is charged for each inbound
// stream that holds state beyond its next SSN (stream.Reassembly
// BusyStreams: a partial delivery in progress, or messages held): the
// record of the stream and of its message under partial delivery (that
// one is also charged ChunkOverhead as a record of reassembly), which
// stay while no byte of that message is held (some 270 bytes measured).
// An idle stream costs at most its next SSN and is not charged, so a peer
// that sends one message on each of 65535 streams leaves at most 136 KiB
// behind; a peer that keeps partial deliveries open on many streams
// closes its own window instead of growing the receiver's memory.
const StreamOverhead = 256

// cost returns what the received data holds of the receive buffer: its
// bytes and the overhead of its chunks, messages and busy streams, and
// the chunks held for a deferred stream reset.
func (a *Association) cost() int {
	return a.held() + ChunkOverhead*(a.reasm.Records()+a.pendingMsgs) +
		StreamOverhead*a.reasm.BusyStreams() + a.resetHeldCost()
}

// arwnd returns the receive window to advertise (RFC 9260 Section 6.2 B
// and C): the receive buffer less what the received data costs, in user
// data of the size of the DATA chunks arriving (payloadEstimate).
func (a *Association) arwnd() int {
	return advertised(a.rcvBuf()-a.cost(), a.payloadEstimate())
}

// advertised returns the window to advertise for free bytes of receive
// buffer when DATA chunks carry avg bytes of user data: the peer counts
// only user data against the window it is given (RFC 9260 Section 6.2.1
// rule B: "the endpoint subtracts the data size of the chunk from the
// rwnd of that peer"), while each chunk the receiver holds also costs
// ChunkOverhead of the buffer. A window of free bytes would take more
// than free once the chunks' overhead is counted, and what is beyond the
// buffer would be dropped (a window's worth of 100-byte chunks costs 3.56
// times its bytes); free*avg/(avg+ChunkOverhead) is what chunks of avg
// bytes fill the buffer with, their overhead counted, as the kernel
// stacks advertise less than their buffer for the same reason. How a
// receiver computes a_rwnd is its own business: RFC 9260 Section 6.2 asks
// that it reflect "the updated receiver buffer space", and that window
// updates avoid silly window syndrome (maybeWindowUpdate).
func advertised(free, avg int) int {
	if free <= 0 {
		return 0
	}
	return int(int64(free) * int64(avg) / int64(avg+ChunkOverhead))
}

// fullPayload returns the user data of a full-size DATA chunk in a
// packet of mtu bytes (less the common header and the DATA chunk header).
func fullPayload(mtu int) int { return max(mtu-packet.HeaderLen-dataChunkHeaderLen, 1) }

// rxAvgShift is the fixed point of Association.rxAvg (1/16 byte) and
// rxAvgGain the weight of each DATA chunk in it (1/2^rxAvgGain): the
// average follows a change of message size within a few packets (16
// chunks take it seven eighths of the way), and over a mix of sizes it
// stays near their mean by count, which is what the charge per chunk
// scales with.
const rxAvgShift, rxAvgGain = 4, 3

// notePayload folds n, the user data of an arriving DATA chunk, into the
// moving average (EWMA) of the user data of DATA chunks (Association.rxAvg)
// that the window is computed for, within one byte and a full-size chunk:
// a peer sending larger chunks than our MTU allows gets no larger window
// than full-size chunks would. Memory does not depend on it: handleData
// charges each chunk what it costs and drops what the buffer cannot hold,
// whatever the window said.
func (a *Association) notePayload(n int) {
	full := fullPayload(a.cfg.MTU)
	n = min(max(n, 1), full)
	avg := a.rxAvg
	if avg == 0 {
		avg = uint32(full) << rxAvgShift
	}
	a.rxAvg = avg - avg>>rxAvgGain + uint32(n)<<(rxAvgShift-rxAvgGain)
}

// payloadEstimate returns the average user data of the DATA chunks
// arriving (notePayload): a full-size chunk's until the first DATA chunk,
// and at least one byte.
func (a *Association) payloadEstimate() int {
	full := fullPayload(a.cfg.MTU)
	if a.rxAvg == 0 {
		return full
	}
	return min(max(int(a.rxAvg>>rxAvgShift), 1), full)
}

// initialARwnd is the a_rwnd of the INIT or INIT ACK of an association
// with cfg: the window of an empty receive buffer for full-size DATA
// chunks (none arrived yet to tell their size), and at least the 1500
// bytes RFC 9260 Section 3.3.2 requires ("MUST NOT be smaller than
// 1500"), which a receive buffer of 1500 bytes or little more would not
// give.
func initialARwnd(cfg *Config) int {
	return max(advertised(cfg.ReceiveBuffer, fullPayload(cfg.MTU)), chunk.MinARwnd)
}

// dataChunkHeaderLen is the length of a DATA chunk before its user data
// (RFC 9260 Section 3.3.1).
const dataChunkHeaderLen = 16

// tsnWindow returns how far above the Cumulative TSN Ack Point the
// receive window reaches, in TSNs: the receive buffer that backs the
// window charges each chunk it holds ChunkOverhead and at least one byte
// of user data (a DATA chunk without user data is an error, RFC 9260
// Section 6.2), so it holds at most ReceiveBuffer/(ChunkOverhead+1)
// chunks; and at most maxTSNAhead. RFC 9260 Section 6.2 requires the
// acknowledgement of "each valid DATA chunk when the DATA chunk received
// is inside its receive window": a chunk further ahead is dropped (as the
// kernel stacks drop what their TSN maps cannot hold), and its sender
// sends it again once the TSNs before it are acknowledged.
func (a *Association) tsnWindow() uint32 {
	return uint32(min(a.rcvBuf()/(ChunkOverhead+1), maxTSNAhead))
}

// takesData reports whether the state has a receive path for DATA (and
// I-DATA) chunks: RFC 9260 Section 9.2, once the peer sent SHUTDOWN it
// sends no new data; in the other states there is none.
func (a *Association) takesData() bool {
	switch a.state {
	case StateEstablished, StateShutdownPending, StateShutdownSent:
		return true
	}
	return false
}

// handleData processes one DATA chunk (RFC 9260 Section 6.2).
func (a *Association) handleData(now timer.Time, pth *path, d *chunk.Data) error {
	tsn := d.TSN
	if ok, err := a.acceptData(pth, chunk.TypeData, tsn, d.Flags, len(d.UserData)); !ok {
		return err
	}
	if a.holdAhead(now, tsn, d, nil) || a.holdForReset(now, tsn, d, nil) {
		return nil
	}
	if a.skippedRest(tsn, d) {
		return nil
	}
	err := a.reassembly().Add(tsn, d)
	return a.added(now, tsn, d.StreamID, d.Flags, chunk.TypeData, err)
}

// acceptData applies to a DATA or I-DATA chunk of type t, at tsn with
// flags and n bytes of user data, the rules that do not depend on its
// kind (RFC 9260 Section 6.2): the state, duplicates, the receive window
// and buffer. It reports whether the chunk goes on to reassembly, and
// why not if it does not (a duplicate is no error).
func (a *Association) acceptData(pth *path, t chunk.Type, tsn chunk.TSN, flags chunk.DataFlags, n int) (bool, error) {
	if !a.takesData() {
		return false, discard(t.String()+" in state "+a.state.String(), t, nil)
	}
	a.stats.DataChunksReceived++
	a.notePayload(n)
	if !a.packetHasData {
		a.noteCE(tsn) // the first DATA chunk of the packet has its lowest TSN
	}
	a.packetHasData = true
	a.rxFrom = pth.remote
	if a.rcv.hasGaps() {
		a.packetSawGap = true
	}
	a.sackPath = pth
	if flags.Has(chunk.FlagImmediate) {
		// RFC 9260 Section 6.2: "the receiver SHOULD NOT delay the sending
		// of the corresponding SACK chunk".
		a.sackNow = true
	}
	if a.rcv.has(tsn) {
		// "When a packet arrives with duplicate DATA chunk(s) and with no
		// new DATA chunk(s), the endpoint MUST immediately send a SACK
		// chunk with no delay. ... The duplicate TSN number(s) SHOULD be
		// reported in the SACK chunk as duplicate."
		a.rcv.addDup(tsn)
		a.stats.DuplicateTSNs++
		a.packetHasDup = true
		return false, nil
	}
	if tsn.Sub(a.rcv.cum) > a.tsnWindow() {
		// Beyond what the receive buffer could hold: dropped, and "the
		// receiver MUST immediately send back a SACK" (RFC 9260 Section
		// 6.2, a chunk outside the receive window).
		a.sackNow = true
		a.details().DroppedDataChunks++
		return false, discard(t.String()+" beyond the receive window", t, nil)
	}
	if !a.roomFor(tsn, n) {
		a.sackNow = true
		a.details().DroppedDataChunks++
		return false, discard("receive window full", t, nil)
	}
	if !a.rcv.canAdd(tsn) {
		a.sackNow = true
		a.details().DroppedDataChunks++
		return false, discard("too many gaps", t, nil)
	}
	return true, nil
}

// added finishes the DATA or I-DATA chunk of type t at tsn, on stream sid
// with flags, that reassembly took (err nil) or refused (err): the TSN is
// received and what it completes delivered, or the error answered.
func (a *Association) added(now timer.Time, tsn chunk.TSN, sid chunk.StreamID, flags chunk.DataFlags, t chunk.Type, err error) error {
	if err != nil {
		if a.refused(now, sid, err) {
			a.rcv.add(tsn)
			return nil
		}
		return discard("invalid fragment", t, err)
	}
	a.rcv.add(tsn)
	a.touch(now)
	a.rxEndIP(tsn, flags)
	a.deliver()
	a.holdEndIP()
	a.tuneReceived(now)
	return nil
}

// refused answers the error err with which reassembly refused a DATA or
// I-DATA chunk on stream sid. It reports whether the chunk counts as
// received (acknowledged and dropped); if not, the association is
// aborted.
func (a *Association) refused(now timer.Time, sid chunk.StreamID, err error) bool {
	switch {
	case errors.Is(err, stream.ErrStaleMessage):
		// I-DATA of a message delivered or skipped already (an
		// I-FORWARD-TSN overtook it): received, and dropped.
		a.details().DroppedDataChunks++
		return true
	case errors.Is(err, stream.ErrInvalidStream):
		// RFC 9260 Section 6.5: "the endpoint MUST acknowledge the
		// reception of the DATA chunk following the normal procedure,
		// immediately send an ERROR chunk with cause set to "Invalid
		// Stream Identifier" ... and discard the DATA chunk."
		a.details().DroppedDataChunks++
		if a.canReport() {
			a.queueAnswer(ctrlChunk{c: &chunk.OperationError{Causes: []chunk.Cause{
				&chunk.InvalidStreamIdentifierCause{StreamID: sid}}}})
		}
		a.sackNow = true
		return true
	}
	// Inconsistent fragments: a protocol violation by the peer.
	a.abort(now, &chunk.ProtocolViolationCause{Info: []byte{}}, CommLost)
	return false
}

// roomFor reports whether the receive buffer takes a DATA chunk of n
// bytes of user data at tsn, not yet received; if not, the chunk is
// dropped and "the receiver MUST immediately send back a SACK" (RFC 9260
// Section 6.2).
//
// A chunk above the highest TSN received must leave room for the TSNs
// missing below it (holeReserve): "When the receiver's advertised window
// is 0, the receiver MUST drop any new incoming DATA chunk with a TSN
// larger than the largest TSN received so far" (RFC 9260 Section 6.2),
// and the room kept for the holes counts as taken. A sender that respects
// the window never meets this (it counts the chunks of the holes as
// outstanding, Section 6.2.1 rule D ii). One that overruns the buffer
// (one that ignores the window, or sends smaller chunks than the window
// was computed for, see payloadEstimate) has its newest chunks dropped,
// which it never saw acknowledged and sends again, instead of filling the
// buffer above a hole until the chunks of the hole find no room: those
// were then dropped but for one MTU per retransmission, and the hole
// closed a few chunks per T3-rtx timeout, with back-off (seconds with
// 100-byte messages).
//
// A chunk below the highest TSN, which fills a hole, may take the room
// kept for the holes. The one at the Cumulative TSN Ack Point + 1 is
// accepted within one MTU of overrun, so that a closed window can always
// be reopened, if need be after reneging on data held above it (renege:
// when the chunks of the hole are larger than the average, or the
// receive buffer was made smaller than what it holds).
func (a *Association) roomFor(tsn chunk.TSN, n int) bool {
	need := n + ChunkOverhead
	if tsn.GT(a.rcv.highest) {
		need += a.holeReserve()
	}
	buf := a.rcvBuf()
	if a.cost()+need <= buf {
		return true
	}
	if tsn != a.rcv.cum+1 {
		return false
	}
	if a.cost()+n > buf+a.cfg.MTU {
		a.renege(tsn, n)
	}
	return a.cost()+n <= buf+a.cfg.MTU
}

// holeReserve returns the receive buffer held for the TSNs missing below
// the highest received: each what a chunk of the average size costs
// (payloadEstimate and ChunkOverhead).
func (a *Association) holeReserve() int {
	return int(a.rcv.missing()) * (a.payloadEstimate() + ChunkOverhead)
}

// renege drops held DATA chunks above tsn, the chunk at the Cumulative
// TSN Ack Point + 1, the highest first, until what reassembly holds leaves
// room for its n bytes within the overrun handleData allows, or nothing
// above tsn is left (RFC 9260 Section 6.2: "if the new incoming DATA
// chunk holds a TSN value less than the largest TSN received so far, then
// the receiver SHOULD drop the largest TSN held for reordering and accept
// the new incoming DATA chunk"). Only what the user has not been given is
// dropped: complete messages waiting for an earlier SSN and fragments of
// incomplete ones (stream.Reassembly.Renege). Their TSNs are forgotten:
// "it MUST NOT include them in Gap Ack Blocks in subsequent SACK chunks
// until they are received again via retransmission", and the sender,
// seeing them no longer acknowledged, sends them again (RFC 9260 Section
// 6.2.1 rule D iii). Without it, a receive buffer set below the data held
// out of order, or filled with it above a hole of several chunks, wedged
// the association: the chunks of the hole were dropped forever.
//
// Deviation from RFC 9260 Section 6.2: only the chunk that advances the
// Cumulative TSN Ack Point makes the receiver renege, and only when the
// data in reassembly keeps it out (deliveries waiting in Poll leave when
// the user reads); other chunks below the largest TSN are dropped when
// the room kept for the holes (roomFor) does not take them. Reneging
// revokes Gap Ack Blocks, which "SHOULD NOT" be done but "in extreme
// circumstances", and not every sender copes: pion/sctp v1.12 frees the
// data of a chunk once a Gap Ack Block reports it (payloadQueue.
// markAsAcked) and never sends it again, so that a renege loses that
// chunk for good and the association waits for it forever. Reneging for
// any chunk below the largest TSN, as the RFC suggests, would renege far
// more often (whenever a sender overruns the buffer above a hole); the
// room kept for the holes takes their chunks without it.
//
// The work is a constant per run of chunks dropped, each of which the peer
// sent and the buffer held, and a step per 64 TSNs of the gap below the
// highest TSN when that one goes (at most maxTSNAhead/64).
func (a *Association) renege(tsn chunk.TSN, n int) {
	limit := a.rcvBuf() + a.cfg.MTU - n
	for a.cost()-a.pendingBytes-ChunkOverhead*a.pendingMsgs > limit {
		first, last, ok := a.reasm.Renege(tsn, a.rcv.highest)
		if !ok {
			return
		}
		a.rcv.remove(first, last)
		delete(a.heldIP, last)
		a.stats.RenegedTSNs += uint64(last.Sub(first)) + 1
		a.sackNow = true
	}
}

// afterData schedules the SACK for a packet that carried DATA (RFC 9260
// Section 6.2).
func (a *Association) afterData(now timer.Time) {
	if !a.packetHasData {
		return
	}
	a.packetHasData = false
	sawGap := a.packetSawGap
	a.packetSawGap = false
	if a.state == StateClosed {
		// An ABORT after the DATA (or one the DATA made us send) ended
		// the association: RFC 9260 Section 9.1, "the receiving endpoint
		// MUST NOT send any SCTP packets in response". Nothing is owed.
		a.packetHasDup = false
		return
	}
	a.sackDue = true
	a.packetsUnacked++
	if a.packetHasDup {
		a.sackNow = true
		a.packetHasDup = false
	}
	switch {
	case !a.gotFirstData:
		// RFC 9260 Section 5.1: "After the reception of the first DATA
		// chunk in an association, the endpoint MUST immediately respond
		// with a SACK chunk to acknowledge the DATA chunk."
		a.gotFirstData = true
		a.sackNow = true
	case a.rcv.hasGaps() || sawGap:
		// RFC 9260 Section 7.2.4: "whenever an endpoint notices a hole in
		// the arriving TSN sequence, it SHOULD start sending a SACK chunk
		// back every time a packet arrives carrying data until the hole is
		// filled." That includes the packet that fills it, so that the
		// sender learns at once that the hole is gone and leaves Fast
		// Recovery.
		a.sackNow = true
	case int(a.packetsUnacked) >= a.cfg.SACKFrequency || a.cfg.SACKDelayDisabled:
		// "an acknowledgement SHOULD be generated for at least every
		// second packet".
		a.sackNow = true
	case int(a.lastARwnd) < 2*a.cfg.MTU:
		// The window last advertised fits less than two packets: the
		// sender cannot send the second packet that would trigger the
		// SACK, and would wait the SACK delay for each window. RFC 9260
		// Section 6.2 leaves when to acknowledge within the delay to the
		// receiver ("an acknowledgement SHOULD be generated for at least
		// every second packet ... and SHOULD be generated within 200 ms");
		// acknowledging at once opens the window as soon as the reader
		// takes the data.
		a.sackNow = true
	case a.state == StateShutdownSent:
		// RFC 9260 Section 9.2: "the SHUTDOWN sender MUST immediately
		// respond to each received packet containing one or more DATA
		// chunks with a SHUTDOWN chunk".
		a.sackNow = true
	}
	if a.state == StateShutdownSent {
		a.queueShutdown(now)
	}
	if !a.sackNow {
		a.armSACK(now)
	}
}

// armSACK (re)arms the delayed-SACK timer for a packet with DATA that
// arrived at now and left the SACK owed: SACKDelay after the first
// packet the SACK covers (RFC 9260 Section 6.2: "... SHOULD be generated
// within 200 ms of the arrival of any unacknowledged DATA chunk"), or,
// sooner, LoneSACKDelay after this one, should no other follow. The
// section leaves when to acknowledge within the delay to the receiver;
// a peer that waits for the SACK (Nagle's algorithm without the I bit)
// sends nothing more, and acknowledging a packet that ends a burst
// sooner costs at most one SACK that a reply would have carried.
func (a *Association) armSACK(now timer.Time) {
	if !a.sackTimer.Running() {
		a.sackSince = now
	}
	deadline := a.sackSince.Add(a.cfg.SACKDelay)
	if lone := a.cfg.LoneSACKDelay; lone < a.cfg.SACKDelay {
		deadline = timer.Min(deadline, now.Add(lone))
	}
	if a.sackTimer.Running() && a.sackTimer.Deadline() == deadline {
		return
	}
	a.sackTimer.Start(now, deadline.Sub(now))
}

// deliver moves every deliverable message from reassembly to the poll
// queue.
func (a *Association) deliver() {
	for {
		m, ok := a.reasm.Pop()
		if !ok {
			a.pruneHeldIP()
			return
		}
		end := !m.Partial || m.EndOfMessage
		ip, from := a.endIP(m.LastTSN, end)
		a.pendingBytes += len(m.Data)
		a.stats.ReceivedBytes += uint64(len(m.Data))
		if end {
			a.stats.ReceivedMessages++
		}
		if a.joinPiece(&m, end, ip, from) {
			continue
		}
		a.pendingMsgs++
		a.pending.push(Delivery{Message: Message{
			Stream: m.Stream, SSN: m.SSN, MID: m.MID, PPID: m.PPID, Unordered: m.Unordered,
			TSN: m.FirstTSN, CumTSN: a.rcv.cum, Data: m.Data,
			EndOfRecord: end, IP: ip, From: from,
		}})
	}
}

// joinPiece appends the piece m of a message under partial delivery to
// the piece before it when that one still waits in Poll, and reports
// whether it did. A message is partially delivered a piece per DATA chunk
// that arrives once it has started (RFC 6458 Section 8.1.21), and each
// waiting delivery is charged ChunkOverhead: without joining, a message
// in fragments of one byte would fill the receive buffer with pieces of
// one byte while the user is not reading. Only one message of a stream is
// under partial delivery at a time, so the last delivery waiting, if it
// is a piece of m's stream that does not end its message, is m's.
func (a *Association) joinPiece(m *stream.InMessage, end bool, ip IPInfo, from netip.AddrPort) bool {
	last := a.pending.last()
	if !m.Partial || last == nil || last.Event != nil || last.Message.EndOfRecord ||
		last.Message.Stream != m.Stream || last.Message.Unordered != m.Unordered {
		return false
	}
	lm := &last.Message
	lm.Data = a.cfg.Buffers.Append(lm.Data, m.Data)
	a.reasm.Release(m.Data)
	lm.CumTSN, lm.EndOfRecord, lm.IP, lm.From = a.rcv.cum, end, ip, from
	return true
}

// maybeWindowUpdate sends a SACK when the user consumed enough to open the
// window noticeably (RFC 9260 Section 6.2: "send a window update only if
// the window can be increased by at least a quarter of the receive buffer
// size of the association", or by a full MTU after a closed window, the
// receiver-side silly window avoidance of RFC 1122 Section 4.2.3.3).
func (a *Association) maybeWindowUpdate() {
	if a.state < StateEstablished || a.state == StateShutdownAckSent {
		return
	}
	w := a.arwnd()
	if last := int(a.lastARwnd); w-last >= max(advertised(a.rcvBuf(), a.payloadEstimate())/4, a.cfg.MTU) ||
		last < a.cfg.MTU && w >= a.cfg.MTU {
		a.sackDue, a.sackNow = true, true
	}
}
