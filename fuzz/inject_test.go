package fuzz

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
)

// appendChunks appends cs to b.
func appendChunks(b []byte, cs ...chunk.Chunk) []byte {
	for _, c := range cs {
		b = c.Append(b)
	}
	return b
}

// probe is the message each side sends after the injection.
var probe = []byte("probe after the injection")

// FuzzInjectChunks injects a packet of arbitrary chunks, carrying the
// receiver's verification tag and a valid CRC32c so that it passes the
// checks of RFC 9260 Section 8.5 and reaches the association, into one end
// of a running transfer, at a chosen moment. Whatever the chunks say
// (forged SACKs, DATA, SHUTDOWN, ABORT, INIT, unknown types with any action
// bits, garbage lengths), the association must:
//
//   - not panic;
//   - hold at most its receive buffer plus one MTU of received data
//     (RFC 9260 Section 6.2: data beyond the window is dropped);
//   - not wedge: within ten minutes of virtual time, each end either
//     receives the other's probe message, sent after the injection, or is
//     closed with an assoc change event (an injected ABORT, or a protocol
//     violation that the association answers by aborting).
//
// With sel bit 3 set, the New Cumulative TSN of the FORWARD TSN chunks
// injected is taken relative to the receiver's cumulative TSN (as its last
// delivered message reported it): within 56 TSNs ahead of it or 8
// behind, so that the FORWARD TSNs skip data of the live transfer
// (PR-SCTP is negotiated: RFC 3758 Section 3.6). Such a FORWARD TSN may
// skip TSNs its sender has yet to use, the probe's among them, as a
// forged DATA chunk may take them: a probe acknowledged and not delivered
// is sent again (at most 64 times), and one of them must arrive.
//
// With sel bit 4 set, the RE-CONFIG chunks injected are made relative to
// the receiver (see relativeReconfig): requests it performs, answers to
// its own request; the probes go unordered, since a forged reset of
// their stream leaves the receiver expecting SSN 0. With sel bit 5 set,
// the receiver resets its stream 3 before the injection, and that reset
// must complete with its event, whatever was injected (no stream stuck
// resetting).
//
// With sel bit 6 set, both ends negotiate I-DATA (RFC 8260): the
// injected DATA and FORWARD TSN chunks are then protocol violations, and
// I-DATA and I-FORWARD-TSN chunks go to reassembly.
func FuzzInjectChunks(f *testing.F) {
	f.Add(uint8(0), uint8(0), appendChunks(nil, &chunk.SACK{CumTSNAck: 5, ARwnd: 0}))
	f.Add(uint8(1), uint8(3), appendChunks(nil, &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd,
		TSN: 1000, StreamID: 1, UserData: []byte("forged")}))
	f.Add(uint8(2), uint8(1), appendChunks(nil, &chunk.Shutdown{CumTSNAck: 3}))
	f.Add(uint8(3), uint8(2), appendChunks(nil, &chunk.Abort{}))
	f.Add(uint8(0), uint8(5), appendChunks(nil, &chunk.Heartbeat{Info: []byte{1, 2, 3, 4}},
		&chunk.SACK{CumTSNAck: 1, ARwnd: 1 << 20, GapBlocks: []chunk.GapBlock{{Start: 2, End: 9}}}))
	f.Add(uint8(1), uint8(0), []byte{0xbf, 0, 0, 8, 1, 2, 3, 4})
	f.Add(uint8(2), uint8(4), appendChunks(nil, &chunk.ForwardTSN{NewCumTSN: 100}))
	f.Add(uint8(8), uint8(6), appendChunks(nil, &chunk.ForwardTSN{NewCumTSN: 3,
		Streams: []chunk.ForwardTSNStream{{StreamID: 1, SSN: 2}, {StreamID: 2, SSN: 0}}}))
	f.Add(uint8(10), uint8(9), appendChunks(nil, &chunk.ForwardTSN{NewCumTSN: 1},
		&chunk.Data{Flags: chunk.FlagBeginning, TSN: 9, StreamID: 3, UserData: []byte("x")}))
	// RE-CONFIG (RFC 6525): requests with sequence numbers the receiver
	// does not expect, answers to requests never sent, a combination RFC
	// 6525 Section 3.1 does not allow, and a parameter with a bad Length.
	f.Add(uint8(2), uint8(4), appendChunks(nil, &chunk.ReConfig{Params: []chunk.Param{
		&chunk.OutgoingSSNResetRequest{ReqSeq: 1, SenderLastTSN: 5, Streams: []chunk.StreamID{0, 1}}}}))
	f.Add(uint8(1), uint8(2), appendChunks(nil, &chunk.ReConfig{Params: []chunk.Param{
		&chunk.ReconfigResponse{RespSeq: 7, Result: chunk.ReconfigSuccessPerformed},
		&chunk.OutgoingSSNResetRequest{ReqSeq: 2}}}))
	f.Add(uint8(0), uint8(7), appendChunks(nil, &chunk.ReConfig{Params: []chunk.Param{
		&chunk.AddOutgoingStreams{ReqSeq: 3, NumNewStreams: 0xffff},
		&chunk.AddIncomingStreams{ReqSeq: 4, NumNewStreams: 1}}}))
	f.Add(uint8(2), uint8(1), appendChunks(nil, &chunk.ReConfig{Params: []chunk.Param{
		&chunk.SSNTSNResetRequest{ReqSeq: 1}, &chunk.IncomingSSNResetRequest{ReqSeq: 2}}}))
	f.Add(uint8(3), uint8(8), []byte{130, 0, 0, 24, 0, 13, 0, 17, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0})
	// The same made relative to the receiver (sel bit 4), which resets a
	// stream of its own (bit 5): a reset performed or deferred, answers
	// to the receiver's request, an SSN/TSN reset and an added stream.
	f.Add(uint8(48), uint8(4), appendChunks(nil, &chunk.ReConfig{Params: []chunk.Param{
		&chunk.OutgoingSSNResetRequest{SenderLastTSN: 8, Streams: []chunk.StreamID{0, 1}}}}))
	f.Add(uint8(49), uint8(2), appendChunks(nil, &chunk.ReConfig{Params: []chunk.Param{
		&chunk.ReconfigResponse{Result: chunk.ReconfigInProgress},
		&chunk.OutgoingSSNResetRequest{SenderLastTSN: 40}}}))
	f.Add(uint8(50), uint8(6), appendChunks(nil, &chunk.ReConfig{Params: []chunk.Param{
		&chunk.ReconfigResponse{Result: chunk.ReconfigDenied}}}))
	f.Add(uint8(17), uint8(1), appendChunks(nil, &chunk.ReConfig{Params: []chunk.Param{
		&chunk.AddOutgoingStreams{NumNewStreams: 2}, &chunk.AddIncomingStreams{ReqSeq: 1, NumNewStreams: 1}}},
		&chunk.ReConfig{Params: []chunk.Param{&chunk.SSNTSNResetRequest{ReqSeq: 2}}}))
	// I-DATA (sel bit 6): fragments of messages interleaved and
	// contradicting each other, a forged I-FORWARD-TSN, and DATA where
	// I-DATA was negotiated.
	f.Add(uint8(64), uint8(3), appendChunks(nil,
		&chunk.IData{Flags: chunk.FlagBeginning, TSN: 1000, StreamID: 1, MID: 0, UserData: []byte("a")},
		&chunk.IData{TSN: 1001, StreamID: 1, MID: 0, FSN: 2, UserData: []byte("c")},
		&chunk.IData{Flags: chunk.FlagEnd, TSN: 1002, StreamID: 1, MID: 0, FSN: 1, UserData: []byte("b")}))
	f.Add(uint8(64+8), uint8(5), appendChunks(nil, &chunk.IForwardTSN{NewCumTSN: 3,
		Streams: []chunk.IForwardTSNStream{{StreamID: 0, MID: 2}, {StreamID: 1, Flags: chunk.IForwardTSNUnordered, MID: 9}}}))
	f.Add(uint8(64+1), uint8(2), appendChunks(nil, &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd,
		TSN: 1000, StreamID: 1, UserData: []byte("forged")}))
	f.Fuzz(func(t *testing.T, sel, when uint8, chunks []byte) {
		if len(chunks) > 4096 {
			return
		}
		cfgA, cfgZ := fuzzConfig(11, 5000, 5001), fuzzConfig(12, 5001, 5000)
		cfgA.Interleaving, cfgZ.Interleaving = sel&64 != 0, sel&64 != 0 // I-DATA (RFC 8260)
		p, err := associationtest.NewPair(7, cfgA, cfgZ, sim.LinkConfig{Delay: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Handshake(); err != nil {
			t.Fatal(err)
		}
		gotZ, gotA, endZ, endA := false, false, false, false
		resetZ, resetA := false, false // the end's own reset completed (sel bit 5)
		inits := initialTSNs(p)
		var cumZ, cumA chunk.TSN // the cumulative TSN each end last reported
		p.OnDeliver = func(toZ bool, d association.Delivery) {
			if d.Event == nil && toZ {
				cumZ = d.Message.CumTSN
			} else if d.Event == nil {
				cumA = d.Message.CumTSN
			}
			if ac, ok := d.Event.(*association.AssocChange); ok && ac.State != association.CommUp {
				if toZ {
					endZ = true
				} else {
					endA = true
				}
			}
			if ev, ok := d.Event.(*association.StreamResetEvent); ok && ev.Flags&association.StreamResetOutgoing != 0 {
				resetZ, resetA = resetZ || toZ, resetA || !toZ
			}
			if d.Event == nil && string(d.Message.Data) == string(probe) {
				if toZ {
					gotZ = true
				} else {
					gotA = true
				}
			}
		}
		p.HoldZ = sel&4 != 0 // Z's user does not read for a while
		// A transfer in both directions is under way when the packet
		// comes in.
		for i := 0; i < 8; i++ {
			msg := make([]byte, 4+i*1500)
			binary.BigEndian.PutUint32(msg, uint32(i))
			_ = p.A.Send(p.Now, association.SendInfo{Stream: chunk.StreamID(i % 4)}, msg)
			_ = p.Z.Send(p.Now, association.SendInfo{Stream: chunk.StreamID(i % 3), Unordered: i%2 == 1}, msg[:4+i*100])
		}
		p.Exchange()
		p.RunUntil(time.Duration(when%16)*3*time.Millisecond, func() bool { return false })

		// The packet: from A to Z (sel bit 0 clear) or Z to A.
		toZ := sel&1 == 0
		from, to, rcv := p.AddrA, p.AddrZ, p.Z
		h := packet.Header{SrcPort: cfgA.LocalPort, DstPort: cfgZ.LocalPort}
		if !toZ {
			from, to, rcv = p.AddrZ, p.AddrA, p.A
			h.SrcPort, h.DstPort = h.DstPort, h.SrcPort
		}
		h.VerificationTag, _ = rcv.Tags()
		peerInit, ownInit, rcvCum, rcvReset := inits[0], inits[1], cumZ, &resetZ
		if !toZ {
			peerInit, ownInit, rcvCum, rcvReset = inits[1], inits[0], cumA, &resetA
		}
		if sel&32 != 0 && rcv.ResetStreams(p.Now, []chunk.StreamID{3}) != nil {
			*rcvReset = true // no reset to wait for
		}
		b := make([]byte, 12, 12+len(chunks))
		binary.BigEndian.PutUint16(b[0:], h.SrcPort)
		binary.BigEndian.PutUint16(b[2:], h.DstPort)
		binary.BigEndian.PutUint32(b[4:], uint32(h.VerificationTag))
		b = append(b, chunks...)
		if sel&8 != 0 {
			cum := cumZ
			if !toZ {
				cum = cumA
			}
			relativeForwardTSN(b, cum-8)
		}
		if sel&16 != 0 {
			relativeReconfig(b, peerInit, ownInit, rcvCum)
		}
		packet.SetChecksum(b)
		if sel&2 != 0 {
			// Straight into the association, as if it came in now.
			_ = rcv.HandleDatagram(&association.Datagram{Now: p.Now, From: from, Data: b})
		} else {
			p.Net.Send(p.Now, from, to, b)
		}

		bound := func(a *association.Association, cfg association.Config) {
			if held := a.Status().PendData; held > cfg.ReceiveBuffer+cfg.MTU {
				t.Fatalf("holds %d bytes of received data, receive buffer %d", held, cfg.ReceiveBuffer)
			}
		}
		closed := func(a *association.Association) bool { return a.State() == association.StateClosed }
		sentA, sentZ := false, false
		// A forged RE-CONFIG may reset the probe's stream: unordered, the
		// probe does not wait for the SSN the receiver then expects.
		probeInfo := association.SendInfo{Stream: 0, Unordered: sel&16 != 0}
		resends := 0
		// again sends the probe of a again when its last one was
		// acknowledged without being delivered (skipped by a FORWARD
		// TSN injected relative to the receiver's TSNs).
		again := func(a *association.Association, sent, got bool) {
			if sel&8 != 0 && sent && !got && resends < 64 && a.State() == association.StateEstablished &&
				a.Buffered() == 0 && a.Status().UnackData == 0 {
				resends++
				_ = a.Send(p.Now, probeInfo, probe)
			}
		}
		limit := p.Now.Add(10 * time.Minute)
		release := p.Now.Add(2 * time.Second)
		for {
			p.Exchange()
			bound(p.A, p.A.Config())
			bound(p.Z, p.Z.Config())
			if p.HoldZ && p.Now >= release {
				p.ReleaseZ()
			}
			if !sentA && !closed(p.A) && p.A.Send(p.Now, probeInfo, probe) == nil {
				sentA = true
			}
			if !sentZ && !closed(p.Z) && p.Z.Send(p.Now, probeInfo, probe) == nil {
				sentZ = true
			}
			again(p.A, sentA, gotZ)
			again(p.Z, sentZ, gotA)
			anyClosed := closed(p.A) || closed(p.Z)
			if (gotZ && gotA || anyClosed) && !p.HoldZ && (sel&32 == 0 || *rcvReset || closed(rcv)) {
				break
			}
			if !p.Advance(limit) {
				if p.HoldZ {
					p.Now = release
					continue
				}
				t.Fatalf("wedged at %v: probe to Z %v, to A %v, reset done %v; A %v %+v; Z %v %+v; discards %v",
					p.Now, gotZ, gotA, *rcvReset, p.A.State(), p.A.Status(), p.Z.State(), p.Z.Status(), p.Discards)
			}
		}
		// An end that closed says so with an assoc change event.
		if closed(p.A) && !endA {
			t.Fatalf("A closed without an assoc change event")
		}
		if closed(p.Z) && !endZ {
			t.Fatalf("Z closed without an assoc change event")
		}
	})
}

// relativeForwardTSN makes the New Cumulative TSN of every FORWARD TSN
// chunk of the packet b cum plus its value modulo 64, walking the chunks the way a receiver does
// (RFC 9260 Section 3.2).
func relativeForwardTSN(b []byte, cum chunk.TSN) {
	for off := 12; off+4 <= len(b); {
		l := int(binary.BigEndian.Uint16(b[off+2:]))
		if l < 4 {
			return
		}
		if chunk.Type(b[off]) == chunk.TypeForwardTSN && l >= 8 && off+8 <= len(b) {
			v := binary.BigEndian.Uint32(b[off+4:]) % 64
			binary.BigEndian.PutUint32(b[off+4:], v+uint32(cum))
		}
		off += (l + 3) &^ 3
	}
}
