// Package fuzz holds gensctp's scenario fuzzers: native Go fuzz targets
// that drive whole associations on the simulated network (package sim)
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
//   - FuzzStates is the action-driven association fuzzer: it starts from
//     any state of RFC 9260 Section 4 (or a collision or a restart),
//     reached by holding packets back, and then delivers, drops,
//     duplicates, reorders and corrupts packets, expires timers, runs user
//     operations (sends with PR-SCTP policies and lifetimes, stream
//     resets among them) and injects generated chunks (FORWARD TSN and
//     RE-CONFIG among them), checking invariants after every step
//     (TestFuzzStatesReachesEveryState shows its corpus reaches every
//     state; states_reconfig_test.go lists the PR-SCTP and RE-CONFIG
//     ones).
//   - FuzzUserProtocol is the worked example for users: their own
//     protocol (here a request/response one) over gensctp, with the
//     seed, the link impairments, the fate of single packets and the
//     timing of the protocol's steps read from the fuzzer's bytes through
//     sim.Fuzz, and the protocol's invariants checked.
//   - FuzzAPI runs sequences of api calls from three goroutines on a
//     virtual network inside a testing/synctest bubble, and checks that
//     no call blocks beyond its bound, no goroutine leaks and no message
//     is delivered twice.
//
// Every input of the association fuzzers is deterministic (virtual time,
// seeded randomness), so a failing input in testdata/fuzz replays exactly
// with go test; FuzzAPI's goroutines are scheduled by the runtime, so its
// inputs replay their calls, not always their interleaving.
package fuzz
