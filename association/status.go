package association

import (
	"errors"
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/timer"
)

// Status is the state of an association: the fields of gen_sctp's
// sctp_status (RFC 6458 Section 8.2.1).
type Status struct {
	State State
	// Rwnd is the peer's current receive window as this end sees it.
	Rwnd int
	// UnackData is the number of DATA chunks sent and not acknowledged.
	UnackData int
	// PendData is the number of bytes received and not yet delivered.
	PendData int
	// ReceiveBuffer is the receive buffer in use, which backs a_rwnd:
	// Config.ReceiveBuffer, or more once autotuning grew it (at most
	// Config.ReceiveBufferMax). SendBuffer is the send buffer in use,
	// likewise (at most Config.SendBufferMax).
	ReceiveBuffer, SendBuffer int
	// InStreams and OutStreams are the negotiated stream counts.
	InStreams, OutStreams uint16
	// FragmentationPoint is the largest user data of a DATA chunk.
	FragmentationPoint int
	// Primary is the primary path.
	Primary PathInfo
}

// Status returns the association status.
func (a *Association) Status() Status {
	return Status{
		State: a.state, Rwnd: max(0, a.peerRwnd), UnackData: a.out.len(),
		PendData: a.held(), ReceiveBuffer: a.rcvBuf(), SendBuffer: a.sendBuffer(),
		InStreams: a.inbound, OutStreams: a.outbound,
		FragmentationPoint: a.maxPayload(a.primary), Primary: a.pathInfo(a.primary),
	}
}

// SetPrimary makes the path to addr the primary path (gen_sctp
// sctp_primary_addr; RFC 9260 Section 6.4) and reports whether addr is a
// peer address.
func (a *Association) SetPrimary(addr netip.Addr) bool {
	p := a.pathFor(addr)
	if p == nil {
		return false
	}
	if p != a.primary {
		a.primary = p
		a.pushEvent(&PaddrChange{Addr: p.remote, State: AddrMadePrim})
	}
	return true
}

// Reconfigure applies the settings of cfg that may change during the life
// of an association: RTO bounds, retransmission limits, heartbeat
// interval, SACK delay, Nagle, MaxSeg, DisableFragments, Autoclose,
// MaxBurst, DefaultSend, buffers, the partial delivery point and the
// potentially-failed state of RFC 7829 (switched off, it returns paths in
// that state to active). Ports, stream counts, the randomness source,
// the logger, the shard, ZeroChecksum, and Interleaving and ECN once the
// handshake began keep their values. An invalid configuration changes nothing. A receive
// buffer set below the data held closes the window; data held out of
// order is then dropped, the highest TSNs first, when it keeps out the
// DATA chunk that fills the hole below it (reneging, RFC 9260 Section
// 6.2), and the peer sends it again.
func (a *Association) Reconfigure(now timer.Time, cfg Config) error {
	cfg.LocalPort, cfg.PeerPort = a.localPort, a.peerPort
	cfg.OutboundStreams, cfg.MaxInboundStreams = a.cfg.OutboundStreams, a.cfg.MaxInboundStreams
	cfg.Rand, cfg.Cookies, cfg.Shard, cfg.Buffers = a.cfg.Rand, a.keys, a.cfg.Shard, a.cfg.Buffers
	cfg.LoggerFactory, cfg.log = a.cfg.LoggerFactory, a.cfg.log
	cfg.ZeroChecksum = a.cfg.ZeroChecksum // announced at the handshake (RFC 9653 Section 7.1)
	if a.state != StateClosed {
		// Offered at the handshake: the chunks an association uses
		// cannot change (RFC 8260 Section 2.2.1).
		cfg.Interleaving = a.cfg.Interleaving
		// Likewise ECN: a receiver that stopped echoing the marks of a
		// peer that still sends ECT(0) would hide its congestion.
		cfg.ECN = a.cfg.ECN
		cfg.ASCONF, cfg.ASCONFNoAuth = a.cfg.ASCONF, a.cfg.ASCONFNoAuth
		// Changed by ASCONF (AddLocalAddr, DeleteLocalAddr) only.
		cfg.LocalAddrs = a.cfg.LocalAddrs
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return err
	}
	old := a.cfg
	a.cfg = &cfg
	a.retune(old)
	if cfg.RTO != old.RTO {
		for _, p := range a.paths {
			_ = p.rto.Reset(cfg.RTO)
		}
	}
	for _, p := range a.paths {
		if !cfg.PotentiallyFailed && p.state == PathPotentiallyFailed {
			// RFC 7829 switched off: without the PF state a path is active
			// until its error count exceeds Path.Max.Retrans (RFC 9260
			// Section 8.2); the errors counted so far stay.
			p.state = PathActive
		}
		if cfg.PathMaxRetrans != old.PathMaxRetrans {
			p.maxRetrans = cfg.PathMaxRetrans
		}
		if cfg.HeartbeatInterval != old.HeartbeatInterval || cfg.HeartbeatDisabled != old.HeartbeatDisabled {
			p.hbInterval, p.hbEnabled = cfg.HeartbeatInterval, !cfg.HeartbeatDisabled
			if a.state >= StateEstablished && a.state != StateClosed {
				a.startHeartbeat(now, p)
			}
		}
	}
	if a.reasm != nil && (cfg.PartialDeliveryPoint != old.PartialDeliveryPoint || cfg.ReceiveBuffer != old.ReceiveBuffer) {
		a.reasm.SetPartialDeliveryPoint(partialDeliveryPoint(&cfg))
		// A lower point may start partial deliveries of messages held: their
		// first pieces go to Poll now. Left in reassembly, they waited for
		// the next DATA chunk to be accepted, which a receive buffer full of
		// them refused.
		a.deliver()
	}
	if a.reasm != nil && fragmentInterleave(&cfg) != fragmentInterleave(old) {
		a.reasm.SetFragmentInterleave(fragmentInterleave(&cfg))
		a.deliver()
	}
	if cfg.Autoclose != old.Autoclose {
		a.autoclose.Stop()
		a.touch(now)
	}
	a.reconfigureScheduler(old)
	a.maybeWindowUpdate()
	return nil
}

// PathFlags are the flags of gen_sctp's sctp_paddrparams (RFC 6458
// Section 8.1.12 spp_flags).
type PathFlags uint16

// Path flags. An enable and a disable of the same feature together are
// invalid.
const (
	HBEnable PathFlags = 1 << iota
	HBDisable
	HBDemand
	PMTUDEnable
	PMTUDDisable
	SACKDelayEnable
	SACKDelayDisable
)

var pathFlagNames = [...]string{"hb_enable", "hb_disable", "hb_demand", "pmtud_enable",
	"pmtud_disable", "sackdelay_enable", "sackdelay_disable"}

// String lists the gen_sctp atoms of the flags, separated by spaces.
func (f PathFlags) String() string {
	out := ""
	for i, n := range pathFlagNames {
		if f&(1<<i) != 0 {
			if out != "" {
				out += " "
			}
			out += n
		}
	}
	return out
}

// PathParams are per-destination settings (gen_sctp sctp_paddrparams,
// RFC 6458 Section 8.1.12). Zero values keep the current setting.
type PathParams struct {
	// HeartbeatInterval is HB.interval for the path.
	HeartbeatInterval time.Duration
	// PathMaxRetrans is Path.Max.Retrans for the path.
	PathMaxRetrans int
	// PathMTU is the packet budget of the path (the path MTU less the IP
	// and UDP headers): fixed while PMTU discovery is off; while it is on
	// (PMTUDEnable, or Config.PMTUD), the largest size it probes
	// (MAX_PLPMTU), and GetPathParams reports the PLPMTU found.
	PathMTU int
	// SACKDelay is the delayed-SACK timeout. gensctp keeps one SACK timer
	// per association, so it applies to the whole association.
	SACKDelay time.Duration
	// Flags switch heartbeats, PMTU discovery and delayed SACKs, and ask
	// for a heartbeat now (HBDemand).
	Flags PathFlags
}

// Errors of SetPathParams.
var (
	// ErrNoSuchPath: the address is not a peer address of the association.
	ErrNoSuchPath = errors.New("association: not a peer address")
	// ErrInvalidPathParams: a negative value, an MTU below MinMTU, or an
	// enable and a disable flag of the same feature together.
	ErrInvalidPathParams = errors.New("association: invalid peer address parameters")
	// ErrNotSupported: the feature is not implemented.
	ErrNotSupported = errors.New("association: not supported")
)

// SetPathParams changes the settings of the path to addr, or of every
// path when addr is the zero Addr (gen_sctp's address {any, 0}). An error
// changes nothing.
func (a *Association) SetPathParams(now timer.Time, addr netip.Addr, pp PathParams) error {
	var paths []*path
	if addr.IsValid() {
		p := a.pathFor(addr)
		if p == nil {
			return ErrNoSuchPath
		}
		paths = []*path{p}
	} else {
		paths = a.paths
	}
	f := pp.Flags
	switch {
	case pp.PathMaxRetrans < 0 || pp.HeartbeatInterval < 0 || pp.SACKDelay < 0 ||
		pp.SACKDelay > MaxSACKDelay || pp.PathMTU != 0 && (pp.PathMTU < MinMTU || pp.PathMTU > 65535):
		return ErrInvalidPathParams
	case f.has(HBEnable | HBDisable), f.has(PMTUDEnable | PMTUDDisable), f.has(SACKDelayEnable | SACKDelayDisable):
		// gen_sctp: "an enable/disable pair together is rejected with
		// einval".
		return ErrInvalidPathParams
	}
	for _, p := range paths {
		if pp.PathMaxRetrans > 0 {
			p.maxRetrans = pp.PathMaxRetrans
		}
		if pp.HeartbeatInterval > 0 {
			p.hbInterval = pp.HeartbeatInterval
		}
		switch {
		case f&HBEnable != 0:
			p.hbEnabled = true
		case f&HBDisable != 0:
			p.hbEnabled = false
		}
		a.setPathPMTUD(p, pp)
		if a.state >= StateEstablished && a.state != StateClosed {
			if f&HBDemand != 0 {
				a.sendHeartbeat(now, p)
			}
			a.startHeartbeat(now, p)
		}
	}
	cfg := *a.cfg // a.cfg may be shared: see Association.cfg
	if pp.SACKDelay > 0 {
		cfg.SACKDelay = pp.SACKDelay
	}
	switch {
	case f&SACKDelayEnable != 0:
		cfg.SACKDelayDisabled = false
	case f&SACKDelayDisable != 0:
		cfg.SACKDelayDisabled = true
	}
	if cfg.SACKDelay != a.cfg.SACKDelay || cfg.SACKDelayDisabled != a.cfg.SACKDelayDisabled {
		a.cfg = &cfg
	}
	return nil
}

func (f PathFlags) has(both PathFlags) bool { return f&both == both }

// GetPathParams returns the settings of the path to addr.
func (a *Association) GetPathParams(addr netip.Addr) (PathParams, error) {
	p := a.pathFor(addr)
	if p == nil {
		return PathParams{}, ErrNoSuchPath
	}
	pp := PathParams{HeartbeatInterval: p.hbInterval, PathMaxRetrans: p.maxRetrans,
		PathMTU: p.mtu, SACKDelay: a.cfg.SACKDelay, Flags: PMTUDDisable}
	if p.pl != nil {
		pp.Flags = PMTUDEnable
	}
	if p.hbEnabled {
		pp.Flags |= HBEnable
	} else {
		pp.Flags |= HBDisable
	}
	if a.cfg.SACKDelayDisabled {
		pp.Flags |= SACKDelayDisable
	} else {
		pp.Flags |= SACKDelayEnable
	}
	return pp, nil
}
