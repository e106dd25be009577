// Package fuzz holds gensctp's scenario fuzzers: native Go fuzz targets
// that drive whole associations on the simulated network (internal/sim)
// rather than single parsers. The parser fuzzers live beside their parsers
// (chunk, packet, endpoint, stream, timer, congestion).
//
//   - FuzzScenario lets the fuzzer choose the link impairments (loss,
//     duplication, reordering, corruption, delay, jitter), the number of
//     streams and the message sizes of a two-way transfer, and checks that
//     every message arrives exactly once, intact and in order.
//   - FuzzInjectChunks injects arbitrary chunks, with the right
//     verification tag and checksum so that they reach the association,
//     into one end of a transfer, and checks that the association neither
//     panics nor wedges nor grows without bound: it either keeps
//     delivering or ends with an event.
//
// Every input is deterministic (virtual time, seeded randomness), so a
// failing input in testdata/fuzz replays exactly with go test.
package fuzz
