// Package congestion holds the per-destination algorithms of SCTP's
// transmission control that need no wire knowledge: the retransmission
// timeout estimator and congestion control. Scalars go in (RTT samples,
// bytes acknowledged, bytes in flight, loss and timeout events), decisions
// come out (RTO, cwnd, how many bytes may be sent now). It imports the
// standard library only, reads no clock and keeps no global state.
//
// Implemented:
//   - RFC 9260 Section 6.3.1 (https://www.rfc-editor.org/rfc/rfc9260#section-6.3.1):
//     RTO calculation, rules C1–C3, C6, C7 and G1 (RTOEstimator). Rules C4
//     and C5 (one sample per round trip, Karn's algorithm) are the
//     caller's.
//   - RFC 9260 Section 6.3.3 rule E2 (https://www.rfc-editor.org/rfc/rfc9260#section-6.3.3):
//     RTO backoff capped at RTO.Max (RTOEstimator.Backoff), and rule E1
//     (Standard.OnRetransmitTimeout).
//   - RFC 9260 Section 6.1 rules B and D (https://www.rfc-editor.org/rfc/rfc9260#section-6.1):
//     the cwnd overbooking and Max.Burst limits (BurstLimit).
//   - RFC 9260 Sections 7.2.1–7.2.3 (https://www.rfc-editor.org/rfc/rfc9260#section-7.2):
//     initial cwnd and ssthresh, slow start, congestion avoidance with
//     partial_bytes_acked, idle decay, and the reductions on loss (Standard).
//     The fast retransmit bookkeeping of Section 7.2.4 (miss indications,
//     the fast recovery exit point) belongs to the association, which tells
//     the controller when fast recovery starts and whether it is in it.
//   - RFC 9260 Section 16 (https://www.rfc-editor.org/rfc/rfc9260#section-16):
//     RTO.Initial, RTO.Min, RTO.Max, RTO.Alpha, RTO.Beta and Max.Burst.
//
// All sizes are bytes of DATA chunks including their padding; "mtu" is the
// path's PMDCS.
package congestion
