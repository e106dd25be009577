package packetio

import "net/netip"

// Transport carries SCTP packets between a stack and the network: the
// seam between gensctp's event loop and the operating system (or a DTLS
// connection, or an in-memory pipe). One packet is one datagram: a
// Transport never splits, joins or reorders the bytes of a packet, and
// may lose, duplicate or reorder whole packets, as IP does (SCTP
// recovers).
//
// A Transport is safe for concurrent use. In particular [Transport.ReadBatch]
// may be called by several goroutines at once (a stack sharded across
// cores may run one reader per shard); each packet is then returned to
// exactly one of them.
//
// The stack that runs on a Transport owns it: it calls Close when it
// closes.
type Transport interface {
	// ReadBatch blocks until at least one packet has arrived, then fills
	// up to len(msgs) messages and returns how many it filled (with an
	// empty msgs it returns 0, nil at once). The caller owns the buffers
	// of the returned messages until it hands them back with
	// ReleaseBatch. n > 0 may come with an error: the packets are valid
	// and the error is the next one to report.
	//
	// Once the Transport is closed, by Close or otherwise (the peer of a
	// connected transport closed it, for example), ReadBatch fails with
	// an error satisfying errors.Is(err, net.ErrClosed), and keeps
	// failing. Any other error is transient: the caller reads again.
	ReadBatch(msgs []Message) (n int, err error)
	// ReleaseBatch hands the buffers of messages returned by ReadBatch
	// back to the Transport and clears their Buf and Data. Releasing a
	// message twice is harmless (the second time it has no buffer).
	ReleaseBatch(msgs []Message)
	// WriteBatch sends msgs in order and returns how many it handed on.
	// On error, n < len(msgs) and msgs[n] is the message that failed:
	// the caller may drop it and go on with msgs[n+1:]. After Close the
	// error satisfies errors.Is(err, net.ErrClosed). WriteBatch does not
	// retain msgs or their Data.
	WriteBatch(msgs []OutMessage) (n int, err error)
	// LocalAddrs returns the local addresses packets arrive on, with
	// their port (the local UDP encapsulation port for SCTP over UDP);
	// a wildcard address for a socket bound to it. The caller may keep
	// the slice.
	LocalAddrs() []netip.AddrPort
	// Close closes the Transport and unblocks ReadBatch. Calls after the
	// first do nothing and return nil.
	Close() error
}

// Message is one received packet.
type Message struct {
	// Buf is the buffer the packet was read into; Data is a prefix of
	// it. The Transport that returned the message takes it back with
	// ReleaseBatch.
	Buf []byte
	// Data is the packet: the payload of the datagram.
	Data []byte
	// From is the peer's address and port. Over UDP the port is the
	// peer's encapsulation port (RFC 6951 Section 5.4); a connected
	// transport reports its peer's (or a stand-in) address for every
	// packet.
	From netip.AddrPort
	// To is the local address and port the packet arrived on: the
	// wildcard address for a socket bound to it, the zero AddrPort when
	// unknown.
	To netip.AddrPort
	// IP holds the IP header fields the Transport reported for the
	// packet (see [IPReporter]); zero when it reports none.
	IP IPInfo
	// PTB, when positive, makes the message a Packet Too Big report
	// rather than a packet received (see [PTBReporter]): an ICMP
	// Fragmentation Needed or ICMPv6 Packet Too Big message for a
	// packet sent to From, whose next-hop MTU (IP layer) is PTB; Data is
	// what it quotes of the packet from the start of the SCTP packet on
	// (the UDP payload), possibly nothing. Unvalidated: anyone on the
	// path can forge one.
	PTB int
}

// OutMessage is one packet to send.
type OutMessage struct {
	// Data is the packet. It is not retained after WriteBatch returns.
	Data []byte
	// To is the destination address and port (the peer's encapsulation
	// port over UDP, RFC 6951 Section 5.3). A connected transport sends
	// every packet to its one peer, whatever To says.
	To netip.AddrPort
	// From is the local address the packet should leave from; an
	// invalid or unspecified From lets the Transport choose.
	From netip.Addr
	// ECN is the ECN field (RFC 3168 Section 5: 1 ECT(1), 2 ECT(0)) the
	// packet's IP header should carry; 0 leaves the Transport's default.
	// Only an [ECNCapable] Transport sets it; others ignore it.
	ECN uint8
}

// Optional capabilities. A Transport may implement any of these; users of
// a Transport find them with a type assertion. They are not part of
// Transport, so that the smallest transport is five methods.

// IPReporter is a [Transport] that can report IP header fields of
// received packets in [Message].IP (package udpencap does on Linux).
// Requests are counted per field, so that several users of one Transport
// ask independently.
type IPReporter interface {
	// AddRecvIP adds one request for the fields what: from now on the
	// Transport reports them where it can, until as many RemoveRecvIP
	// calls withdraw it. The error is the refusal of the layer below;
	// the request counts anyway.
	AddRecvIP(what RecvIP) error
	// RemoveRecvIP withdraws one request for the fields what.
	RemoveRecvIP(what RecvIP) error
}

// ECNCapable is a [Transport] that can carry ECN (RFC 3168): it sets the
// ECN field of the packets it sends from [OutMessage].ECN, and, as an
// [IPReporter], reports the TOS byte or traffic class of the packets it
// receives (RecvTOS, RecvTClass), whose low bits are their ECN field
// (package udpencap does on Linux).
type ECNCapable interface {
	IPReporter
	// ECNCapable reports whether the Transport sets and reports the ECN
	// field here (the platform and the sockets can).
	ECNCapable() bool
}

// PTBReporter is a [Transport] that can report the Packet Too Big
// messages the network returns for the packets it sent, as messages
// with PTB set (package udpencap does on Linux: IP_RECVERR).
type PTBReporter interface {
	// EnablePTB turns the reports on.
	EnablePTB() error
}

// Connected is a [Transport] with one peer, whose address is implied: a
// connected net.Conn such as a DTLS connection (RFC 8261). Every packet
// arrives from Peer and every packet goes to it, whatever the
// destination. SCTP over such a transport is single-homed: its INIT and
// INIT ACK chunks list no IPv4 or IPv6 addresses (RFC 8261 Section 6.1).
type Connected interface {
	Transport
	// Peer returns the address packets arrive from ([Message].From).
	Peer() netip.AddrPort
}

// DTLS is a [Connected] transport that can say whether it is a DTLS
// connection (RFC 8261): one that protects each packet with an integrity
// check at least as strong as the CRC32c of SCTP, so that SCTP over it may
// do without the CRC32c (RFC 9653 Section 6), and whose records take
// bytes of the path MTU. [Conn] implements it ([NewDTLSConn]).
type DTLS interface {
	Connected
	// DTLS reports whether the transport is a DTLS connection.
	DTLS() bool
}
