package timer

import "strconv"

// ID names a protocol timer. It is only a label: per-path timers (T3Rtx,
// Heartbeat, PMTUProbe, …) are separate Timer values owned by each path,
// all carrying the same ID.
type ID uint8

// The protocol timers of RFC 9260 and its extensions.
const (
	// Unnamed is the ID of a zero-value Timer that was never named.
	Unnamed ID = iota
	// T1Init guards an INIT chunk (RFC 9260 Section 5.1).
	T1Init
	// T1Cookie guards a COOKIE ECHO chunk (RFC 9260 Section 5.1).
	T1Cookie
	// T2Shutdown guards SHUTDOWN and SHUTDOWN ACK chunks (RFC 9260
	// Section 9.2).
	T2Shutdown
	// T3Rtx is the per-destination retransmission timer (RFC 9260
	// Section 6.3).
	T3Rtx
	// T4Reconfig is the Re-configuration Timer of RFC 6525 Section 5.1.1.
	T4Reconfig
	// T5ShutdownGuard bounds the whole shutdown procedure (RFC 9260
	// Section 9.2).
	T5ShutdownGuard
	// Heartbeat is the per-destination HEARTBEAT timer (RFC 9260
	// Section 8.3).
	Heartbeat
	// DelayedSACK is the delayed acknowledgement timer, SACK.Delay (RFC
	// 9260 Section 6.2).
	DelayedSACK
	// Autoclose closes an idle association (RFC 6458 Section 8.1.8,
	// SCTP_AUTOCLOSE).
	Autoclose
	// ASCONF is the T-4 RTO timer guarding an ASCONF chunk (RFC 5061
	// Section 5.1).
	ASCONF
	// PMTUProbe is the PROBE_TIMER of RFC 8899 Section 5.1.1.
	PMTUProbe
	// PMTURaise is the PMTU_RAISE_TIMER of RFC 8899 Section 5.1.1.
	PMTURaise
	// Lifetime abandons the queued messages whose lifetime ended (RFC
	// 9260 Section 10.1, RFC 3758 Section 4.1).
	Lifetime
)

var idNames = [...]string{
	Unnamed:         "unnamed",
	T1Init:          "T1-init",
	T1Cookie:        "T1-cookie",
	T2Shutdown:      "T2-shutdown",
	T3Rtx:           "T3-rtx",
	T4Reconfig:      "T4-reconfig",
	T5ShutdownGuard: "T5-shutdown-guard",
	Heartbeat:       "heartbeat",
	DelayedSACK:     "delayed-SACK",
	Autoclose:       "autoclose",
	ASCONF:          "ASCONF",
	PMTUProbe:       "PMTU-probe",
	PMTURaise:       "PMTU-raise",
	Lifetime:        "lifetime",
}

// String returns the RFC name of the timer, or "ID(n)" for a value without a
// name.
func (id ID) String() string {
	if int(id) < len(idNames) {
		return idNames[id]
	}
	return "ID(" + strconv.Itoa(int(id)) + ")"
}

// Backoff selects how a Timer's duration grows across automatic restarts.
type Backoff uint8

const (
	// BackoffFixed restarts the timer with its base duration every time.
	BackoffFixed Backoff = iota
	// BackoffExponential doubles the duration on every expiry since the last
	// Start: base * 2^expirations, capped at Timer.MaxBackoff (RFC 9260
	// Section 6.3.3 rule E2).
	BackoffExponential
)

// String returns "fixed", "exponential" or "Backoff(n)".
func (b Backoff) String() string {
	switch b {
	case BackoffFixed:
		return "fixed"
	case BackoffExponential:
		return "exponential"
	}
	return "Backoff(" + strconv.Itoa(int(b)) + ")"
}
