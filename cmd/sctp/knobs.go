package main

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/congestion"
	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/udpencap"
)

// knobs are the protocol settings every subcommand accepts: the
// association parameters of RFC 9260 Section 16 and gen_sctp's options.
type knobs struct {
	rtoInitial, rtoMin, rtoMax time.Duration
	maxInitRetrans             int64
	assocMaxRetrans            int64
	pathMaxRetrans             int64
	pfMaxRetrans               int64 // -1: RFC 7829 off
	cookieLife                 time.Duration
	hbInterval                 time.Duration
	noHB                       bool
	sackDelay                  time.Duration
	rcvbuf, sndbuf             int64
	os, mis                    int64
	maxAssocs                  int64
}

const maxInt32 = 1<<31 - 1

// register adds the protocol flags to fs; perf adds tsctp's -R and -S as
// names of -rcvbuf and -sndbuf.
func (k *knobs) register(fs *flag.FlagSet, perf bool) {
	names := func(long, short string) []string {
		if perf && short != "" {
			return []string{long, short}
		}
		return []string{long}
	}
	rto := congestion.DefaultRTOConfig()
	day := 24 * time.Hour
	newDur(fs, &k.rtoInitial, rto.Initial, time.Millisecond, day, false, names("rto-initial", ""), "RTO.Initial: retransmission timeout (a `duration`) before the first RTT measurement")
	newDur(fs, &k.rtoMin, rto.Min, time.Millisecond, day, false, names("rto-min", ""), "RTO.Min: lower bound (a `duration`) of the retransmission timeout")
	newDur(fs, &k.rtoMax, rto.Max, time.Millisecond, day, false, names("rto-max", ""), "RTO.Max: upper bound (a `duration`) of the retransmission timeout")
	newInt(fs, &k.maxInitRetrans, association.DefaultMaxInitRetransmits, 0, 1000, names("max-init-retrans", ""), "Max.Init.Retransmits: `count` of INIT and COOKIE ECHO retransmissions before giving up")
	newInt(fs, &k.assocMaxRetrans, association.DefaultMaxRetrans, 1, 1000, names("assoc-max-retrans", ""), "Association.Max.Retrans: `count` of consecutive retransmissions before the association fails")
	newInt(fs, &k.pathMaxRetrans, association.DefaultPathMaxRetrans, 1, 1000, names("path-max-retrans", ""), "Path.Max.Retrans: `count` of consecutive retransmissions before a path is inactive")
	newInt(fs, &k.pfMaxRetrans, -1, -1, 65535, names("pf", ""), "RFC 7829 potentially-failed state: PotentiallyFailed.Max.Retrans, the `count` of timeouts after which a path is avoided while another is active (0 at the first); -1 turns it off")
	newDur(fs, &k.cookieLife, association.DefaultCookieLife, time.Second, day, false, names("cookie-life", ""), "Valid.Cookie.Life: lifetime (a `duration`) of a State Cookie")
	newDur(fs, &k.hbInterval, association.DefaultHeartbeatInterval, 0, day, false, names("hb-interval", ""), "HB.interval: heartbeat `interval` on idle paths; 0 turns heartbeats off")
	fs.BoolVar(&k.noHB, "no-hb", false, "turn heartbeats off (like -hb-interval 0)")
	newDur(fs, &k.sackDelay, association.DefaultSACKDelay, 0, association.MaxSACKDelay, false, names("sack-delay", ""), "delayed SACK timeout (a `duration`, at most 500ms); 0 acknowledges every packet at once")
	newInt(fs, &k.rcvbuf, association.DefaultReceiveBuffer, 1500, maxInt32, names("rcvbuf", "R"), "receive buffer in `bytes`: the advertised window (a_rwnd)")
	newInt(fs, &k.sndbuf, association.DefaultSendBuffer, 1, maxInt32, names("sndbuf", "S"), "send buffer in `bytes`: user data queued and not yet sent")
	newInt(fs, &k.os, association.DefaultOutboundStreams, 1, 65535, names("os", ""), "`number` of outbound streams requested")
	newInt(fs, &k.mis, association.DefaultMaxInboundStreams, 1, 65535, names("mis", ""), "maximum `number` of inbound streams accepted")
	newInt(fs, &k.maxAssocs, api.DefaultMaxAssociations, 0, maxInt32, names("max-assocs", ""), "maximum `number` of associations of the endpoint; 0 means no limit")
}

// config returns the association configuration, validated.
func (k *knobs) config() (association.Config, error) {
	c := association.Config{
		OutboundStreams:    uint16(k.os),
		MaxInboundStreams:  uint16(k.mis),
		MaxInitRetransmits: int(k.maxInitRetrans),
		RTO:                congestion.RTOConfig{Initial: k.rtoInitial, Min: k.rtoMin, Max: k.rtoMax},
		MaxRetrans:         int(k.assocMaxRetrans),
		PathMaxRetrans:     int(k.pathMaxRetrans),
		PotentiallyFailed:  k.pfMaxRetrans >= 0,
		PFMaxRetrans:       int(max(k.pfMaxRetrans, 0)),
		CookieLife:         k.cookieLife,
		HeartbeatInterval:  k.hbInterval,
		HeartbeatDisabled:  k.noHB || k.hbInterval == 0,
		SACKDelay:          k.sackDelay,
		SACKDelayDisabled:  k.sackDelay == 0,
		ReceiveBuffer:      int(k.rcvbuf),
		SendBuffer:         int(k.sndbuf),
		Rand:               stack.CryptoSource(),
	}
	if c.MaxInitRetransmits == 0 {
		c.MaxInitRetransmits = -1 // 0 means the default in Config
	}
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		var ce *congestion.ConfigError
		if errors.As(err, &ce) {
			return c, usagef("RTO settings: need -rto-min <= -rto-initial <= -rto-max (%s: %s)", ce.Field, ce.Reason)
		}
		return c, usagef("%v", err)
	}
	return c, nil
}

// transport holds the UDP encapsulation flags: local port and addresses,
// and the peer's encapsulation port (RFC 6951 Section 5.1).
type transport struct {
	udpPort       int64
	udpPortFlag   *intValue
	remoteUDPPort int64
	local         []netip.Addr
}

// register adds the transport flags; client adds -remote-udp-port and
// perf adds tsctp's -E, -U and -L.
func (t *transport) register(fs *flag.FlagSet, client, perf bool) {
	udp, remote := []string{"udp-port"}, []string{"remote-udp-port"}
	local := []string{"local"}
	if perf {
		udp, remote = append(udp, "E"), append(remote, "U")
	}
	local = append(local, "L")
	def := fmt.Sprintf("local UDP encapsulation `port`; 0 picks an ephemeral one (default %d", udpencap.DefaultPort)
	if client {
		def += " for a server, ephemeral for a client"
	}
	t.udpPortFlag = newInt(fs, &t.udpPort, 0, 0, 65535, udp, def+")")
	if client {
		newInt(fs, &t.remoteUDPPort, udpencap.DefaultPort, 1, 65535, remote, "the peer's UDP encapsulation `port`")
	}
	for _, n := range local {
		fs.Var(addrList{&t.local}, n, "local IP `address` to bind and announce; repeat it (or use commas) for multihoming (default: the wildcard address)")
	}
}

// udpConfig returns the socket configuration: a server defaults to the
// RFC 6951 port, a client to an ephemeral one. Without -L, a client binds
// the IPv6 wildcard too when a peer address is IPv6.
func (t *transport) udpConfig(server bool, peers []netip.Addr) udpencap.Config {
	port := int(t.udpPort)
	if server && !t.udpPortFlag.set {
		port = udpencap.DefaultPort
	}
	c := udpencap.Config{LocalAddrs: t.local, Port: port}
	for _, a := range peers {
		c.IPv6 = c.IPv6 || a.Is6()
	}
	return c
}

// peers returns the peer transport addresses for the IP addresses addrs.
func (t *transport) peers(addrs []netip.Addr) []netip.AddrPort {
	out := make([]netip.AddrPort, len(addrs))
	for i, a := range addrs {
		out[i] = netip.AddrPortFrom(a, uint16(t.remoteUDPPort))
	}
	return out
}

// apply sets the local addresses of cfg for multihoming.
func (t *transport) apply(cfg *association.Config) {
	if len(t.local) > 1 {
		cfg.LocalAddrs = t.local
	}
}
