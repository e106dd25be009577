// Package endpoint is the sans-IO SCTP endpoint: one or more local SCTP
// ports over one UDP encapsulation socket (RFC 6951). An Endpoint owns one
// local SCTP port and all its associations: it parses and checks every
// received packet once, demultiplexes it to an association by verification
// tag (or by peer address and port where the tag cannot identify it),
// answers out-of-the-blue packets, accepts new associations with signed,
// rotating cookies while listening, and schedules the output, the
// deliveries and the timers of its associations fairly and at a cost that
// does not grow with idle associations. A Mux puts several Endpoints
// (several local SCTP ports) on one UDP socket.
//
// Like package association, it never reads a clock, sleeps, starts a
// goroutine, locks or touches a socket. In: HandleDatagram(datagram), one
// association.Datagram (time, source, destination, bytes, IP header
// fields) per received packet, HandleTimeout(now), and user operations
// (Connect, Listen, Accept, Close, Abort, and the association's own
// operations through Assoc). Out: AppendPacket(now, buf), Poll,
// NextDeadline.
//
// # Design
//
//   - Routing tables: local verification tag → association, and (peer IP,
//     peer SCTP port) → association; AssocID → association for the user.
//     A closed association leaves the routing tables at once (packets for
//     it are out of the blue, and its peer may connect again) but stays
//     in the ID table until its last delivery was polled and it has
//     nothing left to send. Its local tag stays reserved for
//     Config.TagReuseDelay: new associations do not reuse it (RFC 9260
//     Section 5.3.1).
//   - After every call into an association, the endpoint re-reads its
//     local tag (it changes on a peer restart, RFC 9260 Section 5.2.4
//     action A), its state, its next deadline (kept in a min-heap keyed by
//     deadline) and queues it for output and Poll. Associations changed
//     by the user through Assoc are re-read at the next call.
//   - AppendPacket: the endpoint's own replies first, then round-robin,
//     Config.SendQuantum packets per association per turn (1 by default:
//     fairness over batching).
//   - Poll: round-robin, one delivery per association per turn.
//   - MaxAssociations: an INIT or COOKIE ECHO beyond it gets an ABORT with
//     an "Out of Resource" cause; one-to-one: a full backlog drops COOKIE
//     ECHOs silently.
//   - INIT rate limit: per source (IPv4 address, IPv6 /64), InitBurst at
//     once then InitRate per second, in a fixed-size count-min table of
//     token buckets (memory does not grow with the sources); INITs over
//     it are discarded silently (RFC 9260 Section 12.2.4.1).
//   - Cookie secrets rotate every Config.CookieKeyLifetime from
//     HandleTimeout; a cookie verifies until the second rotation after it
//     was issued.
//   - Shards: several cores serve one UDP port, each with its own
//     endpoints, configured as shard i of n (Config.Shard). A shard draws
//     its local tags and association IDs with value mod n == i, and a
//     Router sends a received datagram to the shard of its tag, or, when
//     the tag is not ours (INIT, T bit), to a keyed hash of its source;
//     ShardOfPeer picks the shard of a Connect, ShardOfAssoc the shard of
//     an ID. Per-socket limits span the shards through a Quota.
//
// # RFC sections implemented
//
//   - RFC 9260 Section 5.1 B and D: stateless INIT handling, association
//     created on a valid COOKIE ECHO (through association.Acceptor).
//   - RFC 9260 Sections 5.2 and 5.2.4: INIT and COOKIE ECHO for an
//     existing peer go to its association.
//   - RFC 9260 Section 5.3.1: local tags unique among the endpoint's
//     associations, and not reused for a while.
//   - RFC 9260 Section 8.4, all eight rules for out-of-the-blue packets.
//   - RFC 9260 Sections 8.5 and 8.5.1: the verification tag selects the
//     association; the exceptions for INIT, ABORT, SHUTDOWN COMPLETE,
//     COOKIE ECHO and SHUTDOWN ACK.
//   - RFC 9260 Section 3.1: packets with a zero port are discarded.
//   - RFC 6951 Sections 5.1 and 5.4: peers are IP address plus UDP
//     encapsulation port; the port is learned only from packets that
//     passed the verification-tag check.
//
// Not done here: RFC 9653 zero checksums (packets are parsed with the
// CRC32c required), and multihomed peers beyond the addresses given to
// Connect or the source of the COOKIE ECHO (packets from other addresses
// still reach the association by tag).
//
// References:
//   - https://www.rfc-editor.org/rfc/rfc9260
//   - https://www.rfc-editor.org/rfc/rfc6951
//   - https://www.rfc-editor.org/rfc/rfc6458 (socket styles)
package endpoint
