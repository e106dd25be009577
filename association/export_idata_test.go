package association

import "github.com/gensctp/gensctp/chunk"

// Test-only access for the I-DATA tests.

// CumTSN returns the Cumulative TSN Ack Point of a, the receiver: the
// next DATA or I-DATA chunk it expects is CumTSN+1.
func CumTSN(a *Association) chunk.TSN { return a.rcv.cum }

// ReassemblyHeld returns the user data, chunks and records reassembly
// holds.
func ReassemblyHeld(a *Association) (bytes, chunks, records int) {
	return a.reasm.Buffered(), a.reasm.Chunks(), a.reasm.Records()
}

// Cost returns what the received data holds of a's receive buffer, its
// bookkeeping included.
func Cost(a *Association) int { return a.cost() }

// UsesIData reports whether a negotiated I-DATA, whatever its state now.
func UsesIData(a *Association) bool { return a.idata() }
