package fuzz

import (
	"bytes"
	"strings"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
)

// observe reads a packet that side s sends: the Cumulative TSN Ack of its
// SACK and SHUTDOWN chunks, which must never go backwards within one
// association towards the same peer tag ("the highest TSN ... received in sequence", RFC 9260 Section
// 3.3.4, can only grow within an association), the TSNs of its DATA, and
// the State Cookies and Heartbeat Infos that injected chunks reuse.
func (w *world) observe(s int, b []byte) {
	pkt, err := packet.Parse(b, packet.Options{AcceptZeroChecksum: true})
	if err != nil {
		return
	}
	it := pkt.Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		w.observePR(s, pkt.VerificationTag, c)
		switch c.Type {
		case chunk.TypeSACK:
			var sack chunk.SACK
			if _, err := sack.Parse(c.Bytes); err == nil {
				w.cumAck(s, pkt.VerificationTag, sack.CumTSNAck, "SACK")
			}
		case chunk.TypeShutdown:
			var sh chunk.Shutdown
			if _, err := sh.Parse(c.Bytes); err == nil {
				w.cumAck(s, pkt.VerificationTag, sh.CumTSNAck, "SHUTDOWN")
			}
		case chunk.TypeData:
			var d chunk.Data
			if _, err := d.Parse(c.Bytes); err == nil && (w.highTSN[s] == 0 || w.highTSN[s].LT(d.TSN)) {
				w.highTSN[s] = d.TSN
			}
		case chunk.TypeInitAck:
			var ia chunk.InitAck
			if _, err := ia.Parse(c.Bytes); err == nil {
				for _, prm := range ia.Params {
					if sc, ok := prm.(*chunk.StateCookie); ok {
						w.cookie = bytes.Clone(sc.Cookie)
					}
				}
			}
		case chunk.TypeHeartbeat:
			var hb chunk.Heartbeat
			if _, err := hb.Parse(c.Bytes); err == nil {
				w.hbInfo = bytes.Clone(hb.Info)
			}
		}
	}
}

// chunkTypes lists the chunk types of a packet, for traces.
func chunkTypes(b []byte) string {
	pkt, err := packet.Parse(b, packet.Options{AcceptZeroChecksum: true})
	if err != nil {
		return err.Error()
	}
	var ts []string
	it := pkt.Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		ts = append(ts, c.Type.String())
	}
	return strings.Join(ts, ",")
}

// cumAck checks and records a Cumulative TSN Ack that side s sent in a
// packet with tag.
func (w *world) cumAck(s int, tag chunk.VerificationTag, cum chunk.TSN, what string) {
	k := cumKey{a: w.end(s), tag: tag}
	if prev, ok := w.cum[k]; ok && cum.LT(prev) {
		w.fail("side %d sent a %s with Cumulative TSN Ack %d after %d (tag %#x)", s, what, cum, prev, uint32(tag))
	}
	if prev, ok := w.cum[k]; !ok || prev.LT(cum) {
		w.cum[k] = cum
	}
	w.lastCum[s] = cum
	w.cumNotBehindForward(s, cum, what)
}

// pendingBound is how many deliveries may wait in Poll of an end whose
// peer's Send accepted peerSent messages and which itself sent sent: the
// messages the receive buffer holds (each charged ChunkOverhead), one
// SendFailed per message sent, the 64 RemoteError events and a few more.
func (w *world) pendingBound(sent int) int {
	return w.maxRcvBuf/association.ChunkOverhead + sent + 64 + 32
}

// check checks the invariants of both ends after a step.
func (w *world) check() {
	for s := range 2 {
		a := w.end(s)
		if a == nil {
			continue
		}
		w.pr.ends[s][a] = true
		w.visited[a.State().String()] = true
		st := a.Status()
		buf, out := a.Buffered(), a.Outstanding()
		switch {
		case buf < 0 || out < 0 || st.PendData < 0 || st.Rwnd < 0 || st.UnackData < 0:
			w.fail("side %d: negative counts: buffered %d outstanding %d %+v", s, buf, out, st)
		case buf > w.maxSndBuf+64<<10:
			w.fail("side %d: %d bytes queued, send buffer %d", s, buf, w.maxSndBuf)
		case uint64(buf+out) > a.Stats().SentBytes:
			w.fail("side %d: %d bytes queued and %d outstanding, %d ever sent", s, buf, out, a.Stats().SentBytes)
		case st.PendData > w.maxRcvBuf+1<<16:
			// RFC 9260 Section 6.2: data beyond the window is dropped.
			w.fail("side %d: holds %d bytes of received data, receive buffer %d", s, st.PendData, w.maxRcvBuf)
		case a.Pending() > w.pendingBound(w.sent[s]):
			w.fail("side %d: %d deliveries wait in Poll (bound %d)", s, a.Pending(), w.pendingBound(w.sent[s]))
		}
	}
	if a, z := w.stateOf(sideA), w.stateOf(sideZ); handshaking(a) && handshaking(z) {
		w.visited["collision"] = true
	}
	for _, r := range w.rcv {
		if err := r.Err(); err != nil {
			w.fail("%v", err)
		}
	}
}

// handshaking reports whether s is COOKIE-WAIT or COOKIE-ECHOED.
func handshaking(s association.State) bool {
	return s == association.StateCookieWait || s == association.StateCookieEchoed
}

// settle releases the link and the reader and lets the ends run for up to
// 30 minutes of virtual time. Unless the run is forged, both must then be
// closed, or established with nothing left to send or unacknowledged:
// nothing the fuzzer did without a valid tag may wedge an association.
func (w *world) settle() {
	p := w.p
	w.hold = [2]bool{}
	w.releaseAll()
	if p.HoldZ {
		p.ReleaseZ()
	}
	idle := func(s int) bool {
		a := w.end(s)
		if a == nil {
			return true
		}
		switch a.State() {
		case association.StateClosed:
			return true
		case association.StateEstablished:
			// An SSN/TSN Reset Request of its own in flight, even one
			// without an event of its own (yielded), holds the peer's
			// data until its answer.
			return a.Buffered() == 0 && a.Outstanding() == 0 && !w.resetStuck(s) && !w.pr.assocResetInFlight(a)
		}
		return false
	}
	settled := p.RunUntil(30*time.Minute, func() bool {
		w.check()
		return w.err != nil || idle(sideA) && idle(sideZ)
	})
	if !settled && !w.forged && len(w.known) == 0 && w.err == nil {
		w.fail("wedged: A %v buffered %d outstanding %d waiting for %s; Z %v waiting for %s; discards %v",
			p.A.State(), p.A.Buffered(), p.A.Outstanding(), w.pr.waitsFor(w.end(sideA)), w.stateOf(sideZ),
			w.pr.waitsFor(w.end(sideZ)), p.Discards)
	}
	if settled && w.err == nil {
		w.nothingLost()
	}
}
