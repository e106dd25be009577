// Package webrtcgensctp runs pion/webrtc v4 with its SCTP replaced by
// gensctp's pion/sctp-compatible package (go.mod: replace
// github.com/pion/sctp => ../../pionsctp): two PeerConnections in one
// process, over pion/dtls on ICE restricted to UDP over loopback, with
// reliable, unordered and partially reliable data channels, channels
// opened and closed (stream resets), and BufferedAmountLow flow control.
//
// The same tests and benchmarks run on the real pion/sctp with the
// alternative go.mod that has no replacement:
//
//	go test ./...                         # gensctp
//	go test -modfile=pion.go.mod ./...    # pion/sctp
//
// On pion/sctp v1.12.1 TestMaxPacketLifeTimeUnderLoss fails: pion/sctp
// restarts a DATA chunk's lifetime at each retransmission (the chunk's
// "since" is set before the lifetime is checked), so a message lost once
// is retransmitted and delivered long after its maxPacketLifeTime, where
// RFC 3758 Section 4.1 counts the lifetime from the send.
//
// bench/webrtc.sh runs the benchmarks both ways and prints a table.
package webrtcgensctp
