// Package webrtc tests gensctp over a real DTLS connection (RFC 8261),
// the transport of WebRTC data channels: gensctp against gensctp
// (gensctp_test.go), and against pion/sctp v1.12 with pion as client and
// as server (pion_test.go), over pion/dtls on loopback UDP, with
// api.OverDTLS. They check messages of many sizes exactly, stream resets,
// every way an association ends (shutdown, abort, DTLS closed under it)
// and the zero checksum of RFC 9653 (api.SCTPAcceptZeroChecksum; pion's
// EnableZeroChecksum).
//
// It is a module of its own, so that pion/dtls is a dependency of these
// tests only, never of gensctp; its go.mod replaces gensctp with the
// working tree (../..). Run its tests from this directory:
//
//	go test -count=1 ./...
package webrtc
