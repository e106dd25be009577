// Package sim is a seeded, deterministic network simulator on virtual
// time for gensctp: it runs SCTP endpoints and associations (the sans-IO
// core) over simulated links, so that a transfer, a failover or a user's
// protocol on top of SCTP can be tested, benchmarked and fuzzed without
// sockets, goroutines or sleeps, and replayed exactly from its seed.
//
// It has three layers, each usable alone:
//
//   - Network carries opaque datagrams between addresses (IP:port pairs,
//     as UDP encapsulation uses them: RFC 6951 Section 5) over links with
//     delay, jitter, a bandwidth bottleneck with a queue, loss, burst
//     loss, duplication, reordering, corruption, an MTU, scheduled
//     partitions, and filters; every setting is per direction.
//   - World is the lockstep harness: Nodes (an *endpoint.Endpoint, an
//     *endpoint.Mux, an *association.Association, or a type of the
//     user's) at addresses of a Network. Exchange moves every packet due
//     now until all nodes are quiet, Advance jumps to the next event (an
//     arrival or a timer), RunUntil and Run repeat it. Hosts (NewHost)
//     are endpoints with shortcuts for connecting, sending and draining.
//   - Net is the network for goroutine code: its Transports are packet
//     transports (packetio.Transport), so that a program written against
//     package api (Open, Connect, Send, Recv, deadlines) runs on the
//     simulated network through api.OverTransport, in virtual time.
//
// A Network has no goroutines and reads no clock: every call takes the
// current virtual time, and the caller (a World, typically) advances
// time, to NextArrival or to the earliest protocol deadline, whichever
// comes first.
//
// EnableTraceHash and TraceHash give a hash of every packet delivered, to
// check that two runs are identical; SetTrace reports each datagram's
// life (sent, dropped and why, scheduled, delivered), and PcapTrace writes
// the packets as a capture Wireshark opens.
//
// # The api on the simulator: testing/synctest
//
// Sockets of package api run goroutines and read the clock; on a Net they
// get virtual time from testing/synctest rather than from a simulated
// clock inside the stack: run the program inside synctest.Test, where
// time.Now, timers and deadlines are virtual and jump ahead whenever every
// goroutine of the bubble is blocked. A test of a user's program looks
// like this (TestAPIOverNetDeterministic runs one):
//
//	synctest.Test(t, func(t *testing.T) {
//		cryptotest.SetGlobalRandom(t, 1) // the stack's tags and TSNs
//		net, _ := sim.NewNet(1, sim.LinkConfig{Delay: 20 * time.Millisecond, Loss: 0.05})
//		defer net.Close()
//		trS, _ := net.Transport(netip.MustParseAddrPort("192.0.2.2:9899"))
//		trC, _ := net.Transport(netip.MustParseAddrPort("192.0.2.1:9899"))
//		server, _ := api.Open(api.OverTransport(trS), api.Port(5000))
//		client, _ := api.Open(api.OverTransport(trC))
//		// ... the program: server.Listen, client.Connect, Send, Recv ...
//	})
//
// The run is repeatable to the byte: the same virtual times, the same
// packets (TraceHash), the same output. Net isolates its links (each
// draws from a random source of its own), so that goroutines sending at
// one virtual instant in either order meet the same fate.
//
// # Fuzzing
//
// Fuzz reads a simulation's choices from a fuzzer's input: the seed, the
// link impairments, the fate of single packets and the timing of the
// steps of a user's protocol running over gensctp in a World (see Fuzz,
// and FuzzUserProtocol in package fuzz for a complete target).
//
// # Speed
//
// BenchmarkIdleHour and BenchmarkTransfer100MB measure the CPU time of an
// idle association over an hour of virtual time (about a millisecond) and
// of a 100 MB transfer over a 100 Mbit/s link with a 50 ms round trip
// (well under a second).
//
// # Links
//
// Each direction of each (from, to) pair is a link with its own LinkConfig
// (SetLink, SetLinkBoth) or the network default (SetDefault). A datagram
// passed to Send goes through, in this order:
//
//  1. the filters (AddFilter), which may drop it or hold it back;
//  2. Down (dropped), a Partition in effect (dropped) and the MTU
//     (dropped if larger);
//  3. Loss (dropped at random), then BurstLoss (a burst of a mean of
//     BurstLength datagrams dropped: the Gilbert-Elliott model);
//  4. Corrupt (1 to 3 distinct random bits flipped);
//  5. the bandwidth bottleneck: the datagram departs at
//     max(now, busy-until) + size*8/Bandwidth, and is tail-dropped if the
//     backlog would exceed QueueLimit bytes; an ECN-capable datagram
//     (SendECN) that finds more than CEThreshold bytes waiting is marked
//     CE;
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
