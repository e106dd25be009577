package stream

// MidMessage reports whether a message is partly handed out: Next gave
// out its first fragment and not yet its last. Without interleaving
// there is at most one, and the next fragment Next hands out continues
// it; with interleaving there may be one a stream. An SSN/TSN reset (RFC
// 6525 Section 5.1.4) waits for such messages to be handed out whole:
// their remaining fragments cannot take TSNs of the new sequence.
func (q *SendQueue) MidMessage() bool {
	return q != nil && (q.cur != nil || q.partial > 0)
}
