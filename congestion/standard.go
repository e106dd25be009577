package congestion

// Initial congestion windows of RFC 9260 Section 7.2.1 ("The initial cwnd
// before data transmission MUST be set to min(4 * PMDCS, max(2 * PMDCS,
// 4404)) bytes if the peer address is an IPv4 address and to min(4 * PMDCS,
// max(2 * PMDCS, 4344)) bytes if the peer address is an IPv6 address.").
const (
	initialWindowIPv4 = 4404
	initialWindowIPv6 = 4344
)

// InitialCWnd returns the initial cwnd of RFC 9260 Section 7.2.1 for a path
// with the given PMDCS (mtu) to an IPv4 or IPv6 peer address. Non-positive
// mtu is treated as 1.
func InitialCWnd(mtu int, ipv6 bool) int {
	mtu = clampMTU(mtu)
	floor := initialWindowIPv4
	if ipv6 {
		floor = initialWindowIPv6
	}
	return min(satMul(4, mtu), max(satMul(2, mtu), floor))
}

// Standard is the congestion control of RFC 9260 Section 7 (slow start,
// congestion avoidance with partial_bytes_acked, and the reductions on fast
// retransmit and on T3-rtx expiry) for one destination.
//
// The zero value is not ready: call Reset, or use NewStandard. Standard is a
// plain value that may be embedded in the per-path state.
//
// Not safe for concurrent use; the caller serialises.
type Standard struct {
	mtu               int
	cwnd              int
	ssthresh          int
	partialBytesAcked int
	l                 int  // the L of Section 7.2.1; 0 means 1
	ipv6              bool // the peer address family, for Reset
	idle              bool // an idle period began: ssthresh was saved
	// ecnReduced: OnECNEcho reduced the window, when the highest serial
	// number sent was ecnRecover (the end of its window of data).
	ecnReduced bool
	ecnRecover uint32
}

var _ Controller = (*Standard)(nil)

// NewStandard returns a controller for a path with PMDCS mtu to an IPv4
// peer address: cwnd = InitialCWnd(mtu, false), ssthresh = MaxWindow
// ("arbitrarily high") until SetSSThresh, partial_bytes_acked = 0, L = 1.
func NewStandard(mtu int) *Standard {
	s := &Standard{}
	s.Reset(mtu, false)
	return s
}

// Reset (re)initialises the controller for a path with PMDCS mtu to an IPv4
// or IPv6 peer address, as at association start or when RFC 9260 Section
// 7.2.5 requires it ("the congestion control MUST be reinitialized"):
// cwnd = InitialCWnd(mtu, ipv6), ssthresh = MaxWindow, partial_bytes_acked
// = 0. L is kept. Non-positive mtu is treated as 1.
func (s *Standard) Reset(mtu int, ipv6 bool) {
	*s = Standard{
		mtu:      clampMTU(mtu),
		cwnd:     InitialCWnd(mtu, ipv6),
		ssthresh: maxWindow,
		l:        s.l,
		ipv6:     ipv6,
	}
}

// SetSSThresh sets ssthresh, typically to the peer's advertised receiver
// window at association start (RFC 9260 Section 7.2.1: "The initial value of
// ssthresh SHOULD be arbitrarily high (e.g., the size of the
// largest-possible advertised window)."). It saturates at 0 and MaxWindow.
func (s *Standard) SetSSThresh(ssthresh int) { s.ssthresh = clampWindow(ssthresh) }

// SetL sets L, the number of PMDCS by which one SACK may grow cwnd in slow
// start (RFC 9260 Section 7.2.1: "The positive integer L SHOULD be 1 and MAY
// be larger than 1."). Values below 1 mean 1.
func (s *Standard) SetL(l int) { s.l = max(l, 1) }

// L returns the slow-start increase limit in PMDCS units.
func (s *Standard) L() int { return max(s.l, 1) }

// CWnd returns the congestion window in bytes.
func (s *Standard) CWnd() int { return s.cwnd }

// SSThresh returns the slow-start threshold in bytes.
func (s *Standard) SSThresh() int { return s.ssthresh }

// PartialBytesAcked returns partial_bytes_acked in bytes.
func (s *Standard) PartialBytesAcked() int { return s.partialBytesAcked }

// MTU returns the path's PMDCS in bytes.
func (s *Standard) MTU() int { return s.mtu }

// SetMTU updates the path's PMDCS. If cwnd is below one new PMDCS it is
// raised to it, so that one full packet always fits the window (cwnd never
// falls below the PMDCS of RFC 9260 Section 7.2.3). Non-positive mtu is
// treated as 1.
func (s *Standard) SetMTU(mtu int) {
	s.mtu = clampMTU(mtu)
	s.cwnd = max(s.cwnd, s.mtu)
}

// OnAck applies one SACK to this destination (see Controller.OnAck).
//
// In slow start (cwnd <= ssthresh), RFC 9260 Section 7.2.1: "When cwnd is
// less than or equal to ssthresh, an SCTP endpoint MUST use the slow-start
// algorithm to increase cwnd only if the current congestion window is being
// fully utilized and the data sender is not in Fast Recovery. Only when
// these two conditions are met can the cwnd be increased; otherwise, the
// cwnd MUST NOT be increased. If these conditions are met, then cwnd MUST be
// increased by, at most, the lesser of 1. the total size of the previously
// outstanding DATA chunk(s) acknowledged and 2. L times the destination's
// PMDCS." The window counts as fully utilized when flightSize >= cwnd (with
// rule B of Section 6.1 a sender with data to send always reaches cwnd).
// Standard also requires cumAdvanced, as RFC 4960 did, which is more
// conservative and so allowed (RFC 9260 Section 7: "an implementation is
// always allowed to adopt a more conservative congestion control algorithm
// than the one defined below").
//
// In congestion avoidance (cwnd > ssthresh) it follows the
// partial_bytes_acked rules of RFC 9260 Section 7.2.2, counting every SACK,
// including those that only carry Gap Ack Blocks, as the text says. Callers
// may include the bytes of chunks reported in Duplicate TSNs in acked ("and
// by the number of bytes of duplicated chunks reported in Duplicate TSNs").
// At most one PMDCS is added per SACK, and only with flightSize >= cwnd, so
// growth stays within one PMDCS per round trip.
//
// In fast recovery nothing grows: partial_bytes_acked does not accumulate
// either, so that leaving fast recovery does not release a burst of growth.
//
// In every case, when the SACK acknowledges all outstanding data on this
// destination (acked >= flightSize), partial_bytes_acked becomes 0 ("When
// all of the data transmitted by the sender has been acknowledged by the
// receiver, partial_bytes_acked is initialized to 0.").
func (s *Standard) OnAck(acked, flightSize int, cumAdvanced, inFastRecovery bool) {
	acked, flightSize = clampWindow(acked), clampWindow(flightSize)
	if acked > 0 {
		s.idle = false // data was sent since the idle period
	}
	switch {
	case inFastRecovery:
	case s.cwnd <= s.ssthresh:
		if cumAdvanced && flightSize >= s.cwnd {
			s.cwnd = satAdd(s.cwnd, min(acked, satMul(s.L(), s.mtu)))
		}
	default:
		s.congestionAvoidance(acked, flightSize)
	}
	if acked >= flightSize {
		s.partialBytesAcked = 0
	}
}

// congestionAvoidance applies the partial_bytes_acked rules of RFC 9260
// Section 7.2.2.
func (s *Standard) congestionAvoidance(acked, flightSize int) {
	// "Whenever cwnd is greater than ssthresh, upon each SACK chunk arrival,
	// increase partial_bytes_acked by the total number of bytes (including
	// the chunk header and the padding) of all new DATA chunks acknowledged
	// in that SACK chunk".
	s.partialBytesAcked = satAdd(s.partialBytesAcked, acked)
	switch {
	case s.partialBytesAcked >= s.cwnd && flightSize >= s.cwnd:
		// "When (1) partial_bytes_acked is equal to or greater than cwnd
		// and (2) before the arrival of the SACK chunk the sender had cwnd
		// or more bytes of data outstanding [...], partial_bytes_acked is
		// reset to (partial_bytes_acked - cwnd). Next, cwnd is increased
		// by PMDCS."
		s.partialBytesAcked -= s.cwnd
		s.cwnd = satAdd(s.cwnd, s.mtu)
	case s.partialBytesAcked > s.cwnd:
		// "When (1) partial_bytes_acked is greater than cwnd and (2)
		// before the arrival of the SACK chunk the sender had less than
		// cwnd bytes of data outstanding [...], reset partial_bytes_acked
		// to cwnd."
		s.partialBytesAcked = s.cwnd
	}
}

// OnFastRetransmit applies RFC 9260 Section 7.2.3 on entering fast recovery
// ("Upon detection of packet losses from SACK chunks (see Section 7.2.4), an
// endpoint SHOULD do the following: ssthresh = max(cwnd / 2, 4 * PMDCS)
// cwnd = ssthresh partial_bytes_acked = 0"). flightSize is not used: RFC
// 9260 halves cwnd, not the flight size as RFC 5681 does. Note that the
// formula raises a cwnd below 4 * PMDCS to 4 * PMDCS, as written.
func (s *Standard) OnFastRetransmit(flightSize int) {
	s.ssthresh = max(s.cwnd/2, satMul(4, s.mtu))
	s.cwnd = s.ssthresh
	s.partialBytesAcked = 0
	s.idle = false
}

// OnRetransmitTimeout applies RFC 9260 Section 7.2.3 on T3-rtx expiry ("When
// the T3-rtx timer expires on an address, SCTP SHOULD perform slow start by:
// ssthresh = max(cwnd / 2, 4 * PMDCS) cwnd = PMDCS partial_bytes_acked =
// 0"). Keeping a single packet in flight until an acknowledgement arrives is
// the caller's job.
func (s *Standard) OnRetransmitTimeout() {
	s.ssthresh = max(s.cwnd/2, satMul(4, s.mtu))
	s.cwnd = s.mtu
	s.partialBytesAcked = 0
	s.idle = false
}

// OnIdle decays the window after one RTO without transmission on this
// destination (RFC 9260 Section 7.2.1: "While the endpoint does not
// transmit data on a given transport address, the cwnd of the transport
// address SHOULD be adjusted to max(cwnd / 2, 4 * PMDCS) once per RTO.
// Before the first cwnd adjustment, the ssthresh of the transport address
// SHOULD be set to the cwnd.").
//
// On the first call of an idle period, ssthresh becomes max(cwnd, 4 *
// PMDCS): the 4 * PMDCS floor matches the one of Section 7.2.3, so ssthresh
// never drops below it (the text alone would set ssthresh to 1 * PMDCS
// after a T3-rtx expiry). Then cwnd becomes max(cwnd / 2, 4 * PMDCS) but
// never grows: the formula alone would raise a window below 4 * PMDCS, such
// as the initial window, which would make idling more aggressive than
// sending. The idle period ends with the next OnAck that acknowledges data,
// or OnFastRetransmit, OnRetransmitTimeout or Reset. RFC 2861, which RFC
// 9260 does not cite here, is not followed.
func (s *Standard) OnIdle() {
	floor := satMul(4, s.mtu)
	if !s.idle {
		s.ssthresh = max(s.cwnd, floor)
		s.idle = true
	}
	s.cwnd = min(s.cwnd, max(s.cwnd/2, floor))
}
