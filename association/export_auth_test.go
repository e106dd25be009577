package association

import "github.com/gensctp/gensctp/timer"

// Test-only access to what a packet from the peer changes besides its
// chunks (RFC 9260 Section 9.2), for the AUTH tests.

// T2Deadline returns when T2-shutdown expires, timer.Never if it is not
// running.
func T2Deadline(a *Association) timer.Time { return a.t2.Deadline() }

// ErrorCount returns the association's error counter (RFC 9260 Section
// 8.1).
func ErrorCount(a *Association) int { return a.errorCount }
