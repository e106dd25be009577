package timer

import "slices"

// Set is a collection of Timers registered once, answering "when is the
// next deadline?" and "which timer is due now?" for an owner that holds many
// timers (an association holds about 10 to 40). It scans linearly: with that
// many timers a scan beats the bookkeeping of a heap, and it allocates
// nothing.
//
// A Set holds pointers: a registered Timer must stay at the same address
// (do not copy the struct that embeds it) until it is removed. The zero value
// is an empty Set.
//
// Not safe for concurrent use; the caller serialises.
type Set struct {
	timers []*Timer
}

// Add registers t. Adding nil or a timer already registered does nothing.
// Registration order breaks ties between equal deadlines in Due.
func (s *Set) Add(t *Timer) {
	if t == nil || s.index(t) >= 0 {
		return
	}
	s.timers = append(s.timers, t)
}

// Grow makes room for n more timers, so that as many Adds allocate
// nothing.
func (s *Set) Grow(n int) { s.timers = slices.Grow(s.timers, n) }

// Remove unregisters t, keeping the order of the others. Removing a timer
// that is not registered does nothing. Remove does not stop t.
func (s *Set) Remove(t *Timer) {
	i := s.index(t)
	if i < 0 {
		return
	}
	copy(s.timers[i:], s.timers[i+1:])
	s.timers[len(s.timers)-1] = nil
	s.timers = s.timers[:len(s.timers)-1]
}

// Len returns the number of registered timers.
func (s *Set) Len() int { return len(s.timers) }

// Next returns the earliest deadline among the running timers, or Never if
// none is running. It does not allocate.
func (s *Set) Next() Time {
	next := Never
	for _, t := range s.timers {
		if t.running && t.deadline < next {
			next = t.deadline
		}
	}
	return next
}

// Due returns the running timer with the earliest deadline at or before
// now, the first registered among equal deadlines, or nil if no timer is
// due. It does not expire the timer: the caller calls Expire(now) on it and
// acts on the result, then asks Due again until it returns nil.
func (s *Set) Due(now Time) *Timer {
	var due *Timer
	for _, t := range s.timers {
		if t.running && t.deadline <= now && (due == nil || t.deadline < due.deadline) {
			due = t
		}
	}
	return due
}

func (s *Set) index(t *Timer) int {
	for i, u := range s.timers {
		if u == t {
			return i
		}
	}
	return -1
}
