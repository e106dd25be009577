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
	// DefaultLoneSACKDelay is LoneSACKDelay: long enough for the reply
	// of a user that answers at once to carry the SACK, short enough that
	// a peer holding data for it (Nagle's algorithm) barely waits.
	DefaultLoneSACKDelay = time.Millisecond
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
	// DefaultReceiveBufferMax and DefaultSendBufferMax are the caps of
	// buffer autotuning (32 MiB, Linux's tcp_rmem[2] default): enough
	// for the bandwidth-delay product of 1 Gbit/s at 200 ms.
	DefaultReceiveBufferMax = 32 << 20
	DefaultSendBufferMax    = 32 << 20
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
	// LoneSACKDelay, a gensctp addition, is how long a SACK owed waits
	// for the next packet with DATA: when none comes within it, the SACK
	// goes out then, not SACKDelay after the first packet it covers. A
	// peer that uses Nagle's algorithm without asking for an immediate
	// SACK (RFC 7053) holds its next data until the SACK comes; a user
	// that waits for that data before it answers (write-write-read)
	// would otherwise wait SACKDelay for each exchange. A reply sent
	// within it still carries the SACK; a second packet still brings it
	// at once (SACKFrequency). At least SACKDelay turns it off. Default
	// DefaultLoneSACKDelay.
	LoneSACKDelay time.Duration

	// ReceiveBuffer backs the advertised receiver window (a_rwnd) and
	// SendBuffer bounds the data queued for sending (recbuf / sndbuf).
	// DATA is accepted up to ReceiveBuffer/(ChunkOverhead+1) TSNs, at
	// most 2^15, above the cumulative TSN acknowledged; further ahead it
	// is dropped and sent again by the peer.
	ReceiveBuffer int
	SendBuffer    int
	// ReceiveBufferMax caps receive-buffer autotuning, a gensctp addition
	// (Linux TCP's receive-buffer moderation, tcp_rmem[2]): the receive
	// buffer starts at ReceiveBuffer and grows, once per round trip, to
	// twice what the user read in the last round trip, up to
	// ReceiveBufferMax, so that the window follows the bandwidth-delay
	// product of the path (autotune.go). 0 means
	// DefaultReceiveBufferMax; a value at most ReceiveBuffer keeps the
	// buffer at ReceiveBuffer (the api's Recbuf does that, as Linux's
	// SO_RCVBUF turns autotuning off).
	ReceiveBufferMax int
	// SendBufferMax caps send-buffer autotuning, a gensctp addition: the
	// send buffer is SendBuffer, or the largest congestion window of the
	// primary path so far when that is larger (it does not shrink when
	// cwnd does), up to SendBufferMax, so that a user
	// sending in bursts can queue what one round trip sends (Linux's
	// tcp_sndbuf_expand). 0 means DefaultSendBufferMax; a value at most
	// SendBuffer keeps it at SendBuffer (the api's Sndbuf does that).
	SendBufferMax int
	// MTU is the size budget of an SCTP packet on the path: the path MTU
	// less the IP and UDP headers. With PMTUD.Enabled it is MAX_PLPMTU,
	// the largest size path MTU discovery probes.
	MTU int
	// PMTUD configures path MTU discovery (RFC 8899); off by default.
	PMTUD PMTUDConfig
	// ZeroChecksum is the alternate error detection method (RFC 9653)
	// the association announces in its INIT and INIT ACK with the Zero
	// Checksum Acceptable parameter: chunk.EDMIDDTLS, SCTP over DTLS
	// (RFC 9653 Section 6), the only one implemented. Set it only when
	// the packets travel over DTLS: the association cannot tell. It then
	// accepts packets with a checksum of zero (Section 5.3), and sends
	// them with a zero checksum when the peer announced the same method
	// (Section 5.2; packets with an INIT or COOKIE ECHO chunk, and the
	// replies to out-of-the-blue packets, still carry the CRC32c). The
	// default, chunk.EDMIDReserved (0), announces nothing, accepts only
	// correct CRC32c checksums and sends them always.
	ZeroChecksum chunk.EDMID
	// ECN turns on Explicit Congestion Notification (RFC 4960 Appendix
	// A, over RFC 3168): the association announces the ECN Capable
	// parameter in its INIT and INIT ACK and, when the peer announced it
	// too, marks its packets of new DATA ECT(0) (Outgoing.ECN), echoes the
	// Congestion Experienced marks of received packets (Datagram.IP) in
	// ECNE chunks until the peer's CWR, and reduces its congestion window
	// once per window of data for the ECNE chunks it receives. Turn it on
	// only when the I/O layer sets the ECN field of the packets sent and
	// reports that of the packets received: a receiver that cannot see
	// the marks would hide congestion. Off by default; the api package
	// turns it on where the platform can.
	ECN bool
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
	// SingleHomed keeps the association on the one peer address it is
	// set up with: the IPv4 and IPv6 Address parameters of the peer's
	// INIT or INIT ACK make no paths, nor count as new addresses of a
	// restart. RFC 8261 Section 6.1: over DTLS "All SCTP associations are
	// single-homed, because DTLS does not expose any address management
	// to its upper layer". The api sets it over a connected transport
	// (OverConn, OverDTLS), whose one peer is every packet's destination.
	SingleHomed bool
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

	// Interleaving offers user message interleaving (I-DATA, RFC 8260;
	// the sctp_interleaving_supported option of RFC 8260 Section 4.3.1):
	// the Supported Extensions parameter of the INIT and INIT ACK then
	// lists I-DATA, and I-FORWARD-TSN unless PartialReliabilityDisabled.
	// When the peer lists I-DATA too, every user message goes in I-DATA
	// chunks (RFC 8260 Section 2.2.1), and a DATA chunk from the peer is
	// a protocol violation that aborts the association; otherwise the
	// association uses DATA, and an I-DATA chunk is the violation. Off
	// by default, as RFC 8260 Section 2.2.1 asks: the receiver must be
	// ready for interleaved messages (see FragmentInterleave).
	Interleaving bool

	// Auth configures the authentication of chunks (AUTH, RFC 4895): on
	// by default.
	Auth AuthConfig

	// ASCONF offers dynamic address reconfiguration (RFC 5061): the
	// Supported Extensions parameter of the INIT and INIT ACK then lists
	// ASCONF and ASCONF-ACK, and with a peer that lists them too the
	// association adds, deletes and asks for primary addresses
	// (AddLocalAddr, DeleteLocalAddr, SetPeerPrimary) and answers the
	// peer's requests. RFC 5061 Section 4.1 asks for both chunks to be
	// authenticated (AUTH, RFC 4895): ASCONF is offered only with AUTH,
	// or with ASCONFNoAuth. Off by default.
	ASCONF bool
	// ASCONFNoAuth offers and accepts ASCONF without AUTH, as Linux's
	// net.sctp.addip_noauth_enable does for peers that predate RFC 5061
	// Section 4.1. Anyone who can see the verification tags of the
	// association can then add, delete and choose its addresses (new
	// ones are still confirmed by a HEARTBEAT before data goes to them,
	// RFC 9260 Section 5.4). For tests and closed networks only.
	ASCONFNoAuth bool
	// ASCONFWildcard sends the addresses of ASCONF requests as the
	// wildcard (0.0.0.0 or ::), each request from the address it names,
	// as RFC 6951 Section 5.7 requires behind a NAT that rewrites
	// addresses: the peer takes the packet's source (RFC 5061 Section
	// 4.2.1). A Delete IP Address request then deletes every address
	// but the one it is sent from.
	ASCONFWildcard bool

	// FragmentInterleave is the fragment interleave level of RFC 6458
	// Section 8.1.20 (SCTP_FRAGMENT_INTERLEAVE), used when
	// HasFragmentInterleave is set; otherwise level 2. At level 2 a
	// message delivered in pieces (partial delivery) blocks only the
	// later messages of its stream; at level 0 or 1 it blocks every other
	// message of the association until its last piece is delivered. RFC
	// 8260 Section 4.3.1 advises level 2 with Interleaving ("Failure to
	// set this option can possibly lead to application deadlock").
	FragmentInterleave    int
	HasFragmentInterleave bool

	// ResetRequestsDenied are the kinds of the peer's stream
	// reconfiguration requests answered "Denied" without being performed
	// (RFC 6525 Section 6.3.1, SCTP_ENABLE_STREAM_RESET, whose enabled
	// set is the complement). By default (none denied) every kind is
	// performed; Linux denies every kind by default, usrsctp-based WebRTC
	// stacks enable stream resets and adding streams.
	ResetRequestsDenied ResetRequests

	// DefaultSend holds the send parameters Send uses
	// (sctp_default_send_param).
	DefaultSend SendInfo

	// Scheduler is the stream scheduler that picks the outbound stream
	// of the next message (RFC 8260 Section 3, SCTP_STREAM_SCHEDULER);
	// the zero value is stream.RoundRobin. It may be changed on a live
	// association (Reconfigure): the queued messages stay.
	Scheduler stream.Scheduler
	// StreamValues are the per-stream values of the scheduler (RFC 8260
	// Section 4.3.3, SCTP_STREAM_SCHEDULER_VALUE), read as Scheduler
	// reads them: priorities for stream.Priority (0, the default, the
	// highest), weights for stream.WeightedFairQueueing (1 by default, 0
	// invalid); the other schedulers ignore them. The last value of a
	// stream counts; streams beyond the outbound streams negotiated wait
	// until streams are added. The slice may be shared between
	// configurations: replace it, never modify it (SetStreamValue).
	StreamValues []StreamValue

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
	defd(&c.LoneSACKDelay, DefaultLoneSACKDelay)
	def(&c.ReceiveBuffer, DefaultReceiveBuffer)
	def(&c.SendBuffer, DefaultSendBuffer)
	def(&c.ReceiveBufferMax, DefaultReceiveBufferMax)
	def(&c.SendBufferMax, DefaultSendBufferMax)
	def(&c.MTU, DefaultMTU)
	def(&c.MaxBurst, DefaultMaxBurst)
	def(&c.HBMaxBurst, DefaultHBMaxBurst)
	c.PMTUD.withDefaults()
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
	case c.LoneSACKDelay < 0 || c.LoneSACKDelay > MaxSACKDelay:
		return bad("LoneSACKDelay", c.LoneSACKDelay)
	case c.ResetRequestsDenied&^AllResetRequests != 0:
		return bad("ResetRequestsDenied", c.ResetRequestsDenied)
	case c.SACKFrequency < 1:
		return bad("SACKFrequency", c.SACKFrequency)
	case c.ReceiveBuffer < int(chunk.MinARwnd):
		// RFC 9260 Section 3.3.2: a_rwnd "MUST NOT be smaller than 1500".
		return bad("ReceiveBuffer", c.ReceiveBuffer)
	case c.SendBuffer < 1:
		return bad("SendBuffer", c.SendBuffer)
	case c.ReceiveBufferMax < 0:
		return bad("ReceiveBufferMax", c.ReceiveBufferMax)
	case c.SendBufferMax < 0:
		return bad("SendBufferMax", c.SendBufferMax)
	case c.MTU < MinMTU || c.MTU > 65535:
		return bad("MTU", c.MTU)
	case c.ZeroChecksum != chunk.EDMIDReserved && c.ZeroChecksum != chunk.EDMIDDTLS:
		return bad("ZeroChecksum", c.ZeroChecksum)
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
	case c.FragmentInterleave < 0 || c.FragmentInterleave > 2:
		return bad("FragmentInterleave", c.FragmentInterleave)
	case c.PartialDeliveryPoint < 0:
		return bad("PartialDeliveryPoint", c.PartialDeliveryPoint)
	case c.Rand == nil:
		return bad("Rand", nil)
	case !c.Shard.Valid():
		return bad("Shard", c.Shard)
	}
	if err := c.PMTUD.validate(); err != nil {
		return err
	}
	if err := c.Auth.validate(); err != nil {
		return err
	}
	return c.validScheduler()
}
