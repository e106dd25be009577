// Package sim is a seeded, deterministic simulated datagram network on
// virtual time, for the association tests (the lockstep harness), the
// benchmarks and the fuzzers of gensctp.
//
// A Network carries opaque datagrams between endpoint addresses (IP:port
// pairs, as UDP encapsulation uses them: RFC 6951 Section 5). It has no
// goroutines and reads no clock: every call takes the current virtual time,
// and the caller advances time, typically to NextArrival or to the earliest
// protocol deadline, whichever comes first.
//
// # Links
//
// Each direction of each (from, to) pair is a link with its own LinkConfig
// (SetLink, SetLinkBoth) or the network default (SetDefault). A datagram
// passed to Send goes through, in this order:
//
//  1. the filters (AddFilter), which may drop it or hold it back;
//  2. Down (dropped) and the MTU (dropped if larger);
//  3. Loss (dropped at random);
//  4. Corrupt (1 to 3 distinct random bits flipped);
//  5. the bandwidth bottleneck: the datagram departs at
//     max(now, busy-until) + size*8/Bandwidth, and is tail-dropped if the
//     backlog would exceed QueueLimit bytes;
//  6. Delay plus a uniform Jitter in [0, Jitter];
//  7. Reorder (held back by ReorderDelay extra);
//  8. Duplicate (a second copy that skips the bottleneck and draws its own
//     jitter and reordering).
//
// A link is FIFO: jitter alone never reorders datagrams of one link (an
// arrival is never earlier than the previous arrival on the same link).
// Only Reorder and a filter's Delay verdict let a datagram be overtaken;
// datagrams of different links are independent.
//
// # Determinism
//
// One PCG source (math/rand/v2), seeded by New, makes every random
// decision. A draw happens only for a feature that is enabled (probability
// or jitter greater than zero), in the order listed above, so the same seed
// and the same sequence of calls produce identical deliveries. Ties in
// arrival time are delivered in the order the datagrams were scheduled.
// EnableTraceHash records a SHA-256 over every delivery so that a test can
// assert that two runs are byte-identical.
//
// # SCTP knowledge
//
// The network treats datagrams as opaque bytes, with one exception meant
// for fault-injection filters: FirstChunkType reads the type of the first
// chunk of an SCTP packet (RFC 9260 Section 3: the 12-byte common header is
// followed by the first chunk, whose first byte is its type), and
// DropFirstChunk builds a filter from it ("drop the next COOKIE ECHO").
//
// References:
//   - RFC 9260 Section 3 (https://www.rfc-editor.org/rfc/rfc9260#section-3):
//     the offset of the first chunk type, used by FirstChunkType.
//   - RFC 6951 Section 5 (https://www.rfc-editor.org/rfc/rfc6951#section-5):
//     endpoints are addressed by IP address and UDP port.
package sim
