package api

import (
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
)

// AssocStats are the counters of one association and the round-trip
// estimates and congestion state of its paths, an addition to gen_sctp
// (whose getstat counts a socket's user messages only, see Socket.Stats),
// after Linux's SCTP_GET_ASSOC_STATS: the messages, packets, bytes (user
// and on the wire), chunks by type, DATA chunks and SACKs sent and
// received, the retransmissions (fast and after T3-rtx expiries apart),
// the gap reports, the duplicate TSNs received, the messages abandoned,
// the DATA chunks and events dropped (see association.Stats for each
// field).
type AssocStats struct {
	association.Stats
	// Paths are the peer addresses, the primary first.
	Paths []PathStats
	// ZeroChecksum reports whether the association negotiated the zero
	// checksum of RFC 9653 (SCTPAcceptZeroChecksum on both ends): its
	// packets go out without a CRC32c (Stats.ZeroChecksumsSent).
	ZeroChecksum bool
}

// PathStats is one peer address of an association, with its smoothed
// round-trip time and retransmission timeout (RFC 9260 Section 6.3.1) not
// rounded: PaddrInfo has them in whole milliseconds, which reads 0 on
// loopback.
type PathStats struct {
	// Address is the peer's IP and SCTP port, as PaddrInfo shows it.
	Address netip.AddrPort
	State   PaddrInfoState
	Primary bool
	SRTT    time.Duration
	RTO     time.Duration
	// RTT is the last round-trip time measured, RTTVAR the round-trip
	// time variation (0 before the first measurement).
	RTT, RTTVAR time.Duration
	// Cwnd and SSThresh are the congestion window and slow-start
	// threshold, Flight the bytes outstanding to the address (RFC 9260
	// Section 7.2), MTU the largest SCTP packet sent to it, ErrorCount
	// its error counter (Section 8.2).
	Cwnd, SSThresh, Flight, MTU int
	ErrorCount                  int
	// Pmtud is the state of the path's MTU discovery (RFC 8899): with
	// pmtud_enable, MTU is the PLPMTU found so far.
	Pmtud PmtudState
}

// AssocStats returns the counters of association assoc; on a one-to-one
// socket 0 means its association. Errors: ErrNoAssociation for an
// association that is not the socket's (assoc 0 on a one-to-many socket
// included), ErrNotConnected on a one-to-one socket without one, and
// net.ErrClosed once the socket is closed.
func (s *Socket) AssocStats(assoc AssocID) (AssocStats, error) {
	var out AssocStats
	err := s.do(func(timer.Time) error {
		_, a, err := s.assocLocked(assoc)
		if err != nil {
			return err
		}
		out.Stats = a.Stats()
		out.ZeroChecksum = a.ZeroChecksum()
		port := a.Config().PeerPort
		for _, p := range a.Paths() {
			ps := PathStats{Address: s.st.show(netip.AddrPortFrom(p.Addr.Addr(), port)),
				State: p.State, Primary: p.Primary, SRTT: p.SRTT, RTO: p.RTO,
				RTT: p.RTT, RTTVAR: p.RTTVAR, Cwnd: p.CWnd, SSThresh: p.SSThresh, Flight: p.FlightSize,
				MTU: p.MTU, ErrorCount: p.ErrorCount, Pmtud: p.PMTUD}
			if p.Primary {
				out.Paths = append([]PathStats{ps}, out.Paths...)
			} else {
				out.Paths = append(out.Paths, ps)
			}
		}
		return nil
	})
	return out, opError("getstat", assoc, -1, err)
}
