package association

import (
	"fmt"
	"net/netip"
	"time"
)

// Defaults of PMTUDConfig.
const (
	// DefaultPMTUDProbeTimer is PROBE_TIMER (RFC 8899 Section 5.1.1:
	// "This value MUST NOT be smaller than 1 second and SHOULD be larger
	// than 15 seconds").
	DefaultPMTUDProbeTimer = 15 * time.Second
	// MinPMTUDProbeTimer is the least PROBE_TIMER PMTUDConfig accepts
	// (the MUST of the same sentence).
	MinPMTUDProbeTimer = time.Second
	// DefaultPMTUDRaiseTimer is PMTU_RAISE_TIMER (RFC 8899 Section 5.1.1:
	// "This timer has a period of 600 seconds").
	DefaultPMTUDRaiseTimer = 600 * time.Second
	// DefaultPMTUDMaxProbes is MAX_PROBES (RFC 8899 Section 5.1.2: "The
	// default value of MAX_PROBES is 3").
	DefaultPMTUDMaxProbes = 3
	// PMTUDBaseIP is BASE_PLPMTU at the IP layer (RFC 8899 Section 5.1.2:
	// "a default BASE_PLPMTU of 1200 bytes is RECOMMENDED").
	PMTUDBaseIP = 1200
	// ipv4Overhead and ipv6Overhead are the IP and UDP headers that the
	// encapsulation adds to an SCTP packet (RFC 6951 Section 5.6: the
	// path MTU is decreased "by the size of the UDP header").
	ipv4Overhead = 20 + 8
	ipv6Overhead = 40 + 8
)

// PMTUDConfig configures packetization layer path MTU discovery (RFC 8899
// Sections 5 and 6.2, DPLPMTUD for SCTP over UDP). All sizes are SCTP
// packet budgets: the IP and UDP headers are not included.
type PMTUDConfig struct {
	// Enabled turns PLPMTUD on for every path (gen_sctp's pmtud_enable
	// in sctp_peer_addr_params). Config.MTU is then MAX_PLPMTU, the
	// largest size probed, unless InterfaceMTU knows better, and each
	// path starts at BASE_PLPMTU and searches upwards. Off (the
	// default), every path uses Config.MTU (or PathParams.PathMTU) as a
	// fixed budget.
	Enabled bool
	// Base is BASE_PLPMTU; 0 means 1200 bytes at the IP layer less the
	// IP and UDP headers of the path's address family (1172 for IPv4,
	// 1152 for IPv6). It is lowered to Config.MTU when that is smaller.
	Base int
	// ProbeTimer is the least PROBE_TIMER: a probe is lost when no
	// HEARTBEAT ACK answers it within the larger of ProbeTimer and the
	// path's RTO. Default 15 s (RFC 8899 Section 5.1.1: it "MUST NOT be
	// smaller than 1 second and SHOULD be larger than 15 seconds"), so
	// that each probe size that does not pass costs MAX_PROBES times 15
	// s of search (the PLPMTU found so far carries the data meanwhile,
	// and a validated PTB message cuts the search short, see HandlePTB);
	// at least 1 s (MinPMTUDProbeTimer) on paths known to answer fast.
	ProbeTimer time.Duration
	// RaiseTimer is PMTU_RAISE_TIMER: a path whose search completed
	// searches again this long after (default 600 s).
	RaiseTimer time.Duration
	// MaxProbes is MAX_PROBES, the probes of one size lost in a row that
	// make the size fail (default 3).
	MaxProbes int
	// InterfaceMTU, when set, returns the MTU (IP layer) of the local
	// interface toward a peer address, 0 when unknown: MAX_PLPMTU of a
	// path is then that less the IP and UDP headers (RFC 8899 Section
	// 5.1.2: "less than or equal to the maximum size of the PL packet
	// that can be sent on the outgoing interface"), instead of
	// Config.MTU. The api package sets it from the host's interfaces.
	InterfaceMTU func(peer netip.Addr) int
}

// withDefaults sets the zero fields of c to their defaults.
func (c *PMTUDConfig) withDefaults() {
	if c.ProbeTimer == 0 {
		c.ProbeTimer = DefaultPMTUDProbeTimer
	}
	if c.RaiseTimer == 0 {
		c.RaiseTimer = DefaultPMTUDRaiseTimer
	}
	if c.MaxProbes == 0 {
		c.MaxProbes = DefaultPMTUDMaxProbes
	}
}

// validate checks c after defaults were applied.
func (c *PMTUDConfig) validate() error {
	bad := func(field string, v any) error {
		return fmt.Errorf("%w: PMTUD.%s = %v", ErrInvalidConfig, field, v)
	}
	switch {
	case c.Base != 0 && (c.Base < MinMTU || c.Base > 65535):
		return bad("Base", c.Base)
	case c.ProbeTimer < MinPMTUDProbeTimer:
		// RFC 8899 Section 5.1.1: "This value MUST NOT be smaller than 1
		// second".
		return bad("ProbeTimer", c.ProbeTimer)
	case c.RaiseTimer < c.ProbeTimer:
		return bad("RaiseTimer", c.RaiseTimer)
	case c.MaxProbes < 1:
		return bad("MaxProbes", c.MaxProbes)
	}
	return nil
}
