package api

import (
	"math"
	"net/netip"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
)

// Status returns the status of association assoc (gen_sctp
// inet:getopts(S, [{sctp_status, #sctp_status{assoc_id = Assoc}}]), RFC
// 6458 Section 8.2.1): its state, the peer's receive window, the DATA
// chunks not yet acknowledged, the bytes received and not yet read, the
// negotiated streams, the largest user data of a DATA chunk and the
// primary path. On a one-to-many socket assoc is required (gen_sctp: a
// bare sctp_status is an error); on a one-to-one socket 0 means its
// association.
func (s *Socket) Status(assoc AssocID) (Status, error) {
	var out Status
	err := s.do(func(timer.Time) error {
		v, err := getStatus(s, OptionQuery{Name: "sctp_status", AssocID: assoc})
		if err == nil {
			out = v.(Status)
		}
		return err
	})
	return out, opError("getopts", assoc, -1, err)
}

// PeerAddrInfo returns the state of the peer address addr of association
// assoc (gen_sctp sctp_get_peer_addr_info, RFC 6458 Section 8.2.2): its
// reachability, congestion window, smoothed RTT, RTO and MTU. addr's
// port, when not 0, must be the peer's SCTP port. assoc 0 means the
// association of this socket that has the peer address addr.
func (s *Socket) PeerAddrInfo(assoc AssocID, addr netip.AddrPort) (PaddrInfo, error) {
	var out PaddrInfo
	err := s.do(func(timer.Time) error {
		v, err := getPeerAddrInfo(s, OptionQuery{Name: "sctp_get_peer_addr_info", AssocID: assoc, Addr: addr})
		if err == nil {
			out = v.(PaddrInfo)
		}
		return err
	})
	return out, opError("getopts", assoc, -1, err)
}

// statusRecord converts the status of association id to the sctp_status
// record: counts clamped to the record's field sizes, addresses with the
// peer's SCTP port, as the socket shows them.
func statusRecord(id AssocID, st association.Status, peerPort uint16, set *settings) Status {
	return Status{
		AssocID: id, State: st.State, Rwnd: clamp32(st.Rwnd),
		Unackdata: clamp16(st.UnackData), Penddata: clamp16(st.PendData),
		Instrms: st.InStreams, Outstrms: st.OutStreams,
		FragmentationPoint: clamp32(st.FragmentationPoint),
		Primary:            paddrInfoRecord(id, st.Primary, peerPort, set),
	}
}

// paddrInfoRecord converts the state of one path of association id to
// the sctp_paddrinfo record (times in milliseconds).
func paddrInfoRecord(id AssocID, p association.PathInfo, peerPort uint16, set *settings) PaddrInfo {
	return PaddrInfo{
		AssocID: id, Address: set.show(netip.AddrPortFrom(p.Addr.Addr(), peerPort)),
		State: p.State, Cwnd: clamp32(p.CWnd), Srtt: toMS(p.SRTT), Rto: toMS(p.RTO), Mtu: clamp32(p.MTU),
		Pmtud: p.PMTUD,
	}
}

func clamp16(n int) uint16 { return uint16(min(max(n, 0), math.MaxUint16)) }

func clamp32(n int) uint32 { return uint32(min(max(n, 0), math.MaxUint32)) }
