package congestion

// Controller is the congestion control of one destination transport
// address: cwnd, ssthresh and partial_bytes_acked, driven by scalar events.
// The association keeps one per destination (RFC 9260 Section 7.2: "an SCTP
// sender MUST keep a set of the control variables cwnd, ssthresh, and
// partial_bytes_acked for EACH destination address of its peer"), counts
// bytes as DATA chunk lengths including padding ("When calculating one of
// these variables, the length of the DATA chunk, including the padding,
// SHOULD be used."), and applies rules A to E of RFC 9260 Section 6.1 with
// CWnd (see BurstLimit).
//
// Sizes are in bytes. "MTU" in this package is the path's PMDCS in RFC 9260
// terms (Section 1.3: "The maximum size (including the DATA chunk header)
// of a DATA chunk that fits into an SCTP packet not exceeding the PMTU").
//
// Implementations are not safe for concurrent use; the caller serialises.
type Controller interface {
	// CWnd returns the congestion window.
	CWnd() int
	// SSThresh returns the slow-start threshold.
	SSThresh() int
	// PartialBytesAcked returns partial_bytes_acked.
	PartialBytesAcked() int
	// OnAck is called once per SACK for this destination: acked is the
	// number of bytes of previously outstanding DATA newly acknowledged on
	// this destination (cumulative and gap), flightSize the bytes
	// outstanding on this destination BEFORE the SACK was processed,
	// cumAdvanced whether the SACK advanced the Cumulative TSN Ack Point,
	// inFastRecovery whether the association is in fast recovery (RFC 9260
	// Section 7.2.4). When the same SACK also starts a fast retransmit, call
	// OnAck first (RFC 9260 Section 7.2.4: "the cwnd adjustment rules
	// defined in Sections 7.2.1 and 7.2.2 MUST be applied first").
	OnAck(acked, flightSize int, cumAdvanced, inFastRecovery bool)
	// OnFastRetransmit is called when the association enters fast recovery
	// because of losses reported on this destination (RFC 9260 Sections
	// 7.2.4 and 7.2.3). It is not called again while in fast recovery.
	// flightSize is the bytes outstanding on this destination.
	OnFastRetransmit(flightSize int)
	// OnRetransmitTimeout is called when T3-rtx expires for this
	// destination (RFC 9260 Sections 6.3.3 rule E1 and 7.2.3).
	OnRetransmitTimeout()
	// OnIdle is called once per RTO during which no DATA was sent to this
	// destination (RFC 9260 Sections 7.2.1 and 7.2.2).
	OnIdle()
	// OnECNEcho is called for each ECN-Echo that reports congestion on
	// this destination: echoed is the serial number (TSN) it reports,
	// highest the highest sent so far. It reduces the window once per
	// window of data and reports whether it did.
	OnECNEcho(echoed, highest uint32) bool
	// SetMTU updates the path's PMDCS.
	SetMTU(mtu int)
}
