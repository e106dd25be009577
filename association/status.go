package association

import (
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
		PendData: a.held(), InStreams: a.inbound, OutStreams: a.outbound,
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
// MaxBurst, DefaultSend, buffers and the partial delivery point. Ports,
// stream counts and the randomness source keep their values. An invalid
// configuration changes nothing.
func (a *Association) Reconfigure(now timer.Time, cfg Config) error {
	cfg.LocalPort, cfg.PeerPort = a.cfg.LocalPort, a.cfg.PeerPort
	cfg.OutboundStreams, cfg.MaxInboundStreams = a.cfg.OutboundStreams, a.cfg.MaxInboundStreams
	cfg.Rand, cfg.Cookies = a.cfg.Rand, a.keys
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return err
	}
	old := a.cfg
	a.cfg = cfg
	if cfg.RTO != old.RTO {
		for _, p := range a.paths {
			_ = p.rto.Reset(cfg.RTO)
		}
	}
	for _, p := range a.paths {
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
	if cfg.PartialDeliveryPoint != old.PartialDeliveryPoint || cfg.ReceiveBuffer != old.ReceiveBuffer {
		pdp := cfg.PartialDeliveryPoint
		if pdp == 0 {
			pdp = cfg.ReceiveBuffer / 2
		}
		a.reasm.SetPartialDeliveryPoint(pdp)
	}
	if cfg.Autoclose != old.Autoclose {
		a.autoclose.Stop()
		a.touch(now)
	}
	a.maybeWindowUpdate()
	return nil
}

// PathParams are per-destination settings (gen_sctp sctp_paddrparams).
type PathParams struct {
	HeartbeatInterval time.Duration
	HeartbeatEnabled  bool
	PathMaxRetrans    int
	// MTU is the packet budget of the path; 0 keeps the current one.
	MTU int
}

// SetPathParams changes the settings of the path to addr and reports
// whether addr is a peer address.
func (a *Association) SetPathParams(now timer.Time, addr netip.Addr, pp PathParams) bool {
	p := a.pathFor(addr)
	if p == nil || pp.PathMaxRetrans < 0 || pp.HeartbeatInterval < 0 || pp.MTU != 0 && pp.MTU < MinMTU {
		return false
	}
	if pp.PathMaxRetrans > 0 {
		p.maxRetrans = pp.PathMaxRetrans
	}
	if pp.HeartbeatInterval > 0 {
		p.hbInterval = pp.HeartbeatInterval
	}
	p.hbEnabled = pp.HeartbeatEnabled
	if pp.MTU > 0 {
		p.mtu = pp.MTU
		p.cc.SetMTU(a.pmdcs(p))
	}
	if a.state >= StateEstablished && a.state != StateClosed {
		a.startHeartbeat(now, p)
	}
	return true
}
