package association

import (
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/congestion"
	"github.com/gensctp/gensctp/timer"
)

// PathState is the state of a destination transport address (RFC 9260
// Section 8.2, RFC 7829).
type PathState uint8

// Path states.
const (
	// PathActive: the destination is reachable.
	PathActive PathState = iota
	// PathInactive: the destination exceeded Path.Max.Retrans.
	PathInactive
	// PathUnconfirmed: the address was listed by the peer and not yet
	// confirmed by a HEARTBEAT ACK (RFC 9260 Section 5.4).
	PathUnconfirmed
	// PathPotentiallyFailed: RFC 7829's intermediate state.
	PathPotentiallyFailed
)

// String returns the gen_sctp sctp_paddrinfo state atom ("undefined" for
// potentially failed, which gen_sctp does not name).
func (s PathState) String() string {
	switch s {
	case PathActive:
		return "active"
	case PathInactive:
		return "inactive"
	case PathUnconfirmed:
		return "unconfirmed"
	}
	return "undefined"
}

// path is the per-destination state of RFC 9260 Section 6.3, 7 and 8: the
// peer's address and UDP encapsulation port (RFC 6951 Section 5.1), the
// RTO estimator, the congestion controller, the PMTU, the error counter
// and the per-path timers.
type path struct {
	remote netip.AddrPort // peer IP and its UDP encapsulation port
	local  netip.Addr     // source address to send from; invalid: any
	state  PathState

	rto        congestion.RTOEstimator
	rtt        time.Duration // the last RTT measurement (measure)
	cc         congestion.Standard
	mtu        int
	errorCount int
	maxRetrans int
	flightSize int

	t3 timer.Timer
	hb timer.Timer
	pl *plpmtud // PLPMTUD (RFC 8899); nil when off

	hbEnabled     bool
	hbInterval    time.Duration
	hbNonce       uint64
	hbOutstanding bool
	// probeSeq orders the path-verification probes of unconfirmed paths
	// (0: never probed); probeWait is set while HB.Max.Burst defers one
	// (RFC 9260 Section 5.4, see probeUnconfirmed).
	probeSeq  uint64
	probeWait bool

	// RTT measurement in progress on DATA (one per round trip; Karn's
	// rule, RFC 9260 Section 6.3.1 C5).
	rttActive bool
	rttTSN    chunk.TSN
	rttSent   timer.Time

	// Per-SACK scratch (RFC 9260 Sections 6.3.2 R3, 7.2).
	ackedBytes     int
	flightBefore   int
	lowest         chunk.TSN
	hasLowest      bool
	ackedLowest    bool
	fastRtxPending bool

	lastDataSend timer.Time // last DATA sent, for cwnd validation
	// lastProbe is the last time a chunk that can measure the RTT (new
	// DATA, HEARTBEAT) was sent to this path: RFC 9260 Section 8.3 calls
	// the path "idle" when there was none in the current heartbeat period.
	// SACKs, HEARTBEAT ACKs and retransmissions do not count.
	lastProbe timer.Time
	lastError timer.Time // last increment of errorCount
	sentData  bool       // lastDataSend is set
}

// addPath adds a destination for remote, confirmed or not, and returns it.
func (a *Association) addPath(remote netip.AddrPort, confirmed bool) *path {
	p := &path{
		remote:     remote,
		local:      a.localFor(remote.Addr()),
		mtu:        a.cfg.MTU,
		maxRetrans: a.cfg.PathMaxRetrans,
		hbEnabled:  !a.cfg.HeartbeatDisabled,
		hbInterval: a.cfg.HeartbeatInterval,
	}
	a.pmtudInit(p)
	if !confirmed {
		p.state = PathUnconfirmed
	}
	p.rto, _ = congestion.NewRTOEstimator(a.cfg.RTO) // validated with the Config
	p.cc.Reset(a.pmdcs(p), false)
	// RFC 9260 Section 7.2.1: "The positive integer L SHOULD be 1 and MAY
	// be larger than 1. See [RFC3465] for details of choosing L." With
	// delayed SACKs (one per two packets) L = 2 keeps slow start doubling
	// cwnd per round trip, as RFC 3465 Section 2.3 recommends.
	p.cc.SetL(2)
	p.t3 = timer.Timer{ID: timer.T3Rtx, MaxRestarts: 0}
	p.hb = timer.Timer{ID: timer.Heartbeat, MaxRestarts: 0}
	a.timers.Add(&p.t3)
	a.timers.Add(&p.hb)
	a.paths = append(a.paths, p)
	a.pathsGen++
	return p
}

// PeerAddrsGen changes each time a peer address is added to the
// association or removed from it: at the handshake, and by the peer's
// ASCONF Add and Delete IP Address requests (RFC 5061 Sections 4.2.1,
// 4.2.2). A user that routes packets by the peer's addresses (an
// endpoint's lookup table, RFC 9260 Section 5.2) compares it with the
// value it last saw after each call into the association and re-reads
// AppendPeerAddrs when it differs (no call changes it by anywhere near
// 65536).
func (a *Association) PeerAddrsGen() uint16 { return a.pathsGen }

// AppendPeerAddrs appends the peer's IP addresses, one per path (IPv4-
// mapped addresses unmapped), to dst and returns the extended slice.
func (a *Association) AppendPeerAddrs(dst []netip.Addr) []netip.Addr {
	for _, p := range a.paths {
		dst = append(dst, p.remote.Addr().Unmap())
	}
	return dst
}

// pathFor returns the path whose peer IP is addr, or nil.
func (a *Association) pathFor(addr netip.Addr) *path {
	addr = addr.Unmap()
	for _, p := range a.paths {
		if p.remote.Addr().Unmap() == addr {
			return p
		}
	}
	return nil
}

// maxPayload returns the largest user data a DATA chunk to p can carry in
// a packet of its own (RFC 9260 Section 6.9 "PMDCS"): the chunk is padded
// to a multiple of 4 bytes (Section 3.2), so that on a path whose MTU is
// not one (1163 over DTLS, for example) the packet holds what its MTU
// rounded down allows, as addNewData counts.
func (a *Association) maxPayload(p *path) int {
	n := (p.mtu-12)&^3 - a.dataHeaderLen() - a.authDataLen() // common header, AUTH, DATA or I-DATA header
	if a.cfg.MaxSeg > 0 && a.cfg.MaxSeg < n {
		n = a.cfg.MaxSeg
	}
	return n
}

// PathInfo is the state of one destination, the fields of gen_sctp's
// sctp_paddrinfo.
type PathInfo struct {
	Addr  netip.AddrPort
	State PathState
	CWnd  int
	SRTT  time.Duration
	RTO   time.Duration
	// MTU is the SCTP packet budget of the path: the path MTU less the
	// IP and UDP headers (Config.MTU, or PathParams.PathMTU).
	MTU int
	// Primary reports whether this is the primary path.
	Primary bool
	// PMTUD is the state of the path's MTU discovery (RFC 8899);
	// PLPMTUDDisabled when it is off. MTU is then the PLPMTU found.
	PMTUD PLPMTUDState
	// ErrorCount is the path's error counter (RFC 9260 Section 8.2).
	ErrorCount int
	// FlightSize is the number of bytes outstanding to this path.
	FlightSize int
	// SSThresh is the path's slow-start threshold (RFC 9260 Section 7.2;
	// not in gen_sctp's sctp_paddrinfo).
	SSThresh int
	// RTT is the last round-trip time measured on the path (RFC 9260
	// Section 6.3.1), and RTTVAR the round-trip time variation; 0 before
	// the first measurement.
	RTT, RTTVAR time.Duration
}

// Paths returns the state of every destination.
func (a *Association) Paths() []PathInfo {
	out := make([]PathInfo, 0, len(a.paths))
	for _, p := range a.paths {
		out = append(out, a.pathInfo(p))
	}
	return out
}

func (a *Association) pathInfo(p *path) PathInfo {
	return PathInfo{
		Addr: p.remote, State: p.state, CWnd: p.cc.CWnd(), SRTT: p.rto.SRTT(),
		RTO: p.rto.RTO(), MTU: p.mtu, Primary: p == a.primary,
		ErrorCount: p.errorCount, FlightSize: p.flightSize, SSThresh: p.cc.SSThresh(),
		RTT: p.rtt, RTTVAR: p.rto.RTTVAR(), PMTUD: p.pmtudState(),
	}
}
