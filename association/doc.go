// Package association is the sans-IO SCTP transmission control block: the
// state machine of RFC 9260 Section 4, the handshake with signed State
// Cookies and the collision cases of Sections 5.1 and 5.2, reliable
// multi-stream data transfer (Section 6), congestion control (Section 7,
// through package congestion), heartbeats and path state (Section 8),
// shutdown and abort (Section 9), and the unrecognized-chunk rules of
// Section 3.2.
//
// An Association never reads a clock, sleeps, starts a goroutine, locks or
// touches a socket. Everything comes in as a call that carries the current
// time:
//
//   - HandlePacket(datagram, packet): a received SCTP packet, with the
//     Datagram that brought it (time, source, IP header fields);
//   - HandleTimeout(now): the time reached NextDeadline;
//   - user operations: Connect, Send, Shutdown, Abort, SetOption-style
//     setters, each with now.
//
// Everything goes out by being polled:
//
//   - AppendPacket(now, buf): the next SCTP packet to transmit and its
//     destination;
//   - Poll: the next delivered message or event;
//   - NextDeadline: when HandleTimeout must be called next.
//
// Randomness (verification tags, initial TSNs, heartbeat nonces, timer
// jitter) comes from Config.Rand. Given the same seed and the same inputs,
// an Association produces byte-identical output.
//
// What a peer can make an association hold or send is bounded: every
// packet fits the PMTU of its path (RFC 9260 Section 6.10), so a reply
// that cannot (a HEARTBEAT ACK for an oversized HEARTBEAT) is not sent
// and reports are cut to fit; the replies waiting to be sent take at most
// 64 KiB; and the HEARTBEAT ACKs answering one packet take no more bytes
// than the packet did.
//
// The passive side of the handshake is stateless until a valid COOKIE ECHO
// arrives (RFC 9260 Section 5.1 B): Acceptor answers INIT chunks with INIT
// ACK chunks carrying a State Cookie signed with HMAC-SHA-256 under the
// rotating secrets of a CookieKeys, and creates the Association only when
// a COOKIE ECHO with a valid cookie arrives.
//
// The addresses a peer lists in its INIT or INIT ACK become paths, at most
// MaxPaths of them, unconfirmed until a HEARTBEAT with a nonce is answered
// from each (RFC 9260 Section 5.4); at most Config.HBMaxBurst (HB.Max.Burst,
// default 1) such probes go out per RTO, so that a peer listing addresses
// it does not own cannot turn the association into a flood of HEARTBEATs
// at them (RFC 5062 Section 6).
//
// References:
//   - https://www.rfc-editor.org/rfc/rfc9260
//   - https://www.rfc-editor.org/rfc/rfc5062 (attacks and their mitigations)
//   - https://www.rfc-editor.org/rfc/rfc6458 (events and options, as
//     gen_sctp exposes them)
package association
