package api

import (
	"net/netip"
)

// SndRcvInfo is gen_sctp's #sctp_sndrcvinfo{}: the parameters of a
// message to send (SendInfo, and the default send parameters), and the
// ancillary data of a received message (Delivery.Info).
//
// On receive every field is filled in. On send, SSN, TSN and CumTSN are
// ignored (gen_sctp requires them to be undefined, so that a received
// record cannot be sent back as is; here it can).
type SndRcvInfo struct {
	// Stream is the stream number.
	Stream uint16
	// SSN is the stream sequence number of a received message; for one
	// received in I-DATA chunks, the lower-order 16 bits of its MID (RFC
	// 8260 Section 4.1).
	SSN uint16
	// MID is the Message Identifier of a message received in I-DATA
	// chunks (RFC 8260 Section 2.1; SCTPInterleavingSupported), an
	// addition to gen_sctp; 0 otherwise, and ignored on send.
	MID uint32
	// Flags: Unordered, AddrOver, Abort, EOF.
	Flags SndRcvFlags
	// PPID is the payload protocol identifier, in host byte order (as
	// gen_sctp presents it).
	PPID uint32
	// Context is an opaque value reported back in a SendFailed event.
	Context uint32
	// TimeToLive is in milliseconds; 0 means no expiry. A message none
	// of which was sent within it is abandoned and comes back in a
	// SendFailed event (RFC 6458 Section 5.3.2); once sent in part, it
	// is delivered reliably.
	TimeToLive uint32
	// PrInfo is the partial reliability policy of the message, an
	// addition (RFC 6458 Section 5.3.7's SCTP_PRINFO ancillary data):
	// the zero PrInfo means the socket's SCTPDefaultPrInfo unless
	// PrInfoValid is set (RFC 7496's SCTP_SEND_PRINFO_VALID), so that
	// PrInfo{PrNone} with PrInfoValid sends a message reliably whatever
	// the default. A SendFailed event reports the policy the message was
	// sent with, PrInfoValid set.
	PrInfo      PrInfo
	PrInfoValid bool
	// TSN is the TSN of the first DATA chunk of a received message and
	// CumTSN the cumulative TSN acknowledged when it was delivered.
	TSN, CumTSN uint32
	// AssocID is the association.
	AssocID AssocID
}

// InitMsg is gen_sctp's #sctp_initmsg{} (option sctp_initmsg, RFC 6458
// Section 8.1.3): the parameters of the associations set up later. 0
// means the endpoint default.
type InitMsg struct {
	// NumOstreams is the number of outbound streams requested (default
	// 10).
	NumOstreams uint16
	// MaxInstreams is the number of inbound streams allowed (default
	// 65535).
	MaxInstreams uint16
	// MaxAttempts is the number of INIT transmissions (Max.Init.Retransmits
	// plus one; default 9).
	MaxAttempts uint16
	// MaxInitTimeo caps the T1-init timer, in milliseconds (default
	// RTO.Max).
	MaxInitTimeo uint16
}

// RtoInfo is gen_sctp's #sctp_rtoinfo{} (option sctp_rtoinfo): RTO.Initial,
// RTO.Max and RTO.Min in milliseconds.
type RtoInfo struct {
	AssocID AssocID
	Initial uint32
	Max     uint32
	Min     uint32
}

// AssocParams is gen_sctp's #sctp_assocparams{} (option sctp_associnfo).
type AssocParams struct {
	AssocID AssocID
	// AssocMaxRxt is Association.Max.Retrans.
	AssocMaxRxt uint16
	// NumberPeerDestinations is the number of peer addresses (read only).
	NumberPeerDestinations uint16
	// PeerRwnd is the peer's receive window (read only).
	PeerRwnd uint32
	// LocalRwnd is the local receive window (read only).
	LocalRwnd uint32
	// CookieLife is Valid.Cookie.Life in milliseconds.
	CookieLife uint32
}

// Prim is gen_sctp's #sctp_prim{} (option sctp_primary_addr): the primary
// path of an association. Addr is the peer's IP and SCTP port.
type Prim struct {
	AssocID AssocID
	Addr    netip.AddrPort
}

// SetPeerPrim is gen_sctp's #sctp_setpeerprim{} (option
// sctp_set_peer_primary_addr): asks the peer to make Addr, a local
// address, its primary path to us.
type SetPeerPrim struct {
	AssocID AssocID
	Addr    netip.AddrPort
}

// SetAdaptation is gen_sctp's #sctp_setadaptation{} (option
// sctp_adaptation_layer): the Adaptation Layer Indication sent in INIT and
// INIT ACK (RFC 5061 Section 4.2.6).
type SetAdaptation struct {
	AdaptationInd uint32
}

// PaddrParams is gen_sctp's #sctp_paddrparams{} (option
// sctp_peer_addr_params): per-destination settings. The zero Address
// means every destination ({any, 0}).
type PaddrParams struct {
	AssocID AssocID
	Address netip.AddrPort
	// HbInterval is HB.interval in milliseconds.
	HbInterval uint32
	// PathMaxRxt is Path.Max.Retrans.
	PathMaxRxt uint16
	// PathMtu is the SCTP packet budget of the path in bytes: the path
	// MTU less the IP and UDP encapsulation headers (RFC 6951 Section
	// 5.6), from association.MinMTU to 65535; the default,
	// association.DefaultMTU (1452), fits a 1500-byte path over IPv6.
	// It caps the packets sent to this destination only.
	PathMtu uint32
	// SackDelay is the delayed-SACK timeout in milliseconds.
	SackDelay uint32
	// Flags switch heartbeats, PMTU discovery and delayed SACKs; an enable
	// and a disable of one feature together are invalid (einval).
	Flags PaddrFlags
}

// OptBool is a boolean field of a record that may also be left undefined,
// as an Erlang record field can: what undefined means depends on the
// record (see EventSubscribe).
type OptBool int8

// The OptBool values.
const (
	Undefined OptBool = iota
	True
	False
)

// String returns "undefined", "true" or "false".
func (b OptBool) String() string {
	switch b {
	case True:
		return "true"
	case False:
		return "false"
	}
	return "undefined"
}

// Bool reports whether b is True.
func (b OptBool) Bool() bool { return b == True }

// EventSubscribe is gen_sctp's #sctp_event_subscribe{} (option
// sctp_events): which events are delivered. When set, Undefined means
// True for the first seven fields and False for the last two, as in
// gen_sctp. AuthenticationEvent (off by default; gen_sctp ignores it)
// delivers AuthKeyEvent.
type EventSubscribe struct {
	// DataIoEvent: received messages carry their SndRcvInfo.
	DataIoEvent          OptBool
	AssociationEvent     OptBool
	AddressEvent         OptBool
	SendFailureEvent     OptBool
	PeerErrorEvent       OptBool
	ShutdownEvent        OptBool
	PartialDeliveryEvent OptBool
	// AdaptationLayerEvent is off by default (gen_sctp open).
	AdaptationLayerEvent OptBool
	AuthenticationEvent  OptBool
	// StreamResetEvent (a gensctp addition, RFC 6525 Section 6.2.1
	// SCTP_STREAM_RESET_EVENT) delivers StreamResetEvent; off by
	// default, as gen_sctp knows no such event.
	StreamResetEvent OptBool
	// AssocResetEvent (a gensctp addition, RFC 6525 Section 6.1.2
	// SCTP_ASSOC_RESET_EVENT) delivers AssocResetEvent; off by default.
	AssocResetEvent OptBool
	// StreamChangeEvent (a gensctp addition, RFC 6525 Section 6.1.3
	// SCTP_STREAM_CHANGE_EVENT) delivers StreamChangeEvent; off by
	// default.
	StreamChangeEvent OptBool
}

// AssocValue is gen_sctp's #sctp_assoc_value{} (option
// sctp_delayed_ack_time).
type AssocValue struct {
	AssocID    AssocID
	AssocValue uint32
}

// PaddrInfo is gen_sctp's #sctp_paddrinfo{} (option
// sctp_get_peer_addr_info, read only): the state of one destination.
type PaddrInfo struct {
	AssocID AssocID
	// Address is the peer's IP and SCTP port.
	Address netip.AddrPort
	State   PaddrInfoState
	// Cwnd is the congestion window in bytes.
	Cwnd uint32
	// Srtt and Rto are in milliseconds.
	Srtt uint32
	Rto  uint32
	// Mtu is the SCTP packet budget of the path in bytes: the path MTU
	// less the IP and UDP encapsulation headers (see PaddrParams.PathMtu);
	// with path MTU discovery on (pmtud_enable), the PLPMTU found so far.
	Mtu uint32
	// Pmtud is the state of the path's MTU discovery (RFC 8899 Section
	// 5.2: disabled, base, searching, search_complete, error; not in
	// gen_sctp's sctp_paddrinfo).
	Pmtud PmtudState
}

// Status is gen_sctp's #sctp_status{} (option sctp_status, read only; the
// AssocID is required).
type Status struct {
	AssocID AssocID
	State   StatusState
	// Rwnd is the peer's receive window.
	Rwnd uint32
	// Unackdata is the number of DATA chunks not yet acknowledged.
	Unackdata uint16
	// Penddata is the number of bytes received and not yet read.
	Penddata uint16
	Instrms  uint16
	Outstrms uint16
	// FragmentationPoint is the largest user data of a DATA chunk.
	FragmentationPoint uint32
	Primary            PaddrInfo
}
