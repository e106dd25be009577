package api

import (
	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/packetio"
)

// SCTPEcnSupported offers Explicit Congestion Notification (RFC 4960
// Appendix A, the ECN Capable parameter; Linux and FreeBSD
// SCTP_ECN_SUPPORTED) in the associations set up later, an addition to
// gen_sctp: on by default where the UDP sockets can set and read the ECN
// bits (Linux; udpencap.Conn.ECNCapable), off elsewhere and over other
// transports, where this option changes nothing. Associations whose peer
// offers it too mark their DATA packets ECT(0), echo the Congestion
// Experienced marks they receive, and halve their congestion window once
// per window for the marks echoed to them, instead of waiting for a loss.
// Associations already set up keep what they negotiated. GetOpts reads
// it as a bool: the setting, whether or not the platform can.
func SCTPEcnSupported(on bool) Option {
	return Option{name: "sctp_ecn_supported", apply: func(c *optCtx) error {
		return c.changeTemplate(func(cfg *association.Config) { cfg.ECN = on })
	}}
}

// ecnCapable reports whether t sets and reads the ECN field of the
// packets.
func ecnCapable(t packetio.Transport) bool {
	e, ok := t.(packetio.ECNCapable)
	return ok && e.ECNCapable()
}

// onTransport returns cfg with ECN off when t cannot carry it: an
// association must not announce ECN it cannot see the marks of.
func onTransport(cfg association.Config, t packetio.Transport) association.Config {
	cfg.ECN = cfg.ECN && ecnCapable(t)
	return cfg
}
