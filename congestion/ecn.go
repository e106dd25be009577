package congestion

// OnECNEcho applies the congestion response to an ECN-Echo for this
// destination (RFC 4960 Appendix A, the ECN of SCTP, over RFC 3168
// Section 6.1.2: "the TCP source halves the congestion window "cwnd" and
// reduces the slow start threshold "ssthresh""; "the TCP source SHOULD NOT
// decrease the slow-start threshold, ssthresh, if it has been decreased
// within the last round trip time"). echoed is the serial number (the TSN)
// the echo reports: the lowest of the packet that arrived with Congestion
// Experienced; highest is the highest serial number sent so far. The
// response is the one to a loss reported by SACKs (RFC 9260 Section 7.2.3:
// ssthresh = max(cwnd/2, 4*PMDCS), cwnd = ssthresh, partial_bytes_acked =
// 0), once per window of data: an echo for a serial number sent before the
// last reduction (at or below the highest of then) reports the same
// congestion and changes nothing. It reports whether it reduced.
func (s *Standard) OnECNEcho(echoed, highest uint32) bool {
	if s.ecnReduced && int32(echoed-s.ecnRecover) <= 0 {
		return false
	}
	s.ecnReduced, s.ecnRecover = true, highest
	s.ssthresh = max(s.cwnd/2, satMul(4, s.mtu))
	s.cwnd = s.ssthresh
	s.partialBytesAcked = 0
	s.idle = false
	return true
}
