package api

import (
	"net"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packetio"
)

// This file holds SCTP over DTLS (RFC 8261): the OverDTLS option, the
// defaults of a socket over a DTLS connection, and the zero checksum of
// RFC 9653 that only such a socket may negotiate.

// Defaults of a socket over a DTLS connection (OverDTLS).
const (
	// DTLSPort is the SCTP port of a socket over DTLS that names none
	// (Port): 5000, the port RFC 8841 uses when the SDP sctp-port
	// attribute (its Section 5.2) is absent, which WebRTC peers use on
	// both ends.
	DTLSPort = 5000
	// DTLSOverhead is the DTLS record overhead the default PMTU assumes:
	// 37 bytes, the 13-byte DTLS 1.2 record header (RFC 6347 Section
	// 4.1) and the 8-byte explicit nonce and 16-byte tag of AES-GCM (RFC
	// 5288 Section 3), the cipher of the suite WebRTC requires
	// (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, RFC 8827 Section 6.5) and
	// the one browsers and pion/dtls pick. AES-CCM costs as much,
	// ChaCha20-Poly1305 (RFC 7905) and DTLS 1.3 without connection IDs
	// less (a header of at most 5 bytes, a 16-byte tag and the 1-byte
	// inner content type, RFC 9147 Section 4); CBC suites with HMAC cost
	// up to 65 bytes (a 16-byte IV, a 20-byte MAC, up to 16 bytes of
	// padding), as does a long connection ID: lower the PMTU for them
	// (SCTPPeerAddrParams, PathMtu).
	DTLSOverhead = 37
	// DTLSMTU is the default size budget of an SCTP packet over DTLS
	// (association.Config.MTU, PathMtu): 1200 bytes less DTLSOverhead,
	// 1163. RFC 8261 Section 5: without control of the DF bit, "a safe
	// value for the path MTU has to be used by the SCTP stack. It is
	// RECOMMENDED that the safe value not exceed 1200 bytes"; RFC 8831
	// Section 5 has an initial path MTU of at most 1200 bytes for IPv4.
	// A 1200-byte DTLS record travels in an IPv6 packet of 1248 bytes,
	// under the 1280 every IPv6 link carries, and an IPv4 one of 1228.
	DTLSMTU = 1200 - DTLSOverhead
)

// The Error Detection Method Identifiers of SCTPAcceptZeroChecksum (RFC
// 9653 Section 7.1).
const (
	// EDMIDNone (SCTP_EDMID_NONE): only packets with a correct CRC32c
	// are accepted, the default.
	EDMIDNone = uint32(chunk.EDMIDReserved)
	// EDMIDLowerLayerDTLS (SCTP_EDMID_LOWER_LAYER_DTLS): SCTP over DTLS
	// (RFC 9653 Section 6).
	EDMIDLowerLayerDTLS = uint32(chunk.EDMIDDTLS)
)

// OverDTLS opens the socket on c, a DTLS connection (RFC 8261) that
// carries one SCTP packet per Read and per Write, as OverConn does
// (through packetio.NewDTLSConn), with the defaults of SCTP over DTLS:
//
//   - the SCTP port DTLSPort (5000) unless Port names another (RFC 8841;
//     Dial and Listen name theirs), and the peer's port is what Connect
//     or Dial says;
//   - a PMTU of DTLSMTU (1200 bytes less the DTLS overhead; no ICMP
//     reaches SCTP under DTLS, RFC 8261 Section 6.1) unless
//     SCTPPeerAddrParams sets PathMtu;
//   - Path.Max.Retrans equal to Association.Max.Retrans unless
//     SCTPPeerAddrParams sets PathMaxRxt (RFC 8261 Section 6.1: single
//     homed, "it is RECOMMENDED to set the SCTP parameter
//     path.max.retrans to association.max.retrans");
//   - SCTPAcceptZeroChecksum is allowed (RFC 9653 Section 6).
//
// Associations over it are single-homed, list no addresses in INIT and
// INIT ACK, and end with ErrTransportClosed when c closes under them
// (the peer's close_notify makes c's Read return io.EOF): see OverConn.
// Closing the last socket on c closes c; to end an association
// gracefully first (SHUTDOWN, RFC 9260 Section 9.2), Eof it (or Close
// a Conn) and wait for its ShutdownComp before. c is taken to be DTLS:
// nothing checks it. An addition to gen_sctp. Open-only.
func OverDTLS(c net.Conn) Option {
	return userTransportOption(c, func() packetio.Transport { return packetio.NewDTLSConn(c) })
}

// isDTLS reports whether t is a DTLS connection (packetio.DTLS).
func isDTLS(t packetio.Transport) bool {
	d, ok := t.(packetio.DTLS)
	return ok && d.DTLS()
}

// dtlsDefaults applies the defaults of a socket over DTLS (see OverDTLS)
// to what the options left unset, and makes the associations over a
// connected transport (DTLS among them) single-homed: the address
// parameters of the peer's INIT or INIT ACK make no paths (RFC 8261
// Section 6.1).
func (st *settings) dtlsDefaults() {
	if st.transport == nil {
		return
	}
	if _, ok := st.transport.t.(packetio.Connected); ok {
		st.assoc.SingleHomed = true
	}
	if !isDTLS(st.transport.t) {
		return
	}
	if !st.portSet {
		st.port = DTLSPort
	}
	if st.assoc.MTU == 0 {
		st.assoc.MTU = DTLSMTU
	}
	if st.assoc.PathMaxRetrans == 0 {
		st.assoc.PathMaxRetrans = st.assoc.WithDefaults().MaxRetrans
	}
}

// SCTPAcceptZeroChecksum sets the alternate error detection method of
// the associations set up later (RFC 9653 Section 7.1,
// SCTP_ACCEPT_ZERO_CHECKSUM): EDMIDLowerLayerDTLS makes them announce
// Zero Checksum Acceptable for SCTP over DTLS in their INIT and INIT ACK,
// accept packets with a zero checksum, and send packets with a zero
// checksum (no CRC32c computed) when the peer announced the same method;
// EDMIDNone, the default, turns that off. Packets with an INIT or COOKIE
// ECHO chunk, and replies to out-of-the-blue packets, keep their CRC32c
// (RFC 9653 Section 5.2). Only a socket over DTLS (OverDTLS, or
// OverTransport with a packetio.DTLS transport) takes EDMIDLowerLayerDTLS;
// elsewhere it is refused with ErrTransportUnsupported. Another value is
// an error wrapping ErrInvalidOption. Whether an association negotiated
// it: AssocStats' ZeroChecksum, which ZeroChecksumsSent and
// ZeroChecksumsReceived count. An addition to gen_sctp.
func SCTPAcceptZeroChecksum(edmid uint32) Option {
	return Option{name: "sctp_accept_zero_checksum", apply: func(c *optCtx) error {
		if edmid != EDMIDNone && edmid != EDMIDLowerLayerDTLS {
			return badValue(edmid)
		}
		return c.changeTemplate(func(cfg *association.Config) { cfg.ZeroChecksum = chunk.EDMID(edmid) })
	}}
}

// checkZeroChecksum refuses the zero checksum of RFC 9653 on t, unless t
// is DTLS (nil: UDP sockets of the socket's own).
func (st *settings) checkZeroChecksum(t packetio.Transport) error {
	if st.assoc.ZeroChecksum != chunk.EDMIDReserved && (t == nil || !isDTLS(t)) {
		return unsupported("sctp_accept_zero_checksum without DTLS (RFC 9653 Section 6)")
	}
	return nil
}

func getAcceptZeroChecksum(s *Socket, _ OptionQuery) (any, error) {
	return uint32(s.socketCfgLocked().ZeroChecksum), nil
}
