package api

import (
	"math"

	"github.com/gensctp/gensctp/endpoint"
)

// This file holds the options that bound what peers can make a socket
// hold or do: additions to gen_sctp, whose kernel sockets have limits of
// their own.

// DefaultMaxAssociations is the default of MaxAssociations: at about
// 9 KiB per idle association (receive and send buffers are charged as
// data arrives or is queued), some 36 MiB, and room for the thousands of
// peers of a busy server.
const DefaultMaxAssociations = 4096

// MaxAssociations bounds the associations of the socket's SCTP port (an
// addition to gen_sctp; default DefaultMaxAssociations, 0 for no limit):
// those of this socket, of the sockets peeled off or accepted from it,
// and the ones that have ended whose last events were not read yet. At
// the limit, Connect fails with ErrTooManyAssociations (reason enobufs),
// and a peer's INIT or COOKIE ECHO that would set up a new association is
// answered with an ABORT carrying an "Out of Resource" cause, so that its
// connect fails at once (RFC 9260 Section 5.1: "If an endpoint receives
// an INIT, INIT ACK, or COOKIE ECHO chunk but decides not to establish the
// new association due to ... lack of local resources, it SHOULD respond
// with an ABORT chunk"). Lowering it below the associations held ends
// none of them. Linux bounds only the associations a one-to-one listener
// has set up and not accepted (its backlog; here the Backlog option);
// without a bound, one host completing handshakes as fast as it can made
// a socket hold 20,541 associations in 3.4 s. A peeled-off or accepted
// socket keeps the value without effect: the limit is its parent's.
func MaxAssociations(n int) Option {
	return Option{name: "max_associations", apply: func(c *optCtx) error {
		if n < 0 || n > math.MaxInt32 {
			return badValue(n)
		}
		c.st.maxAssocs = n
		return nil
	}}
}

// defaultInitRate is the default of InitRate.
var defaultInitRate = InitRateValue{PerSecond: endpoint.DefaultInitRate, Burst: endpoint.DefaultInitBurst}

// InitRateValue is the value of the init_rate option as GetOpts returns
// it.
type InitRateValue struct {
	// PerSecond is the rate once the burst is spent; 0: no limit.
	PerSecond int
	// Burst is how many INITs a source may send at once.
	Burst int
}

// InitRate bounds the INIT chunks the socket's SCTP port answers from one
// source, an IPv4 address or an IPv6 /64 prefix (an addition to
// gen_sctp): burst at once, then perSecond per second (default
// endpoint.DefaultInitRate, 128, after endpoint.DefaultInitBurst, 256);
// perSecond 0 turns the limit off. An INIT over the limit is discarded
// without an answer, so that a flood costs neither an INIT ACK with a
// signed cookie nor an ABORT; a real peer retransmits its INIT when its
// T1-init timer expires (RFC 9260 Section 5.1.6) and gets in once its
// source is under the rate. The sources are kept in a table of fixed
// size, whatever their number. perSecond is at most
// endpoint.MaxInitRate, burst at least 1 and at most
// endpoint.MaxInitBurst. A peeled-off or accepted socket keeps the value
// without effect: the limit is its parent's.
func InitRate(perSecond, burst int) Option {
	return Option{name: "init_rate", apply: func(c *optCtx) error {
		switch {
		case perSecond == 0:
			burst = 0
		case perSecond < 0 || perSecond > endpoint.MaxInitRate:
			return badValue(perSecond)
		case burst < 1 || burst > endpoint.MaxInitBurst:
			return badValue(burst)
		}
		c.st.initRate = InitRateValue{PerSecond: perSecond, Burst: burst}
		return nil
	}}
}

// endpointLimits sets the limits of set in cfg.
func endpointLimits(cfg *endpoint.Config, set *settings) {
	cfg.MaxAssociations = set.maxAssocs
	cfg.InitRate, cfg.InitBurst = endpointInitRate(set.initRate)
}

// endpointInitRate returns the endpoint's InitRate and InitBurst for v
// (the endpoint's 0 means its default, a negative rate no limit).
func endpointInitRate(v InitRateValue) (rate, burst int) {
	if v.PerSecond == 0 {
		return -1, 0
	}
	return v.PerSecond, v.Burst
}

// commitLimitsLocked pushes changed limits of st to the endpoint of a
// socket that is not peeled off (checked by the options).
func (s *Socket) commitLimitsLocked(st *settings) {
	if s.peeled {
		return
	}
	if st.maxAssocs != s.st.maxAssocs {
		_ = s.share.ep.SetMaxAssociations(st.maxAssocs)
	}
	if st.initRate != s.st.initRate {
		_ = s.share.ep.SetInitRate(endpointInitRate(st.initRate))
	}
}
