//go:build !race

package timer

// raceEnabled: the race detector instruments allocations, so exact
// allocation counts differ under it.
const raceEnabled = false
