package association

import (
	"encoding/binary"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
)

// probeInfoLen is the size of the Heartbeat Information of a PLPMTUD
// probe: that of a heartbeat (path index, nonce, send time) and the probe
// size (RFC 8899 Section 6.2.1.2: "The HEARTBEAT chunk could carry a
// Heartbeat Information parameter that includes ... the probe size to
// help an implementation associate a HEARTBEAT ACK with the size of probe
// that was sent"). Its length tells a probe's HEARTBEAT ACK from a
// heartbeat's.
const probeInfoLen = heartbeatInfoLen + 4

// minProbe is the smallest probe: common header, HEARTBEAT with its
// information, PAD header.
const minProbe = packet.HeaderLen + 4 + 4 + probeInfoLen + 4

// appendProbe builds in buf the first PLPMTUD probe due, if any (RFC 8899
// Section 6.2.1.2: "Probe packets consist of an SCTP common header
// followed by a HEARTBEAT chunk and a PAD chunk. The PAD chunk is used to
// control the length of the probe packet"), and starts its PROBE_TIMER.
// Probes go alone, outside the congestion window and Max.Burst (Section
// 6.2: "probing without affecting the transfer of user messages and
// without being limited by congestion control or flow control"); a path
// has at most one outstanding.
func (a *Association) appendProbe(now timer.Time, buf []byte) (Outgoing, bool) {
	a.probeDue = false
	if !a.canProbe() || a.peerTag == 0 {
		return Outgoing{}, false
	}
	for i, p := range a.paths {
		pl := p.pl
		if pl == nil || !pl.due {
			continue
		}
		pl.due = false
		for _, q := range a.paths[i+1:] {
			a.probeDue = a.probeDue || q.pl != nil && q.pl.due
		}
		return a.buildProbe(now, p, i, buf), true
	}
	return Outgoing{}, false
}

// buildProbe builds the probe of p, the path of index i, in buf.
func (a *Association) buildProbe(now timer.Time, p *path, i int, buf []byte) Outgoing {
	pl := p.pl
	pl.nonce = a.rnd.Uint64()
	pl.outstanding = true
	info := make([]byte, probeInfoLen)
	binary.BigEndian.PutUint32(info, uint32(i))
	binary.BigEndian.PutUint64(info[4:], pl.nonce)
	binary.BigEndian.PutUint64(info[12:], uint64(now))
	binary.BigEndian.PutUint32(info[20:], uint32(pl.probed))
	hb := chunk.Heartbeat{Info: info}
	size := max(pl.probed, minProbe)
	var b packet.Builder
	b.ZeroChecksum = a.sendsZeroChecksum()
	b.Reset(buf, packet.Header{SrcPort: a.localPort, DstPort: a.peerPort,
		VerificationTag: a.peerTag}, size)
	b.Auth = a.authSigner()
	b.Add(&hb)
	// "The length of the PAD chunk is computed by reducing the probing
	// size by the size of the SCTP common header and the HEARTBEAT chunk"
	// (and the AUTH chunk the peer may ask for, RFC 4895 Section 6.2).
	pad := chunk.Pad{Padding: make([]byte, max(b.RemainingFor(chunk.TypePad)-4, 0))}
	b.Add(&pad)
	pl.t.ID = timer.PMTUProbe
	pl.t.Start(now, a.probeTimeout(p))
	a.details().PMTUProbesSent++
	return Outgoing{To: p.remote, From: p.local, Data: b.Finish()}
}

// handleProbeAck handles the HEARTBEAT ACK of a probe: the size probed
// passed (RFC 8899 Section 6.2.1.2: "The reception of the HEARTBEAT ACK
// chunk acknowledges reception of a successful probe. A successful probe
// updates the association and path counters"). An answer to a probe no
// longer outstanding (a stale nonce or size) is discarded.
func (a *Association) handleProbeAck(now timer.Time, c *chunk.HeartbeatAck) error {
	p := a.probePath(c.Info)
	if p == nil || int(binary.BigEndian.Uint32(c.Info[20:])) != p.pl.probed {
		return discard("stale probe nonce", chunk.TypeHeartbeatAck, nil)
	}
	pl := p.pl
	pl.outstanding = false
	pl.t.Stop()
	sent := timer.Time(binary.BigEndian.Uint64(c.Info[12:]))
	p.measure(now.Sub(sent))
	p.errorCount = 0
	if a.out.len() == 0 {
		a.errorCount = 0 // as a heartbeat's (handleHeartbeatAck)
	}
	if p.state == PathPotentiallyFailed {
		a.setPathState(p, PathActive, 0)
	}
	a.details().PMTUProbesAcked++
	a.pmtudAcked(now, p)
	return nil
}

// probePath returns the path whose outstanding probe carried the
// Heartbeat Information info (path index, nonce), or nil: the path of
// that index, or, since a path the peer deleted (RFC 5061 Section 5.3
// F13) moves those after it down, the one whose probe has that nonce.
func (a *Association) probePath(info []byte) *path {
	i, nonce := binary.BigEndian.Uint32(info), binary.BigEndian.Uint64(info[4:])
	probing := func(p *path) bool { return p.pl != nil && p.pl.outstanding && p.pl.nonce == nonce }
	if i < uint32(len(a.paths)) && probing(a.paths[i]) {
		return a.paths[i]
	}
	for _, p := range a.paths {
		if probing(p) {
			return p
		}
	}
	return nil
}

// probeTimeout is the PROBE_TIMER of p.
func (a *Association) probeTimeout(p *path) time.Duration {
	return max(a.cfg.PMTUD.ProbeTimer, p.rto.RTO())
}
