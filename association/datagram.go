package association

import (
	"net/netip"

	"github.com/gensctp/gensctp/timer"
)

// Datagram is one received UDP datagram and the SCTP packet it carries
// (RFC 6951 Section 5.1), as the I/O layer reports it: the one input of a
// received packet at every layer of the core (Mux.HandleDatagram,
// Endpoint.HandleDatagram, Association.HandleDatagram and HandlePacket).
// The callee reads it during the call and retains neither the Datagram
// nor Data; pass it by pointer, so that a Datagram built on the caller's
// stack costs no allocation.
type Datagram struct {
	// Now is when the datagram is handled: the current time of the call.
	Now timer.Time
	// From is the peer transport address: the source IP address and UDP
	// encapsulation port of the datagram.
	From netip.AddrPort
	// To is the local IP address the datagram was received on, the zero
	// Addr if unknown. A path without a local address of its own (the
	// Config has no LocalAddrs of its family: a wildcard-bound end) takes
	// the To of the first verified packet from its peer address as its
	// source address (Outgoing.From) and as a local address of the
	// association (LocalAddrs).
	To netip.Addr
	// Data is the UDP payload: the SCTP packet (common header and
	// chunks).
	Data []byte
	// IP is what the IP layer reported about the header of the datagram
	// (TOS or traffic class, TTL or hop limit), the zero IPInfo if
	// nothing. It changes nothing in the protocol: each message whose
	// last DATA chunk this packet carries is delivered with it
	// (Message.IP).
	IP IPInfo
}
