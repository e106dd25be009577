package api

import (
	"fmt"
	"maps"
	"net"
	"net/netip"
	"slices"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/pcap"
	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/pion/logging"
	"github.com/pion/transport/v3"
)

// Option is a gen_sctp option, for Open, Connect, ConnectInit,
// ConnectxInit and SetOpts. Each constructor is named after the gen_sctp
// option: {foo_bar, V} is FooBar(V) and {sctp_foo, V} is SCTPFoo(V). Some
// options are open-only (IP, Port, Type, the UDP ports, ...): given
// anywhere else they are an error. A bad value is reported as an error
// wrapping ErrInvalidOption, never a panic; the zero Option is invalid.
type Option struct {
	name     string
	openOnly bool
	apply    func(c *optCtx) error
}

// Name returns the gen_sctp option name, for example "sctp_initmsg".
func (o Option) Name() string { return o.name }

// applyMode says where options are applied.
type applyMode uint8

const (
	// modeOpen: Open. Records set like setopts.
	modeOpen applyMode = iota
	// modeSet: SetOpts. Record fields left zero take the type default
	// (the gen_sctp documentation: "undefined fields take the type default").
	modeSet
	// modeConnect: Connect and friends. Record fields left zero keep the
	// current value (gen_sctp prim_inet:chgopts, the gen_sctp documentation).
	modeConnect
)

// optCtx is what an option applies to: the socket's settings (a copy,
// committed when every option applied), how, and for options naming an
// association, the socket (nil at Open) and the time. It is used with
// the stack's lock held, except at Open.
type optCtx struct {
	st   *settings
	mode applyMode
	s    *Socket
	now  timer.Time
	// live holds the new configurations of live associations, in the
	// order first changed, for Reconfigure at commit.
	live []liveConfig
	// effects are the other changes to live associations (primary path,
	// path parameters), run in order at commit, after live.
	effects []func(now timer.Time) error
	// ipChanged says which IP-level options to push to the UDP sockets.
	ipChanged ipMask
}

// liveConfig is the pending configuration of one live association.
type liveConfig struct {
	id  AssocID
	a   *association.Association
	cfg *association.Config
}

// merge reports whether zero record fields keep the current value.
func (c *optCtx) merge() bool { return c.mode == modeConnect }

// assoc returns an association of the socket for an option that names
// one (assoc_id != 0).
func (c *optCtx) assoc(id AssocID) (*association.Association, error) {
	if c.s == nil {
		return nil, ErrNoAssociation
	}
	_, a, err := c.s.assocLocked(id)
	return a, err
}

// settings is the option state of a socket: the open-only options, the
// socket options, the template of new associations and the overrides per
// association (assoc_id != 0). It is guarded by the stack's lock.
type settings struct {
	// Open-only.
	addrs          []netip.Addr
	port           uint16
	family         Family
	familySet      bool
	typ            SocketType
	localUDPPort   int
	remoteUDPPort  uint16
	remoteUDPPorts map[netip.Addr]uint16
	net            transport.Net // Network; nil: the operating system's
	netns          string        // Netns; "": the process's namespace
	// transport is the packet transport of the user's (OverTransport,
	// ...), nil for UDP sockets of the socket's own.
	transport *userTransport
	// shards is the Shards option; 0: the default.
	shards int
	// resolver is the Resolver option; nil: net.DefaultResolver.
	resolver *net.Resolver
	// capture is the Capture option's Writer; nil: none.
	capture *pcap.Writer
	// logger is the LoggerFactory option, resolved by Open (see
	// resolveLogger); nil: silent.
	logger logging.LoggerFactory
	// localUDPPortSet and remoteUDPPortSet: the options were given
	// (refused over some transports).
	localUDPPortSet, remoteUDPPortSet bool
	// portSet: the Port option was given (see dtlsDefaults).
	portSet bool

	// Socket options.
	active       activeState
	nonBlockSend bool
	linger       lingerSetting
	maxMessage   int
	events       eventMask
	// assoc is the template of new associations (sctp_initmsg,
	// sctp_rtoinfo, ..., recbuf, sndbuf); zero fields mean the
	// association defaults.
	assoc association.Config
	// defaultSend is sctp_default_send_param for assoc_id 0.
	defaultSend SndRcvInfo
	// defaultPr is sctp_default_prinfo.
	defaultPr PrInfo
	// perAssoc holds the settings of single associations.
	perAssoc map[AssocID]*assocSettings

	// Options without an SCTP meaning over UDP, kept for getopts (see
	// their doc comments).
	mode                         DataMode
	buffer                       int
	reuseAddr, reusePort         bool
	reusePortLB, exclusiveAddr   bool
	debug                        bool
	recvTOS, recvTClass, recvTTL bool // they do have effect: recvip.go
	v6only                       bool
	highMsgq, lowMsgq            int
	mappedV4                     bool
	backlog                      int
	// maxAssocs and initRate are the limits of the endpoint
	// (options_limits.go).
	maxAssocs int
	initRate  InitRateValue
	// ip holds the IP-level options given to this socket (the bits of
	// ipSet), pushed to the UDP sockets at Open and at commit.
	ip    udpencap.IPOptions
	ipSet ipMask

	// Effects of the options just applied, for commitLocked.
	passiveDue      bool
	templateChanged bool
}

// ipMask says which IP-level options are concerned.
type ipMask uint8

// The IP-level options.
const (
	ipTOS ipMask = 1 << iota
	ipTClass
	ipTTL
	ipDontRoute
	ipPriority
	ipBindToDevice
	ipDontFragment
)

// assocSettings are the option values of one association that differ
// from the socket's.
type assocSettings struct {
	defaultSend    SndRcvInfo
	hasDefaultSend bool
}

// DefaultMaxMessageSize is the default of MaxMessageSize.
const DefaultMaxMessageSize = 16 << 20

// DefaultDeliveryBuffer is the capacity of the channel returned by
// Socket.Deliveries.
const DefaultDeliveryBuffer = 16

// defaultSettings returns the settings of gen_sctp open/0 (the
// gen_sctp documentation), plus the UDP encapsulation defaults.
func defaultSettings() settings {
	return settings{
		family:        FamilyInet,
		typ:           SeqPacket,
		localUDPPort:  udpencap.DefaultPort,
		remoteUDPPort: udpencap.DefaultPort,
		maxMessage:    DefaultMaxMessageSize,
		events:        defaultEvents(),
		mode:          ModeBinary,
		buffer:        DefaultBuffer,
		highMsgq:      DefaultHighMsgqWatermark,
		lowMsgq:       DefaultLowMsgqWatermark,
		maxAssocs:     DefaultMaxAssociations,
		initRate:      defaultInitRate,
		assoc:         association.Config{ECN: true}, // where the transport can: onTransport
	}
}

// clone returns a deep copy of st without the pending effects.
func (st *settings) clone() settings {
	c := *st
	c.addrs = slices.Clone(st.addrs)
	c.remoteUDPPorts = maps.Clone(st.remoteUDPPorts)
	c.assoc.LocalAddrs = slices.Clone(st.assoc.LocalAddrs)
	if st.perAssoc != nil {
		c.perAssoc = make(map[AssocID]*assocSettings, len(st.perAssoc))
		for id, p := range st.perAssoc {
			cp := *p
			c.perAssoc[id] = &cp
		}
	}
	c.passiveDue, c.templateChanged = false, false
	return c
}

// forAssoc returns the settings of association id, created if needed.
func (st *settings) forAssoc(id AssocID) *assocSettings {
	if st.perAssoc == nil {
		st.perAssoc = make(map[AssocID]*assocSettings)
	}
	p := st.perAssoc[id]
	if p == nil {
		p = &assocSettings{}
		st.perAssoc[id] = p
	}
	return p
}

// sendParams returns sctp_default_send_param of association id.
func (st *settings) sendParams(id AssocID) SndRcvInfo {
	if p := st.perAssoc[id]; p != nil && p.hasDefaultSend {
		return p.defaultSend
	}
	return st.defaultSend
}

// remoteUDP returns the remote UDP encapsulation port for a peer address.
func (st *settings) remoteUDP(a netip.Addr) uint16 {
	if p, ok := st.remoteUDPPorts[a.Unmap()]; ok {
		return p
	}
	return st.remoteUDPPort
}

// applyOptions applies opts in order to c.st and stops at the first
// error.
func applyOptions(c *optCtx, opts []Option) error {
	for _, o := range opts {
		if o.apply == nil {
			return fmt.Errorf("%w: the zero Option", ErrInvalidOption)
		}
		if o.openOnly && c.mode != modeOpen {
			return fmt.Errorf("%w: %s is an open-only option", ErrInvalidOption, o.name)
		}
		if err := o.apply(c); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrInvalidOption, o.name, err)
		}
	}
	return nil
}

// badValue is the error of an option value out of range.
func badValue(v any) error { return fmt.Errorf("bad value %v", v) }
