// Package packetio is the packet-transport seam of gensctp: the small
// interface between an SCTP stack and whatever carries its packets, and
// adapters for the standard library's datagram connections.
//
// A [Transport] reads packets in batches into buffers it lends
// ([Transport.ReadBatch], [Transport.ReleaseBatch]), writes them in
// batches ([Transport.WriteBatch]), reports its local addresses and
// closes. Capabilities that only some transports have are separate
// interfaces found by type assertion: [IPReporter] (IP header fields of
// received packets), [Connected] (one peer, implied address) and [DTLS]
// (a DTLS connection). The
// transports of the module:
//
//   - package udpencap: SCTP over UDP (RFC 6951) on sockets of its own,
//     with recvmmsg/sendmmsg, UDP GSO and IP options; the default;
//   - [PacketConn]: over any net.PacketConn, a UDP socket of the
//     caller's for example, with the same port rules as udpencap;
//   - [Conn]: over a connected net.Conn carrying one packet per Read and
//     Write, a DTLS connection for example (RFC 8261): one peer, its
//     address implied, no multihoming; [NewDTLSConn] says that it is
//     DTLS.
//
// Users may implement Transport for anything else. The package imports
// no other package of the module: udpencap implements the interface and
// the stack above uses it, so the layering stays one-way.
//
// Steady traffic allocates nothing per packet: receive buffers come from
// a bounded free list ([Pool]) and go back to it with ReleaseBatch, and
// addresses are [netip.AddrPort] values.
package packetio
