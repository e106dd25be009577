// Package interop holds gensctp's interoperability tests against SCTP
// stacks nobody here wrote: usrsctp's example programs (Debian package
// libusrsctp-examples) over UDP encapsulation (RFC 6951), and pion/sctp
// over plain UDP. Everything runs on loopback inside a network namespace
// that the tests create (unshare --net), because usrsctp's servers bind and
// advertise every local address.
//
// The matrix:
//
//   - gensctp client → usrsctp echo_server: 1000 messages of 1 byte to 64
//     KiB on 4 streams come back in order per stream (TestUsrsctpEchoServer);
//     our SHUTDOWN completes (RFC 9260 Section 9.2), and echo_server's log
//     shows it read the shutdown event, then shutdown_comp. The same over
//     a path where a UDP proxy between us and echo_server drops,
//     duplicates and delays datagrams (TestUsrsctpEchoServerLossy).
//   - usrsctp client → gensctp echo server: lines come back; the client's
//     shutdown gives us ShutdownEvent then ShutdownComp (TestUsrsctpClient);
//     our ABORT makes it report SCTP_COMM_LOST (TestUsrsctpClientAbortedByUs).
//   - usrsctp aborts us: tsctp's client closes with our message unread, its
//     ABORT gives us CommLost with a User-Initiated Abort cause
//     (TestUsrsctpAbortsUs).
//   - tsctp ↔ `sctp perf` (cmd/sctp, built once per test binary;
//     GENSCTP_SCTP_BIN=path runs a prebuilt one) in both directions, byte
//     counts agreeing (TestPerfTsctpToGensctp, TestPerfGensctpToTsctp).
//   - pion/sctp client → gensctp echo server and gensctp client → pion/sctp
//     echo server, on port 5000 (TestPionClient, TestPionServer), graceful
//     shutdown from either side; aborts from either side (TestPionAbortsUs,
//     TestWeAbortPion).
//   - a tshark capture of a usrsctp echo run holds no malformed packet and
//     no bad CRC32c (TestCaptureNoMalformed).
//   - partial reliability (RFC 3758, RFC 7496) with tsctp's -P 1 -t 10,
//     -P 2 -t 0 and -P 3: tsctp → `sctp perf` and `sctp perf -P -t` →
//     tsctp over a clean path (TestPRTsctpToPerf, TestPRPerfToTsctp), and
//     tsctp → our socket and our socket → tsctp with a udpencap fault hook
//     on our socket dropping a seeded share of the DATA datagrams
//     (TestPRTsctpToUsLossy, TestPRUsToTsctpLossy): messages abandoned,
//     FORWARD TSN counted on the wire and by PrStatus, what arrives whole
//     and in order.
//   - pion's unreliable streams (SetReliabilityParams with
//     ReliabilityTypeRexmit 0 and ReliabilityTypeTimed, ordered and
//     unordered) sending to us, and our PrInfo sending to pion, under the
//     same loss (TestPionUnreliableToUs, TestUsUnreliableToPion); our
//     ResetStreams closing a stream on pion, pion closing its side in
//     turn, and the stream reused (TestWeCloseStreamOnPion; pion closing
//     first: TestPionStreamClose).
//   - tshark decodes our pcap captures (api.Capture) of those runs with no
//     malformed packet and finds their FORWARD TSN and RE-CONFIG chunks.
//     Each lossy run logs a "counters" line: messages abandoned and
//     FORWARD TSNs sent and received, per peer.
//
// gensctp's side is a socket of the public api package (node_test.go) or
// the sctp command, which is built on it: the tests exercise what users
// run.
//
// Locally, a missing peer, tshark or unshare skips a test with a message;
// in CI (CI=true) it fails. Random data is seeded and the seed printed
// (GENSCTP_INTEROP_SEED replays it).
package interop
