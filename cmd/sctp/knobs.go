package main

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/congestion"
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
	pmtud                      bool
	asconf                     bool
	sackDelay                  time.Duration
	rcvbuf, sndbuf             int64
	rcvbufFlag, sndbufFlag     *intValue // set: the buffer is fixed (no autotuning)
	os, mis                    int64
	maxAssocs                  int64
	maxAssocsFlag              *intValue
	log                        logFlag
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
	msDur := func(p *time.Duration, def, min, max time.Duration, name, usage string) {
		newDur(fs, p, def, min, max, false, names(name, ""), usage).wholeMS = true
	}
	msDur(&k.rtoInitial, rto.Initial, time.Millisecond, day, "rto-initial", "RTO.Initial: retransmission timeout (a `duration`) before the first RTT measurement")
	msDur(&k.rtoMin, rto.Min, time.Millisecond, day, "rto-min", "RTO.Min: lower bound (a `duration`) of the retransmission timeout")
	msDur(&k.rtoMax, rto.Max, time.Millisecond, day, "rto-max", "RTO.Max: upper bound (a `duration`) of the retransmission timeout")
	newInt(fs, &k.maxInitRetrans, association.DefaultMaxInitRetransmits, 0, 1000, names("max-init-retrans", ""), "Max.Init.Retransmits: `count` of INIT and COOKIE ECHO retransmissions before giving up")
	newInt(fs, &k.assocMaxRetrans, association.DefaultMaxRetrans, 1, 1000, names("assoc-max-retrans", ""), "Association.Max.Retrans: `count` of consecutive retransmissions before the association fails")
	newInt(fs, &k.pathMaxRetrans, association.DefaultPathMaxRetrans, 1, 1000, names("path-max-retrans", ""), "Path.Max.Retrans: `count` of consecutive retransmissions before a path is inactive")
	newInt(fs, &k.pfMaxRetrans, -1, -1, api.MaxPotentiallyFailed, names("pf", ""), "RFC 7829 potentially-failed state: PotentiallyFailed.Max.Retrans, the `count` of timeouts after which a path is avoided while another is active (0 at the first); -1 turns it off")
	msDur(&k.cookieLife, association.DefaultCookieLife, time.Second, day, "cookie-life", "Valid.Cookie.Life: lifetime (a `duration`) of a State Cookie")
	msDur(&k.hbInterval, association.DefaultHeartbeatInterval, 0, day, "hb-interval", "HB.interval: heartbeat `interval` on idle paths; 0 turns heartbeats off")
	fs.BoolVar(&k.noHB, "no-hb", false, "turn heartbeats off (like -hb-interval 0)")
	fs.BoolVar(&k.pmtud, "pmtud", false, "path MTU discovery (RFC 8899, pmtud_enable): probe each path from 1200 bytes up to its interface's MTU, with the DF bit set; off, the MTU is fixed at 1500 less the headers")
	fs.BoolVar(&k.asconf, "asconf", false, "dynamic address reconfiguration (ASCONF, RFC 5061, with AUTH): the peer may add, delete and choose the primary of its addresses during the association")
	msDur(&k.sackDelay, association.DefaultSACKDelay, 0, association.MaxSACKDelay, "sack-delay", "delayed SACK timeout (a `duration`, at most 500ms); 0 acknowledges every packet at once")
	k.rcvbufFlag = newInt(fs, &k.rcvbuf, association.DefaultReceiveBuffer, 1500, maxInt32, names("rcvbuf", "R"),
		"receive buffer in `bytes`: the advertised window (a_rwnd); without it, the buffer starts at the default and autotuning grows it with the path")
	k.sndbufFlag = newInt(fs, &k.sndbuf, association.DefaultSendBuffer, 1, maxInt32, names("sndbuf", "S"),
		"send buffer in `bytes`: user data queued and not yet sent; without it, autotuning grows it with the congestion window")
	newInt(fs, &k.os, association.DefaultOutboundStreams, 1, 65535, names("os", ""), "`number` of outbound streams requested")
	newInt(fs, &k.mis, association.DefaultMaxInboundStreams, 1, 65535, names("mis", ""), "maximum `number` of inbound streams accepted")
	k.maxAssocsFlag = newInt(fs, &k.maxAssocs, api.DefaultMaxAssociations, 0, maxInt32, names("max-assocs", ""), "maximum `number` of associations of the endpoint; 0 means no limit")
	k.log.register(fs)
}

// toMS converts a flag's duration (a whole number of milliseconds, at
// most a day) to the milliseconds of a gen_sctp record.
func toMS(d time.Duration) uint32 { return uint32(d / time.Millisecond) }

// options returns the socket options of the knobs, gen_sctp's: api.Open
// validates them together (an inconsistent RTO is an error wrapping
// api.ErrInvalidOption, see openError).
func (k *knobs) options() []api.Option {
	paddr := api.PaddrParams{PathMaxRxt: uint16(k.pathMaxRetrans), Flags: api.HBEnable, HbInterval: toMS(k.hbInterval)}
	if k.noHB || k.hbInterval == 0 {
		paddr.Flags, paddr.HbInterval = api.HBDisable, 0
	}
	if k.pmtud {
		paddr.Flags |= api.PMTUDEnable
	}
	opts := append(k.log.options(),
		api.SCTPRtoInfo(api.RtoInfo{Initial: toMS(k.rtoInitial), Max: toMS(k.rtoMax), Min: toMS(k.rtoMin)}),
		api.SCTPInitMsg(api.InitMsg{NumOstreams: uint16(k.os), MaxInstreams: uint16(k.mis),
			MaxAttempts: uint16(k.maxInitRetrans + 1)}), // transmissions, not retransmissions
		api.SCTPAssocInfo(api.AssocParams{AssocMaxRxt: uint16(k.assocMaxRetrans), CookieLife: toMS(k.cookieLife)}),
		api.SCTPPeerAddrParams(paddr),
		api.SCTPDelayedAckTime(api.AssocValue{AssocValue: toMS(k.sackDelay)}), // 0: every packet at once
		api.SCTPPotentiallyFailed(int(k.pfMaxRetrans)),                        // -1: off
		api.MaxAssociations(int(k.maxAssocs)),
		api.SCTPAsconfSupported(k.asconf),
	)
	// A buffer set on the command line is fixed, as gen_sctp's recbuf and
	// sndbuf (and SO_RCVBUF, SO_SNDBUF) turn autotuning off.
	if k.rcvbufFlag.set {
		opts = append(opts, api.Recbuf(int(k.rcvbuf)))
	}
	if k.sndbufFlag.set {
		opts = append(opts, api.Sndbuf(int(k.sndbuf)))
	}
	return opts
}

// transport holds the UDP encapsulation flags: local port and addresses,
// and the peer's encapsulation port (RFC 6951 Section 5.1).
type transport struct {
	udpPort       int64
	udpPortFlag   *intValue
	remoteUDPPort int64
	// localHosts are the -local values, local their addresses (resolve).
	localHosts []string
	local      []netip.Addr
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
		fs.Var(hostList{&t.localHosts}, n, "local IP `address` (or host name: all its addresses) to bind and announce; repeat it (or use commas) for multihoming (default: the wildcard address)")
	}
}

// resolve sets the local addresses from the -local values, in order: IP
// literals as they are (one given twice fails at Open), host names
// resolved within ctx to every address they have, IPv6 first (as
// api.Listen binds a name).
func (t *transport) resolve(ctx context.Context) error {
	t.local = t.local[:0]
	for _, h := range t.localHosts {
		if ip, err := netip.ParseAddr(h); err == nil {
			t.local = append(t.local, ip.Unmap())
			continue
		}
		addrs, err := api.LookupAddrs(ctx, resolver, "sctp", h)
		if err != nil {
			return err
		}
		t.local = append(t.local, addrs...)
	}
	return nil
}

// peers resolves the local addresses (resolve), then the peer addresses
// of the positional arguments args (parseAddrs).
func (t *transport) peers(ctx context.Context, args []string) ([]netip.Addr, error) {
	if err := t.resolve(ctx); err != nil {
		return nil, err
	}
	return parseAddrs(ctx, args, t.local)
}

// options returns the open-only options of the transport: a server
// defaults to the RFC 6951 port, a client to an ephemeral one; every -L
// is an address of the socket (several: multihoming). Without -L, a
// client binds the IPv6 wildcard too when a peer address is IPv6 (a
// server tries to, see openSocket).
func (t *transport) options(server bool, peers []netip.Addr) []api.Option {
	port := int(t.udpPort)
	if server && !t.udpPortFlag.set {
		port = udpencap.DefaultPort
	}
	opts := []api.Option{api.LocalUDPPort(port)}
	if t.remoteUDPPort != 0 {
		opts = append(opts, api.RemoteUDPPort(int(t.remoteUDPPort)))
	}
	for _, a := range t.local {
		opts = append(opts, api.IP(a))
	}
	if len(t.local) == 0 {
		for _, a := range peers {
			if a.Is6() {
				return append(opts, api.Inet6())
			}
		}
	}
	return opts
}
