package api

import (
	"strings"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
)

// AssocID identifies an association of a socket (gen_sctp assoc_id()). It
// is never 0 for a real association: 0 means "the whole endpoint" (or all
// future associations) in the records that take an AssocID, as in
// gen_sctp.
type AssocID = endpoint.AssocID

// AssocState is the state field of an AssocChange event. Its String
// method returns the gen_sctp atom: comm_up, comm_lost, restart,
// shutdown_comp or cant_assoc.
type AssocState = association.AssocChangeState

// The AssocChange states.
const (
	CommUp       = association.CommUp
	CommLost     = association.CommLost
	Restart      = association.Restart
	ShutdownComp = association.ShutdownComp
	CantAssoc    = association.CantAssoc
)

// PaddrState is the state field of a PaddrChange event. Its String
// method returns the gen_sctp atom, for example addr_available.
type PaddrState = association.PaddrState

// The PaddrChange states.
const (
	AddrAvailable   = association.AddrAvailable
	AddrUnreachable = association.AddrUnreachable
	AddrRemoved     = association.AddrRemoved
	AddrAdded       = association.AddrAdded
	AddrMadePrim    = association.AddrMadePrim
	AddrConfirmed   = association.AddrConfirmed
)

// PaddrInfoState is the state field of a PaddrInfo record: active,
// inactive, unconfirmed, or undefined (RFC 7829's potentially-failed
// state, which gen_sctp does not name).
type PaddrInfoState = association.PathState

// The PaddrInfo states (atoms active, inactive and unconfirmed).
const (
	PaddrActive      = association.PathActive
	PaddrInactive    = association.PathInactive
	PaddrUnconfirmed = association.PathUnconfirmed
)

// StatusState is the state field of a Status record: the association
// state of RFC 9260 Section 4. Its String method returns closed,
// cookie_wait, cookie_echoed, established, shutdown_pending,
// shutdown_sent, shutdown_received or shutdown_ack_sent (the driver's
// atoms without the sctp_state_ prefix of the documentation).
type StatusState = association.State

// PaddrFlags are the flags of a PaddrParams record. Their String method
// lists the gen_sctp atoms (hb_enable, hb_disable, hb_demand,
// pmtud_enable, pmtud_disable, sackdelay_enable, sackdelay_disable)
// separated by spaces.
type PaddrFlags = association.PathFlags

// The PaddrParams flags.
const (
	HBEnable         = association.HBEnable
	HBDisable        = association.HBDisable
	HBDemand         = association.HBDemand
	PMTUDEnable      = association.PMTUDEnable
	PMTUDDisable     = association.PMTUDDisable
	SACKDelayEnable  = association.SACKDelayEnable
	SACKDelayDisable = association.SACKDelayDisable
)

// CauseCode is an SCTP error cause code (RFC 9260 Section 3.3.10): the
// error field of the event records. ErrorString explains it.
type CauseCode = chunk.CauseCode

// SndRcvFlags are the flags of a SndRcvInfo record.
type SndRcvFlags uint8

// The SndRcvInfo flags (gen_sctp atoms unordered, addr_over, abort and
// eof).
const (
	// Unordered sends or marks a message for unordered delivery (RFC 9260
	// Section 6.6).
	Unordered SndRcvFlags = 1 << iota
	// AddrOver asks to send to a given address instead of the primary
	// path. gen_sctp has no way to give that address, so, as there, it
	// has no effect.
	AddrOver
	// Abort aborts the association (SendInfo: data, if any, is the reason
	// carried in the User-Initiated Abort cause).
	Abort
	// EOF starts a graceful shutdown of the association once data, if
	// any, has been queued.
	EOF
)

var sndRcvFlagNames = [...]string{"unordered", "addr_over", "abort", "eof"}

// String lists the gen_sctp atoms of the flags, separated by spaces.
func (f SndRcvFlags) String() string {
	var b strings.Builder
	for i, n := range sndRcvFlagNames {
		if f&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(n)
		}
	}
	return b.String()
}

// PdapiIndication is the indication field of a PdapiEvent; its String
// method returns partial_delivery_aborted, the atom the gen_sctp driver
// produces (the documentation says sctp_partial_delivery_aborted).
type PdapiIndication = association.PDAPIIndication

// PartialDeliveryAborted is the only PdapiIndication.
const PartialDeliveryAborted = association.PartialDeliveryAborted

// SocketType is the type of a socket (the open option type).
type SocketType = endpoint.Style

// The socket types.
const (
	// SeqPacket is the one-to-many style (gen_sctp seqpacket, the
	// default): one socket, many associations.
	SeqPacket = endpoint.OneToMany
	// Stream is the one-to-one style (gen_sctp stream): one association
	// per socket, as after Peeloff.
	Stream = endpoint.OneToOne
)

// Family is the address family of a socket (the open options inet and
// inet6).
type Family uint8

// The families.
const (
	// FamilyInet is IPv4 (gen_sctp inet, the default).
	FamilyInet Family = iota + 1
	// FamilyInet6 is IPv6 (gen_sctp inet6); it also accepts IPv4
	// addresses.
	FamilyInet6
)

// String returns "inet" or "inet6".
func (f Family) String() string {
	switch f {
	case FamilyInet:
		return "inet"
	case FamilyInet6:
		return "inet6"
	}
	return "undefined"
}
