package association

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/congestion"
	"github.com/gensctp/gensctp/internal/logs"
	"github.com/gensctp/gensctp/stream"
	"github.com/pion/logging"
)

// Protocol parameters recommended by RFC 9260 Section 16, and defaults for
// the settings the RFC leaves to the implementation.
const (
	// DefaultMaxRetrans is Association.Max.Retrans.
	DefaultMaxRetrans = 10
	// DefaultPathMaxRetrans is Path.Max.Retrans.
	DefaultPathMaxRetrans = 5
	// DefaultMaxInitRetransmits is Max.Init.Retransmits.
	DefaultMaxInitRetransmits = 8
	// DefaultCookieLife is Valid.Cookie.Life.
	DefaultCookieLife = 60 * time.Second
	// MaxCookieLife is the largest Valid.Cookie.Life, about 24.8 days: the
	// State Cookie records its life span as a 32-bit count of
	// milliseconds (as the Cookie Preservative's Suggested Cookie Life-Span
	// Increment, RFC 9260 Section 3.3.2.1.3), and a Cookie Preservative
	// extends it by at most one more Valid.Cookie.Life, so that twice this
	// fits.
	MaxCookieLife = math.MaxUint32 / 2 * time.Millisecond
	// DefaultHeartbeatInterval is HB.interval.
	DefaultHeartbeatInterval = 30 * time.Second
	// DefaultSACKDelay is SACK.Delay. RFC 9260 Section 6.2: the delay
	// "MUST NOT be more than 500 ms".
	DefaultSACKDelay = 200 * time.Millisecond
	// MaxSACKDelay is the largest SACK delay RFC 9260 Section 6.2 allows.
	MaxSACKDelay = 500 * time.Millisecond
	// DefaultSACKFrequency: "an acknowledgement SHOULD be generated for at
	// least every second packet" (RFC 9260 Section 6.2).
	DefaultSACKFrequency = 2
	// DefaultMaxBurst is Max.Burst.
	DefaultMaxBurst = 4
	// DefaultHBMaxBurst is HB.Max.Burst: the path-verification
	// HEARTBEATs sent per RTO (RFC 9260 Section 5.4).
	DefaultHBMaxBurst = 1
	// DefaultOutboundStreams is the number of outbound streams requested
	// (gen_sctp's sctp_initmsg num_ostreams default on Linux).
	DefaultOutboundStreams = 10
	// DefaultMaxInboundStreams is the number of inbound streams allowed.
	DefaultMaxInboundStreams = 65535
	// DefaultReceiveBuffer is the receive buffer that backs a_rwnd.
	DefaultReceiveBuffer = 1 << 20
	// DefaultSendBuffer bounds the user data queued for sending.
	DefaultSendBuffer = 1 << 20
	// DefaultMTU is the default size budget of an SCTP packet: a 1500-byte
	// path less an IPv6 header (40) and the UDP encapsulation header (8,
	// RFC 6951 Section 5.6).
	DefaultMTU = 1452
	// MinMTU is the smallest packet budget accepted: room for INIT ACK
	// chunks with a cookie and for DATA fragmentation to make progress.
	MinMTU = 576
)

// Config holds the settings of an association, including every setting
// the gen_sctp options map to. Zero fields take the defaults above when
// passed through WithDefaults (New and the Acceptor do that).
type Config struct {
	// LocalPort and PeerPort are the SCTP ports.
	LocalPort, PeerPort uint16

	// OutboundStreams is the number of outbound streams requested and
	// MaxInboundStreams the number of inbound streams allowed (gen_sctp
	// sctp_initmsg). RFC 9260 Section 5.1.1 negotiates min(requested,
	// offered).
	OutboundStreams   uint16
	MaxInboundStreams uint16
	// MaxInitRetransmits is Max.Init.Retransmits (sctp_initmsg
	// max_attempts). Negative means 0 retransmissions.
	MaxInitRetransmits int
	// MaxInitTimeout caps the backed-off T1-init and T1-cookie timers
	// (sctp_initmsg max_init_timeo); 0 means RTO.Max.
	MaxInitTimeout time.Duration

	// RTO holds RTO.Initial, RTO.Min and RTO.Max (sctp_rtoinfo).
	RTO congestion.RTOConfig
	// MaxRetrans is Association.Max.Retrans (sctp_associnfo asocmaxrxt).
	MaxRetrans int
	// PathMaxRetrans is Path.Max.Retrans (sctp_paddrparams pathmaxrxt).
	PathMaxRetrans int
	// CookieLife is Valid.Cookie.Life (sctp_associnfo cookie_life), at
	// most MaxCookieLife.
	CookieLife time.Duration

	// HeartbeatInterval is HB.interval (sctp_paddrparams hbinterval).
	HeartbeatInterval time.Duration
	// HeartbeatDisabled turns heartbeats on idle paths off (hb_disable).
	HeartbeatDisabled bool
	// HBMaxBurst is HB.Max.Burst: at most this many packets with a
	// HEARTBEAT go to unconfirmed peer addresses per RTO of the primary
	// path (RFC 9260 Section 5.4), so that a peer listing addresses it
	// does not own cannot make the association flood them (RFC 5062
	// Section 6). RFC 5062 Section 6.3: do "not use larger HB.Max.Burst
	// parameter values than recommended".
	HBMaxBurst int
	// SACKDelay is the delayed-SACK timeout (sctp_delayed_ack_time);
	// SACKFrequency the number of packets that trigger a SACK.
	SACKDelay     time.Duration
	SACKFrequency int
	// SACKDelayDisabled acknowledges every packet at once
	// (sackdelay_disable).
	SACKDelayDisabled bool

	// ReceiveBuffer backs the advertised receiver window (a_rwnd) and
	// SendBuffer bounds the data queued for sending (recbuf / sndbuf).
	// DATA is accepted up to ReceiveBuffer/(ChunkOverhead+1) TSNs, at
	// most 2^15, above the cumulative TSN acknowledged; further ahead it
	// is dropped and sent again by the peer.
	ReceiveBuffer int
	SendBuffer    int
	// MTU is the size budget of an SCTP packet on the path: the path MTU
	// less the IP and UDP headers.
	MTU int
	// MaxSeg caps the user data of a DATA chunk (sctp_maxseg); 0 means
	// the path's largest.
	MaxSeg int
	// NoDelay turns off Nagle-style bundling delay (sctp_nodelay).
	NoDelay bool
	// DisableFragments refuses messages that do not fit in one DATA chunk
	// (sctp_disable_fragments).
	DisableFragments bool
	// Autoclose closes the association gracefully after this long without
	// user data sent or received (sctp_autoclose); 0 means never.
	Autoclose time.Duration
	// MaxBurst is Max.Burst.
	MaxBurst int
	// PartialDeliveryPoint: a message at least this large is delivered in
	// pieces when it does not fit in the receive buffer; 0 means
	// ReceiveBuffer/2, which is also the largest point used.
	PartialDeliveryPoint int
	// Adaptation, when HasAdaptation is set, is sent as the Adaptation
	// Layer Indication (sctp_adaptation_layer).
	Adaptation    uint32
	HasAdaptation bool

	// LocalAddrs are this end's addresses for multihoming (RFC 9260
	// Section 6.4). When set, INIT and INIT ACK list them (Sections
	// 3.3.2.1.1 and 3.3.2.1.2), each path sends from one of them, and peer
	// addresses out of their scope are not used. Empty means a single
	// unspecified local address: the peer uses the packets' source.
	LocalAddrs []netip.Addr
	// PotentiallyFailed turns on the potentially-failed path state of RFC
	// 7829 (off by default); PFMaxRetrans is its PFMR (default 0).
	PotentiallyFailed bool
	PFMaxRetrans      int

	// PartialReliabilityDisabled turns partial reliability (PR-SCTP, RFC
	// 3758) off: the INIT and INIT ACK then offer neither the
	// Forward-TSN-Supported parameter nor FORWARD-TSN in the Supported
	// Extensions parameter (RFC 5061 Section 4.2.7), a peer's offer is
	// reported as an unrecognized parameter, and a FORWARD-TSN from the
	// peer as an unrecognized chunk. When on (the default), PR-SCTP is
	// used on an association only if the peer offered it too.
	PartialReliabilityDisabled bool

	// ReconfigDisabled turns stream reconfiguration (RE-CONFIG, RFC 6525)
	// off: the Supported Extensions parameter of the INIT and INIT ACK
	// then does not list RE-CONFIG, and a RE-CONFIG chunk from the peer
	// is handled as an unrecognized chunk. When on (the default), the
	// association answers the peer's requests if the peer offered it too.
	ReconfigDisabled bool

	// DefaultSend holds the send parameters Send uses
	// (sctp_default_send_param).
	DefaultSend SendInfo

	// Rand is the source of randomness: verification tags, initial TSNs,
	// heartbeat nonces and jitter. Use a cryptographically secure source
	// in production and a seeded one in tests.
	Rand rand.Source
	// Cookies signs and checks State Cookies. The passive side needs it;
	// an active-only association creates its own when nil.
	Cookies *CookieKeys
	// Shard restricts the local verification tags drawn to one class,
	// for an endpoint that is one shard of several (see Shard). The zero
	// value means every tag.
	Shard Shard
	// Buffers holds the messages the association sends (copied by Send,
	// given back when the peer acknowledged them) and receives (until
	// the user gives them back with Release). It may be shared with
	// other associations whose calls are serialised with this one's:
	// the endpoint gives all its associations one. When nil, New and
	// NewAcceptor create one (an Acceptor's associations share it).
	Buffers *stream.BufPool

	// LoggerFactory makes the association's logger, scope sctp-assoc (see
	// log.go: state changes, handshake steps, aborts and their causes,
	// retransmission timeouts, path state changes; never per packet).
	// nil logs nothing. The logger is made once per configuration the
	// associations share (by New, NewAcceptor and Acceptor.SetConfig;
	// Reconfigure keeps it).
	LoggerFactory logging.LoggerFactory
	// log is the logger of LoggerFactory; nil: off.
	log *logs.Logger
}

// ErrInvalidConfig is wrapped by the errors of Config.Validate.
var ErrInvalidConfig = errors.New("association: invalid configuration")

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defd := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	if c.OutboundStreams == 0 {
		c.OutboundStreams = DefaultOutboundStreams
	}
	if c.MaxInboundStreams == 0 {
		c.MaxInboundStreams = DefaultMaxInboundStreams
	}
	def(&c.MaxInitRetransmits, DefaultMaxInitRetransmits)
	rto := congestion.DefaultRTOConfig()
	defd(&c.RTO.Initial, rto.Initial)
	defd(&c.RTO.Min, rto.Min)
	defd(&c.RTO.Max, rto.Max)
	def(&c.MaxRetrans, DefaultMaxRetrans)
	def(&c.PathMaxRetrans, DefaultPathMaxRetrans)
	defd(&c.CookieLife, DefaultCookieLife)
	defd(&c.HeartbeatInterval, DefaultHeartbeatInterval)
	defd(&c.SACKDelay, DefaultSACKDelay)
	def(&c.SACKFrequency, DefaultSACKFrequency)
	def(&c.ReceiveBuffer, DefaultReceiveBuffer)
	def(&c.SendBuffer, DefaultSendBuffer)
	def(&c.MTU, DefaultMTU)
	def(&c.MaxBurst, DefaultMaxBurst)
	def(&c.HBMaxBurst, DefaultHBMaxBurst)
	return c
}

// makeLogger makes the logger of LoggerFactory, unless c has it: New,
// NewAcceptor and SetConfig do, once per configuration the associations
// share (not WithDefaults, which callers use to read the defaults).
func (c *Config) makeLogger() {
	if c.log == nil {
		c.log = logs.New(c.LoggerFactory, logs.ScopeAssoc)
	}
}

// Validate checks the configuration after defaults were applied. The
// error wraps ErrInvalidConfig and names the field.
func (c *Config) Validate() error {
	bad := func(field string, v any) error {
		return fmt.Errorf("%w: %s = %v", ErrInvalidConfig, field, v)
	}
	if err := c.RTO.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	switch {
	case c.OutboundStreams == 0:
		return bad("OutboundStreams", c.OutboundStreams)
	case c.MaxInboundStreams == 0:
		return bad("MaxInboundStreams", c.MaxInboundStreams)
	case c.MaxInitTimeout < 0:
		return bad("MaxInitTimeout", c.MaxInitTimeout)
	case c.MaxRetrans < 1:
		return bad("MaxRetrans", c.MaxRetrans)
	case c.PathMaxRetrans < 1:
		return bad("PathMaxRetrans", c.PathMaxRetrans)
	case c.CookieLife <= 0 || c.CookieLife > MaxCookieLife:
		return bad("CookieLife", c.CookieLife)
	case c.HeartbeatInterval < 0:
		return bad("HeartbeatInterval", c.HeartbeatInterval)
	case c.SACKDelay < 0 || c.SACKDelay > MaxSACKDelay:
		// RFC 9260 Section 6.2: "the ACK delay MUST NOT be more than 500
		// ms".
		return bad("SACKDelay", c.SACKDelay)
	case c.SACKFrequency < 1:
		return bad("SACKFrequency", c.SACKFrequency)
	case c.ReceiveBuffer < int(chunk.MinARwnd):
		// RFC 9260 Section 3.3.2: a_rwnd "MUST NOT be smaller than 1500".
		return bad("ReceiveBuffer", c.ReceiveBuffer)
	case c.SendBuffer < 1:
		return bad("SendBuffer", c.SendBuffer)
	case c.MTU < MinMTU || c.MTU > 65535:
		return bad("MTU", c.MTU)
	case c.MaxSeg < 0:
		return bad("MaxSeg", c.MaxSeg)
	case c.Autoclose < 0:
		return bad("Autoclose", c.Autoclose)
	case c.MaxBurst < 1:
		return bad("MaxBurst", c.MaxBurst)
	case c.HBMaxBurst < 1:
		return bad("HBMaxBurst", c.HBMaxBurst)
	case c.PFMaxRetrans < 0:
		return bad("PFMaxRetrans", c.PFMaxRetrans)
	case c.PartialDeliveryPoint < 0:
		return bad("PartialDeliveryPoint", c.PartialDeliveryPoint)
	case c.Rand == nil:
		return bad("Rand", nil)
	case !c.Shard.Valid():
		return bad("Shard", c.Shard)
	}
	return nil
}
