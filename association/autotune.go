package association

import (
	"math"
	"time"

	"github.com/gensctp/gensctp/congestion"
	"github.com/gensctp/gensctp/timer"
)

// Receive-buffer autotuning, a gensctp addition modelled on Linux TCP's
// receive-buffer moderation (tcp_rcv_space_adjust, tcp_rcv_rtt_measure):
// the receive buffer that backs a_rwnd starts at Config.ReceiveBuffer and
// grows, once per round trip, to twice what the user read in the last
// round trip and more while that grows, up to Config.ReceiveBufferMax, so
// that the window follows the bandwidth-delay product of the path the
// user can keep up with. It never shrinks by itself (the user's
// Reconfigure may), and never exceeds the cap: what the receiver holds
// stays within the buffer (roomFor), as with a fixed one. RFC 9260 leaves
// the size of the receive buffer to the implementation (Section 6.2: the
// a_rwnd reflects "the updated receiver buffer space").

// tuneInitialSpaceSegments is the data one round trip is assumed to read
// before the first measurement, in full-size DATA chunks: Linux's initial
// rcvq_space (TCP_INIT_CWND segments).
const tuneInitialSpaceSegments = 10

// rcvTune is the state of receive-buffer autotuning, allocated with the
// first DATA chunk received when Config.ReceiveBufferMax allows growth.
type rcvTune struct {
	buf int // the receive buffer in use, Config.ReceiveBuffer up to ReceiveBufferMax
	// space is what the user read in the last round trip measured that
	// grew the buffer (Linux rcvq_space.space).
	space int
	// read counts the bytes of messages polled; readMark is read when
	// the measurement began, at markAt.
	read, readMark uint64
	markAt         timer.Time
	// rtt is the receiver's estimate of the round trip: the shortest time
	// it took to receive a window's worth of data (Linux's estimate
	// without timestamps), or the path's SRTT when shorter; 0 before the
	// first sample. The sample under way began at rttAt and ends once the
	// user data received (received) reaches rttEnd.
	rtt    time.Duration
	rttEnd uint64
	rttAt  timer.Time
}

// autotunes reports whether cfg lets the receive buffer grow.
func autotunes(cfg *Config) bool { return cfg.ReceiveBufferMax > cfg.ReceiveBuffer }

// rcvBuf returns the receive buffer in use.
func (a *Association) rcvBuf() int {
	if a.tune != nil {
		return a.tune.buf
	}
	return a.cfg.ReceiveBuffer
}

// tuneReceived runs the measurements of autotuning after a DATA chunk
// was accepted at now: the round trip sample and, once per round trip,
// the growth of the buffer.
func (a *Association) tuneReceived(now timer.Time) {
	if a.tune == nil {
		if !autotunes(a.cfg) {
			return
		}
		a.tune = &rcvTune{buf: a.cfg.ReceiveBuffer, space: tuneInitialSpaceSegments * fullPayload(a.cfg.MTU),
			markAt: now}
	}
	a.tuneRTT(now)
	a.tuneAdjust(now)
}

// tuneRTT takes a round trip sample when a window's worth of data,
// counted from the start of the sample, has arrived: a sender that keeps
// the window full sends it in one round trip, one that sends less takes
// longer, so the shortest sample is kept (Linux tcp_rcv_rtt_measure).
func (a *Association) tuneRTT(now timer.Time) {
	t := a.tune
	received := a.received()
	if t.rttAt != 0 && received < t.rttEnd {
		return
	}
	if t.rttAt != 0 {
		if s := now.Sub(t.rttAt); s > 0 && (t.rtt == 0 || s < t.rtt) {
			t.rtt = s
		}
	}
	if p := a.primary; p != nil && p.rto.Measured() && (t.rtt == 0 || p.rto.SRTT() < t.rtt) {
		t.rtt = p.rto.SRTT()
	}
	t.rttAt, t.rttEnd = now, received+uint64(max(int(a.lastARwnd), 1))
}

// received returns the user data received so far: delivered, and held in
// reassembly.
func (a *Association) received() uint64 {
	return a.stats.ReceivedBytes + uint64(a.reasm.Buffered())
}

// tuneAdjust grows the buffer once per round trip in which the user read
// more than in the last one that grew it (Linux tcp_rcv_space_adjust):
// to what advertises a window of twice the data read and 16 full-size
// chunks, plus twice the growth of the rate, so that a sender in slow
// start is not held back, up to ReceiveBufferMax.
func (a *Association) tuneAdjust(now timer.Time) {
	t := a.tune
	if t.rtt <= 0 || now.Sub(t.markAt) < t.rtt {
		return
	}
	copied := int(t.read - t.readMark)
	t.readMark, t.markAt = t.read, now
	if copied <= t.space {
		return
	}
	win := int64(2*copied + 16*fullPayload(a.cfg.MTU))
	win += 2 * win * int64(copied-t.space) / int64(t.space)
	t.space = copied
	// The buffer that advertises win in chunks of the size arriving (the
	// inverse of advertised).
	avg := int64(a.payloadEstimate())
	buf := min(win*(avg+ChunkOverhead)/avg, int64(a.cfg.ReceiveBufferMax))
	if int(buf) > t.buf {
		t.buf = int(buf)
	}
}

// tuneRead notes n bytes of a message polled by the user.
func (a *Association) tuneRead(n int) {
	if a.tune != nil {
		a.tune.read += uint64(n)
	}
}

// retune applies a new configuration to the buffer in use: within the
// new ReceiveBuffer and ReceiveBufferMax, and the new ReceiveBuffer when
// that changed (set by the user, as Linux's SO_RCVBUF sets it).
func (a *Association) retune(old *Config) {
	t := a.tune
	if t == nil {
		return
	}
	if a.cfg.ReceiveBuffer != old.ReceiveBuffer || !autotunes(a.cfg) {
		t.buf = a.cfg.ReceiveBuffer
	}
	t.buf = min(max(t.buf, a.cfg.ReceiveBuffer), max(a.cfg.ReceiveBufferMax, a.cfg.ReceiveBuffer))
}

// sendBuffer returns the send buffer in use: Config.SendBuffer, or the
// largest congestion window of the primary path seen when autotuning is
// on and that is larger (growSendBuffer), at most Config.SendBufferMax.
func (a *Association) sendBuffer() int {
	b := a.cfg.SendBuffer
	if a.cfg.SendBufferMax > b {
		b = max(b, min(int(a.sndGrown), a.cfg.SendBufferMax))
	}
	return b
}

// growSendBuffer grows the send buffer with the congestion window of the
// primary path, after a SACK, and never shrinks it, as Linux's send
// buffer moderation (tcp_sndbuf_expand) grows sk_sndbuf: a buffer that
// followed cwnd down on a loss or a change of primary path held less
// than the user had queued, so that Send blocked until the queue drained
// to the smaller buffer, and a message of the priority policy abandoned
// the queued messages of lower priority to fit in it (RFC 7496 Section
// 3.2), messages accepted within the buffer a moment before.
func (a *Association) growSendBuffer() {
	if a.cfg.SendBufferMax > a.cfg.SendBuffer && a.primary != nil {
		a.sndGrown = max(a.sndGrown, uint32(min(a.primary.cc.CWnd(), a.cfg.SendBufferMax, math.MaxUint32)))
	}
}

// initialSSThresh is the initial ssthresh of a path, whatever the peer
// advertised in its INIT or INIT ACK: "arbitrarily high (e.g., the
// size of the largest-possible advertised window)" (RFC 9260 Section
// 7.2.1), not the initial window, which a receiver that autotunes its
// buffer (gensctp, Linux) grows as the transfer goes: set to it, slow
// start ended at the peer's initial buffer and cwnd then grew by one
// PMDCS per round trip (an hour to fill 1 Gbit/s at 100 ms). The peer's
// window still bounds what is in flight (Section 6.1 rule A), and slow
// start grows cwnd only while it is fully used (Section 7.2.1).
const initialSSThresh = congestion.MaxWindow
