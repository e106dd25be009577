// Package stream holds the per-stream state of an SCTP association: the
// send queues with their scheduler, and the receive-side reassembly and
// ordering of user messages. It knows nothing of packets, timers or TSN
// acknowledgement: the association assigns TSNs to the fragments
// SendQueue hands out, and passes Reassembly only new DATA chunks inside
// its window.
//
// It imports the standard library and package chunk only.
//
// Implemented:
//   - RFC 9260 Section 3.3.1 (https://www.rfc-editor.org/rfc/rfc9260#section-3.3.1):
//     the U, B and E bits and the SSN of DATA chunks.
//   - RFC 9260 Section 6.2 (https://www.rfc-editor.org/rfc/rfc9260#section-6.2):
//     receive buffer accounting for a_rwnd (Reassembly.Buffered); the
//     association applies the window; reneging, dropping the held
//     chunks with the highest TSNs (Reassembly.Renege).
//   - RFC 9260 Section 6.5 (https://www.rfc-editor.org/rfc/rfc9260#section-6.5):
//     SSN assignment per outbound stream; invalid stream identifiers.
//   - RFC 9260 Section 6.6 (https://www.rfc-editor.org/rfc/rfc9260#section-6.6):
//     ordered delivery by SSN per stream, unordered delivery on completion.
//   - RFC 9260 Section 6.9 (https://www.rfc-editor.org/rfc/rfc9260#section-6.9):
//     fragmentation on send, reassembly on receipt, partial delivery.
//   - RFC 8260 Section 3 (https://www.rfc-editor.org/rfc/rfc8260#section-3):
//     the stream schedulers SCTP_SS_FCFS, SCTP_SS_RR, SCTP_SS_RR_PKT,
//     SCTP_SS_PRIO, SCTP_SS_FB (fair capacity) and SCTP_SS_WFQ, with
//     per-stream priorities and weights (Section 4.3.3), with or without
//     user message interleaving (SendQueue.SetInterleave: per-fragment
//     scheduling for I-DATA).
//   - RFC 6458 Section 8.1.21 (https://www.rfc-editor.org/rfc/rfc6458#section-8.1.21):
//     the partial delivery point; Section 8.1.20: fragment interleave
//     levels; Section 6.1.7: what a "partial delivery aborted" event
//     reports.
//   - RFC 8260 Section 2 (https://www.rfc-editor.org/rfc/rfc8260#section-2):
//     the MID and FSN of I-DATA chunks on send (SendQueue.StampIData),
//     reassembly per stream, U bit and MID on receipt (Reassembly.AddI),
//     and the skipping of I-FORWARD-TSN (Reassembly.ForwardI).
//
// # Send side
//
// SendQueue keeps one FIFO of *OutMessage per stream and the streams
// ready to send: a ring for the round-robin and first-come-first-served
// schedulers, a heap by priority or virtual time for the others. Next
// cuts the message at the head of the chosen stream into fragments of at
// most the size the caller asks for, as sub-slices of the message: no
// copy. By default a message's fragments are handed out back to back:
// with DATA (unlike I-DATA) a receiver needs a message's TSNs to be
// consecutive. With interleaving on, the scheduler picks a stream for
// every fragment. The ordered message takes its SSN with its first
// fragment, so messages discarded before they start consume none.
//
// # Receive side
//
// Reassembly indexes held chunks as runs of consecutive TSNs belonging to
// one message, by first and last TSN. A run that starts with the B
// fragment appends each joining fragment's user data straight into the
// message buffer, so in-order fragments are copied once; fragments that
// arrive before their predecessors wait in per-chunk buffers and are
// copied into the message when the gap closes. Buffers come from a pool
// of power-of-two sizes (BufPool, shared by an endpoint's associations for
// the messages they send and receive) that Release feeds, so steady state
// allocates nothing. A complete message goes to a FIFO of
// deliverable messages, unless it is ordered and an earlier SSN of its
// stream is missing, in which case it waits under its (stream, SSN) key
// until that SSN is queued. A stream keeps a state record only while it
// is busy (a partial delivery, or messages held); between messages it
// costs its next SSN, two bytes in a page of 256 streams.
//
// With I-DATA (SetIData) a second index keyed by (stream, U bit, MID)
// takes the place of TSN adjacency, and the fragments that arrive ahead of
// their message's contiguous part wait keyed by FSN; the delivery FIFO,
// per-stream ordering (by the lower 16 bits of the MID, RFC 8260 Section
// 4.1), partial delivery and buffer pool carry over.
package stream
