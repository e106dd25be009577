package endpoint

// The endpoint's tables and queues grow with the associations it holds;
// they give the memory back when the associations go, so that a server
// that held 100,000 associations at its peak does not keep their tables
// for good (Go maps and slices keep their storage when entries are
// removed). Each shrinks when what it holds falls to a quarter of its
// size, to a size for what is left: the copy costs no more than the
// removals since the last resize, so that it is O(1) amortized per
// removal, and nothing shrinks below minShrink.
const minShrink = 256

// mapPeaks holds the most entries each map of the endpoint held since it
// was last made.
type mapPeaks struct {
	ids, byTag, byPeer, reserved int
}

// deleteShrink deletes k from *m, whose most entries since it was made is
// *peak, and moves the entries left to a new map sized for them once they
// are at most a quarter of the peak, or none are left of more than a few.
// Every deletion from an endpoint map goes through it: the peak is reached
// before a deletion (the map only grows in between), so that recording it
// here is enough.
func deleteShrink[K comparable, V any](m *map[K]V, peak *int, k K) {
	*peak = max(*peak, len(*m))
	delete(*m, k)
	n := len(*m)
	if n > *peak/4 || *peak < minShrink && (n > 0 || *peak <= 8) {
		return
	}
	fresh := make(map[K]V, n)
	for k, v := range *m {
		fresh[k] = v
	}
	*m, *peak = fresh, n
}

// shrunk returns s, or a copy of s with half its capacity when s uses at
// most a quarter of it.
func shrunk[T any](s []T) []T {
	if cap(s) < minShrink || len(s) > cap(s)/4 {
		return s
	}
	return append(make([]T, 0, cap(s)/2), s...)
}
