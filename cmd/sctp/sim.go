package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/congestion"
	"github.com/gensctp/gensctp/sim"
)

var simCommand = command{
	name:    "sim",
	summary: "a transfer on a simulated network in virtual time (deterministic: the same flags print the same bytes)",
	details: `sim runs a client and a server (gensctp endpoints, the same core as the other
commands) on a simulated network (package sim) in virtual time, and needs no
network and no root. The client sends messages of -l bytes over -streams
streams, keeping its send buffer full, for -T of virtual time; the server
reads them. Every -d it prints, per path of the client, the congestion
window, slow-start threshold, bytes in flight, smoothed RTT and RTO; at the
end the goodput, the retransmissions, the network's counts and a hash of
every packet delivered. The run depends only on the flags: the same command
prints the same bytes, and -seed picks another draw of the random
impairments. -pcap FILE writes every packet sent as a capture Wireshark
opens (UDP port 9899 is decoded as SCTP).

The link of each path (and each direction) has -rtt/2 of delay, -jitter,
-bw of bandwidth with a -queue of bytes, -loss, -burst loss, -dup, -reorder,
-corrupt and an IP -mtu. With -paths N, each host has an address on N
networks (multihoming); -fail D cuts the first network at D.`,
}

// simOpts are the flags of sctp sim.
type simOpts struct {
	seed              int64
	rtt, jitter       time.Duration
	bw                rateValue
	queue             int64
	loss, burst, dup  probValue
	burstLen          float64
	reorder, corrupt  probValue
	reorderDelay      time.Duration
	mtu, paths        int64
	fail              time.Duration
	runtime, interval time.Duration
	length, streams   int64
	pcap              string
	knobs             knobs
}

func runSim(ctx context.Context, sio stdio, args []string) int {
	fs := newFlagSet(simCommand)
	var o simOpts
	o.register(fs)
	pos, code, ok := parseCommand(sio, simCommand, fs, expandGetopt(fs, args))
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageFail(sio, simCommand, usagef("unexpected argument %q", pos[0]))
	}
	sc, err := o.scenario()
	if err != nil {
		return usageFail(sio, simCommand, err)
	}
	if err := sc.run(ctx, sio.out); err != nil {
		return fail(sio, simCommand, err)
	}
	return 0
}

// register adds the flags of sctp sim to fs.
func (o *simOpts) register(fs *flag.FlagSet) {
	newInt(fs, &o.seed, 1, 0, math.MaxInt64, []string{"seed"}, "`seed` of the network's random draws")
	newDur(fs, &o.rtt, 100*time.Millisecond, 0, time.Hour, false, []string{"rtt"}, "round-trip `time` of each path (half each way)")
	newDur(fs, &o.jitter, 0, 0, time.Hour, false, []string{"jitter"}, "extra one-way delay, uniform in [0, `time`]")
	o.bw = rateValue(10e6)
	fs.Var(&o.bw, "bw", "bandwidth of each link in `bits/s` (suffix k, M or G; 0: unlimited)")
	newInt(fs, &o.queue, 256<<10, 0, sim.MaxQueueLimit, []string{"queue"}, "`bytes` that may wait at the bandwidth bottleneck before tail drop (0: unlimited)")
	fs.Var(&o.loss, "loss", "`probability` that a packet is lost (0.01 or 1%)")
	fs.Var(&o.burst, "burst", "`probability` that a packet starts a loss burst")
	fs.Float64Var(&o.burstLen, "burst-len", 3, "mean `length` of a loss burst in packets")
	fs.Var(&o.dup, "dup", "`probability` that a packet is duplicated")
	fs.Var(&o.reorder, "reorder", "`probability` that a packet is held back by -reorder-delay")
	newDur(fs, &o.reorderDelay, 0, 0, time.Hour, false, []string{"reorder-delay"}, "extra `delay` of a reordered packet (0: a quarter of -rtt, at least 1ms)")
	fs.Var(&o.corrupt, "corrupt", "`probability` that bits of a packet are flipped")
	newInt(fs, &o.mtu, 1500, 576, 65535, []string{"mtu"}, "IP MTU of the links in `bytes` (the SCTP packets get it less 28 bytes of IPv4 and UDP headers)")
	newInt(fs, &o.paths, 1, 1, 8, []string{"paths"}, "`number` of networks each host has an address on (multihoming)")
	newDur(fs, &o.fail, 0, 0, 1e6*time.Second, false, []string{"fail"}, "cut the first network at this virtual `time` after the handshake (0: never)")
	newDur(fs, &o.runtime, 10*time.Second, time.Millisecond, 1e6*time.Second, true, []string{"T"}, "virtual `seconds` of the transfer")
	newDur(fs, &o.interval, time.Second, time.Millisecond, 1e6*time.Second, true, []string{"d"}, "print the paths' state every this many virtual `seconds`")
	newInt(fs, &o.length, 1024, 1, 16<<20, []string{"l"}, "message `length` in bytes")
	newInt(fs, &o.streams, 1, 1, 65535, []string{"streams"}, "`number` of streams the messages go round")
	fs.StringVar(&o.pcap, "pcap", "", "write every packet sent in `file`: a pcap capture of SCTP over UDP that Wireshark opens")
	o.knobs.register(fs, false)
}

// linkConfig returns the configuration of every link.
func (o *simOpts) linkConfig() sim.LinkConfig {
	rd := o.reorderDelay
	if rd == 0 {
		rd = max(o.rtt/4, time.Millisecond)
	}
	return sim.LinkConfig{
		Delay: o.rtt / 2, Jitter: o.jitter, Bandwidth: int64(o.bw), QueueLimit: int(o.queue),
		Loss: float64(o.loss), BurstLoss: float64(o.burst), BurstLength: o.burstLen,
		Duplicate: float64(o.dup), Reorder: float64(o.reorder), ReorderDelay: rd,
		Corrupt: float64(o.corrupt), MTU: int(o.mtu) - ipUDPHeaders,
	}
}

// ipUDPHeaders is the size of the IPv4 and UDP headers of a packet.
const ipUDPHeaders = 28

// assocConfig returns the association configuration of the protocol
// flags, as knobs.options gives it to a socket.
func (k *knobs) assocConfig(mtu int) association.Config {
	cfg := association.Config{
		RTO:                congestion.RTOConfig{Initial: k.rtoInitial, Min: k.rtoMin, Max: k.rtoMax},
		MaxInitRetransmits: int(k.maxInitRetrans), MaxRetrans: int(k.assocMaxRetrans),
		PathMaxRetrans: int(k.pathMaxRetrans), CookieLife: k.cookieLife,
		HeartbeatInterval: k.hbInterval, HeartbeatDisabled: k.noHB || k.hbInterval == 0,
		SACKDelay: k.sackDelay, SACKDelayDisabled: k.sackDelay == 0,
		ReceiveBuffer: int(k.rcvbuf), SendBuffer: int(k.sndbuf),
		OutboundStreams: uint16(k.os), MaxInboundStreams: uint16(k.mis), MTU: mtu,
	}
	cfg.PMTUD.Enabled = k.pmtud
	cfg.ASCONF = k.asconf
	cfg.LoggerFactory = k.log.factory()
	// A buffer set on the command line is fixed, as in the other
	// commands (api.Recbuf, api.Sndbuf): a maximum at most the buffer
	// turns its autotuning off.
	if k.rcvbufFlag.set {
		cfg.ReceiveBufferMax = cfg.ReceiveBuffer
	}
	if k.sndbufFlag.set {
		cfg.SendBufferMax = cfg.SendBuffer
	}
	if k.pfMaxRetrans >= 0 {
		cfg.PotentiallyFailed, cfg.PFMaxRetrans = true, int(k.pfMaxRetrans)
	}
	return cfg
}

// rateValue is a rate flag in bits per second, with an optional k, M or
// G suffix (powers of 1000).
type rateValue int64

func (v *rateValue) String() string { return strconv.FormatInt(int64(*v), 10) }

func (v *rateValue) Set(s string) error {
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		mult, s = 1e3, s[:len(s)-1]
	case strings.HasSuffix(s, "M"), strings.HasSuffix(s, "m"):
		mult, s = 1e6, s[:len(s)-1]
	case strings.HasSuffix(s, "G"), strings.HasSuffix(s, "g"):
		mult, s = 1e9, s[:len(s)-1]
	}
	f, err := strconv.ParseFloat(s, 64)
	// A rate below 1 bit/s would truncate to 0, which means unlimited.
	if err != nil || f < 0 || math.IsNaN(f) || f*mult > 1e12 || f > 0 && f*mult < 1 {
		return fmt.Errorf("must be 0 (unlimited) or a rate in bits/s from 1 to 1000G (10M, 1.5G, 64k)")
	}
	*v = rateValue(f * mult)
	return nil
}

// probValue is a probability flag: a number in [0, 1], or a percentage.
type probValue float64

func (v *probValue) String() string { return strconv.FormatFloat(float64(*v), 'g', -1, 64) }

func (v *probValue) Set(s string) error {
	div := 1.0
	if t, ok := strings.CutSuffix(s, "%"); ok {
		s, div = t, 100
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f/div > 1 {
		return fmt.Errorf("must be a probability from 0 to 1, or a percentage (0.01, 1%%)")
	}
	*v = probValue(f / div)
	return nil
}
