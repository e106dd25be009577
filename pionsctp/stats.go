package sctp

import "github.com/gensctp/gensctp/api"

// BytesSent returns the user data bytes handed to the association's
// socket.
func (a *Association) BytesSent() uint64 { return a.sent.Load() }

// BytesReceived returns the user data bytes received.
func (a *Association) BytesReceived() uint64 { return a.recv.Load() }

// primary returns the primary path's figures, zero once the association
// ended.
func (a *Association) primary() api.PathStats {
	st, err := a.sock.AssocStats(a.id)
	if err != nil || len(st.Paths) == 0 {
		return api.PathStats{}
	}
	return st.Paths[0]
}

// SRTT returns the smoothed round-trip time in milliseconds (RFC 9260
// Section 6.3.1), 0 before the first measurement.
func (a *Association) SRTT() float64 {
	return float64(a.primary().SRTT.Nanoseconds()) / 1e6
}

// CWND returns the congestion window in bytes.
func (a *Association) CWND() uint32 { return uint32(max(a.primary().Cwnd, 0)) }

// RWND returns the peer's receive window in bytes.
func (a *Association) RWND() uint32 {
	st, err := a.sock.Status(a.id)
	if err != nil {
		return 0
	}
	return st.Rwnd
}

// MTU returns the largest SCTP packet the association sends.
func (a *Association) MTU() uint32 {
	st, err := a.sock.Status(a.id)
	if err != nil {
		return 0
	}
	return st.Primary.Mtu
}

// MaxMessageSize returns the largest message a write accepts.
func (a *Association) MaxMessageSize() uint32 { return a.maxMsg.Load() }

// SetMaxMessageSize sets the largest message a write accepts
// (pion/webrtc sets the peer's SDP max-message-size).
func (a *Association) SetMaxMessageSize(n uint32) {
	a.maxMsg.Store(n)
	if err := a.sock.SetOpts(api.MaxMessageSize(socketMaxMessage(n))); err != nil {
		a.log.Debugf("[%s] max message size %d: %v", a.cfg.Name, n, err)
	}
}

// BufferedAmount returns the bytes written on all streams and not yet
// taken by the association's socket.
func (a *Association) BufferedAmount() int { return int(a.queuedOut.Load()) }

// Metadata returns what the association negotiated; ok is false once it
// ended. gensctp uses DATA and FORWARD TSN (I-DATA is not in use yet).
func (a *Association) Metadata() (AssociationMetadata, bool) {
	st, err := a.sock.AssocStats(a.id)
	if err != nil || a.isEnded() {
		return AssociationMetadata{}, false
	}
	// Receiving: we offered it, so we accept packets without a CRC32c
	// (RFC 9653 Section 5.2); sending: both ends did.
	return AssociationMetadata{PartialReliabilityMode: PartialReliabilityModeForwardTSN,
		ZeroChecksumSendingEnabled: st.ZeroChecksum, ZeroChecksumReceivingEnabled: a.cfg.EnableZeroChecksum}, true
}
