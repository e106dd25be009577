// Package sctp is gensctp with the API of github.com/pion/sctp v1.12, for
// what pion/webrtc v4 and pion/datachannel use: Client, Server, Config and
// its options, Association (OpenStream, AcceptStream, Close, Abort, the
// counters), Stream (ReadSCTP, WriteSCTP, reliability parameters,
// buffered amount and its low threshold callback, deadlines, Close doing
// the stream reset of RFC 8831 Section 6.7), the PPID and reliability
// constants. It runs an api.Socket over Config.NetConn as SCTP over DTLS
// (api.OverDTLS, RFC 8261), with SCTP port 5000 at both ends (RFC 8841),
// 65535 streams each way, FORWARD TSN (RFC 3758), stream reconfiguration
// (RFC 6525) and, with EnableZeroChecksum, zero checksum (RFC 9653).
//
// # Switching a pion/webrtc application
//
// The package is the module github.com/gensctp/gensctp/pionsctp, named
// sctp so that it can stand in for github.com/pion/sctp. One line in the
// application's go.mod switches it:
//
//	replace github.com/pion/sctp => github.com/gensctp/gensctp/pionsctp v0.x.y
//
// With a local checkout of gensctp instead of a published version, a
// directory replacement (Go accepts a module whose go.mod declares another
// path there) and gensctp itself, which the module requires:
//
//	replace github.com/pion/sctp => /path/to/gensctp/pionsctp
//	replace github.com/gensctp/gensctp => /path/to/gensctp
//
// pion/webrtc v4.2.18 builds and runs its data channels (open, messages,
// close) over this package with that replacement.
//
// # Differences from pion/sctp
//
//   - Writes are queued in the package and handed to the association's
//     socket (its send buffer, api.Sndbuf, 1 MiB) in the order made; the
//     buffered amount counts the bytes not yet taken by the socket, where
//     pion/sctp counts them until acknowledged: it falls sooner, by up to
//     the socket's send buffer. BlockWrite waits until the socket took
//     the message. OnBufferedAmountLow runs on a goroutine of the association's that
//     runs its callbacks in turn (pion/sctp: its read loop), so that a
//     callback may write or close.
//   - Received messages not yet read are bounded by MaxReceiveBufferSize
//     in the Streams, plus as much again in the socket's receive buffer
//     (pion/sctp: once). A message larger than MaxReceiveBufferSize
//     aborts the association with an error wrapping api.ErrMessageTooLarge
//     (pion/sctp closes its window and stalls). Writes take up to
//     MaxMessageSize; one the association cannot send fails, at once or
//     with the next write of the stream, never dropped in silence.
//   - Association.Close shuts the association down (SHUTDOWN, data
//     queued delivered first) for at most a second before closing
//     NetConn, where pion/sctp closes NetConn at once; Abort sends the
//     ABORT with the reason, as pion/sctp does. Reads after the end return
//     an error wrapping ErrAssociationClosed (and the cause: io.EOF when
//     NetConn was closed by the peer), io.EOF after a graceful shutdown.
//     A read error of NetConn after which pion/dtls goes on (a
//     TemporaryError, a non-fatal alert) or a timeout does not end the
//     association; pion/sctp ends it on any read error.
//   - Streams the peer opens wait for AcceptStream 16 at most, as in
//     pion/sctp; the message opening one more waits, and the association
//     stops receiving meanwhile, where pion/sctp drops it for the peer to
//     retransmit.
//   - Close's stream resets go one request at a time (RFC 6525 Section
//     5.1.1), those asked for meanwhile together in the next, as many as
//     fit in one packet. A write to a stream id opened again before the
//     reset of the earlier stream completed waits for it (pion/sctp sends
//     it, and the peer may deliver it to the old stream). The unread
//     messages of a stream the peer reset no longer count against the
//     receive buffer, as in pion/sctp.
//   - The peer's restart (RFC 9260 Section 5.2.4) is handled as pion/sctp
//     v1.12 does: the open streams go on, the streams being closed are
//     closed, the writes not yet sent are dropped, except those the
//     socket took before the restart was reported.
//   - SNAP (WithSNAP, GenerateOutOfBandToken) fails with
//     ErrSNAPNotSupported; I-DATA (WithEnableInterleaving) and the
//     congestion tunings (MinCwnd, FastRtxWnd, CwndCAStep) are accepted
//     and ignored; the interleaving, RACK and ActiveHeartbeat APIs of
//     pion/sctp are absent (pion/webrtc does not use them).
//   - A read into a buffer shorter than the message returns the
//     message's length and io.ErrShortBuffer and keeps the message, as
//     pion/sctp does, but copies none of it (pion/sctp copies the
//     fragments that fit).
//   - SetReliabilityParams applies to the messages written after it, each
//     keeping its own (pion/sctp looks at the stream's settings when it
//     retransmits); ReliabilityTypeTimed counts from the write (RFC 7496
//     Section 3.1 lifetime; pion/sctp: from the first transmission).
//     DCEP messages are always reliable (pion/sctp only orders them).
//   - MTU returns the path's packet budget, not the configured MTU;
//     Metadata reports FORWARD TSN without checking the peer offered it.
package sctp
