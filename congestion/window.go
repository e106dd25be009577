package congestion

// MaxWindow is the largest cwnd, ssthresh or flight size this package
// computes with (1 GiB); larger inputs saturate at it. It keeps all
// arithmetic free of overflow even where int has 32 bits, and is far above
// anything a 32-bit advertised receiver window and 2^31 TSNs allow in
// flight in practice.
const MaxWindow = 1 << 30

const maxWindow = MaxWindow

// clampWindow limits a size to [0, MaxWindow].
func clampWindow(n int) int { return min(max(n, 0), maxWindow) }

// clampMTU limits a PMDCS to [1, MaxWindow].
func clampMTU(n int) int { return min(max(n, 1), maxWindow) }
