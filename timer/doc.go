// Package timer models SCTP's protocol timers as data, with a monotonic
// time type. Nothing here reads a clock, sleeps or starts a runtime timer:
// the owner passes now to every call and asks a Set for the next deadline,
// which the I/O edge turns into its one runtime timer.
//
// A Timer carries a name (ID), a base duration, a backoff policy (fixed or
// exponential with a cap), a restart budget and a generation counter that
// makes stale expiries detectable (Token, Timer.Valid).
//
// RFC rules modelled:
//   - RFC 9260 Section 6.3.3 rule E2 (https://www.rfc-editor.org/rfc/rfc9260#section-6.3.3):
//     "set RTO = RTO * 2 ("back off the timer"). The maximum value discussed
//     in rule C7 above ('RTO.Max') MAY be used to provide an upper bound to
//     this doubling operation." (BackoffExponential with MaxBackoff).
//   - RFC 9260 Section 4, notes 2 and 3, and Section 5.1
//     (https://www.rfc-editor.org/rfc/rfc9260#section-5.1): T1-init and
//     T1-cookie retransmissions "MUST be repeated up to
//     'Max.Init.Retransmits' times" (Timer.MaxRestarts), and "The T1-init
//     timer and T1-cookie timer SHOULD follow the same rules given in
//     Section 6.3." (exponential backoff capped at RTO.Max).
//   - The timers named by ID: RFC 9260 Sections 5.1, 6.2, 6.3, 8.3 and 9.2;
//     RFC 5061 Section 5.1 (T-4 RTO); RFC 6525 Section 5.1.1
//     (Re-configuration Timer); RFC 8899 Section 5.1.1 (PROBE_TIMER,
//     PMTU_RAISE_TIMER); RFC 6458 Section 8.1.8 (SCTP_AUTOCLOSE).
//
// A typical owner registers its timers once and drains the due ones:
//
//	for t := set.Due(now); t != nil; t = set.Due(now) {
//		fired, exhausted := t.Expire(now)
//		// dispatch on t.ID (or on which field t points to)
//	}
package timer
