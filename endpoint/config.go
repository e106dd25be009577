package endpoint

import (
	"fmt"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/pion/logging"
)

// Style is the socket style of an endpoint (RFC 6458 Sections 3 and 4).
type Style uint8

// The socket styles.
const (
	// OneToMany is the one-to-many style (gen_sctp seqpacket, RFC 6458
	// Section 3): every association is reported through Poll, with its
	// AssocChange events, as soon as it exists.
	OneToMany Style = iota
	// OneToOne is the one-to-one style (gen_sctp stream, RFC 6458 Section
	// 4): a listening endpoint keeps the associations it accepted in a
	// backlog until Accept takes them; Poll does not report them before.
	OneToOne
)

// String returns the gen_sctp type atom: "seqpacket" or "stream".
func (s Style) String() string {
	switch s {
	case OneToMany:
		return "seqpacket"
	case OneToOne:
		return "stream"
	}
	return "undefined"
}

// Defaults of Config.
const (
	// DefaultBacklog is the backlog of a one-to-one listener when
	// Config.Backlog is 0 (gen_sctp listen/2 with true).
	DefaultBacklog = 5
	// DefaultTagReuseDelay is how long the local verification tag of a
	// closed association stays reserved. RFC 9260 Section 5.3.1: "Careful
	// selection of Initiate Tags is also necessary to prevent old
	// duplicate packets from previous associations being mistakenly
	// processed as belonging to the current association." 60 s is the
	// TIME-WAIT of the FreeBSD SCTP stack for tags.
	DefaultTagReuseDelay = 60 * time.Second
	// MaxPendingReplies bounds the replies the endpoint itself queues
	// (INIT ACK, ABORT, SHUTDOWN COMPLETE, Stale Cookie ERROR): beyond it,
	// packets that would need a reply are dropped without one, so that a
	// flood of INIT chunks cannot grow memory.
	MaxPendingReplies = 1024
	// maxReservedTags bounds the reserved tags; the oldest are released
	// early beyond it.
	maxReservedTags = 1 << 16
)

// Config holds the settings of an Endpoint.
type Config struct {
	// Port is the local SCTP port (not 0).
	Port uint16
	// Assoc is the template of new associations: Connect (unless it gets
	// a configuration of its own) and the acceptor use it. LocalPort is set
	// from Port and PeerPort from the peer; Cookies is the endpoint's.
	// Assoc.Rand must be set: it is the endpoint's source of randomness
	// (verification tags, initial TSNs, cookie secrets).
	Assoc association.Config
	// LoggerFactory makes the endpoint's logger, scope sctp-endpoint
	// (see log.go); nil logs nothing. The associations log with
	// Assoc.LoggerFactory.
	LoggerFactory logging.LoggerFactory
	// MaxAssociations bounds the associations the endpoint holds, closed
	// ones whose last deliveries were not polled yet included; 0 means no
	// limit. Beyond it, Connect fails with ErrTooManyAssociations and an
	// INIT or COOKIE ECHO that would create an association is answered
	// with an ABORT carrying an "Out of Resource" cause (RFC 9260 Section
	// 5.1: "If an endpoint receives an INIT, INIT ACK, or COOKIE ECHO
	// chunk but decides not to establish the new association due to ...
	// lack of local resources, it SHOULD respond with an ABORT chunk";
	// Section 3.3.10.4), so that the peer's connect fails at once instead
	// of retrying.
	MaxAssociations int
	// Backlog bounds, for a one-to-one listener, the associations
	// established but not yet taken with Accept; 0 means DefaultBacklog.
	// With a full backlog, a COOKIE ECHO that would create an association
	// is dropped silently: the peer retransmits it (RFC 9260 Section
	// 5.1.6) and gets in once Accept made room.
	Backlog int
	// Style is the socket style.
	Style Style
	// CookieKeyLifetime is how long a cookie secret stays current (RFC
	// 9260 Section 5.1.3: "The secret key SHOULD be changed reasonably
	// frequently"); 0 means association.DefaultCookieKeyLifetime. A
	// cookie verifies until the second rotation after it was issued.
	CookieKeyLifetime time.Duration
	// TagReuseDelay is how long the local tag of a closed association
	// stays reserved against reuse by a new one; 0 means
	// DefaultTagReuseDelay, negative means not at all.
	TagReuseDelay time.Duration
	// InitRate bounds the INIT chunks the endpoint handles from one
	// source (an IPv4 address or an IPv6 /64 prefix), whether they would
	// set up an association or concern an existing one: InitBurst at
	// once, then InitRate per second; beyond, an INIT is discarded
	// silently and its sender retransmits it (see initLimiter). 0 means
	// DefaultInitRate, negative means no limit; at most MaxInitRate.
	// The ABORTs refusing a valid COOKIE ECHO (not listening, or
	// MaxAssociations reached) count as INITs of its source.
	InitRate int
	// InitBurst is the burst of InitRate; 0 means DefaultInitBurst; at
	// most MaxInitBurst.
	InitBurst int
	// SendQuantum is the number of packets an association may send in a
	// row before AppendPacket turns to the next association with
	// something to send; 0 means 1 (strict round-robin). A larger quantum
	// batches packets to one destination (for UDP GSO) at the price of
	// latency for the others.
	SendQuantum int
	// Shard places the endpoint among the shards that serve its UDP port
	// (see Shard and Router); the zero value is unsharded. The
	// associations get it as Assoc.Shard, whatever their configuration.
	Shard Shard
	// AssocQuota, if not nil, is a count of associations shared with the
	// endpoints of the other shards of the socket (see Quota): each
	// association the endpoint holds (what Len counts) takes a unit from
	// its creation until it is forgotten. Where Acquire fails, new
	// associations are refused as when MaxAssociations is reached, which
	// still bounds the endpoint's own.
	AssocQuota Quota
	// BacklogQuota, if not nil, is the one-to-one backlog shared the same
	// way: an association takes a unit from entering the backlog until
	// Accept takes it (or Close or Abort drops it). Where Acquire fails, a
	// COOKIE ECHO is dropped as with a full Backlog, which still bounds
	// the endpoint's own.
	BacklogQuota Quota
	// NoIPv4 and NoIPv6 leave a family out of an endpoint bound to the
	// wildcard (no Assoc.LocalAddrs), as the family of a socket does
	// (inet: no IPv6; inet6 with ipv6_v6only: no IPv4): it does not take
	// packets sent to an address of that family (an IPv4-mapped IPv6
	// address counts as IPv4), which another endpoint of the port may
	// take, or else the out-of-the-blue rules apply, and it shares its
	// port with a wildcard endpoint of the other family (see Mux.Add).
	NoIPv4, NoIPv6 bool
}

// withDefaults returns c with its zero fields set.
func (c Config) withDefaults() Config {
	if c.Backlog == 0 {
		c.Backlog = DefaultBacklog
	}
	if c.CookieKeyLifetime == 0 {
		c.CookieKeyLifetime = association.DefaultCookieKeyLifetime
	}
	if c.TagReuseDelay == 0 {
		c.TagReuseDelay = DefaultTagReuseDelay
	}
	if c.SendQuantum == 0 {
		c.SendQuantum = 1
	}
	c.Assoc.LocalPort, c.Assoc.Shard = c.Port, c.Shard
	return c.withInitDefaults()
}

// withInitDefaults returns c with the zero fields of the INIT rate limit
// set.
func (c Config) withInitDefaults() Config {
	if c.InitRate == 0 {
		c.InitRate = DefaultInitRate
	}
	if c.InitBurst == 0 {
		c.InitBurst = DefaultInitBurst
	}
	return c
}

// errConfig is the error of an invalid Config field.
func errConfig(field string, v any) error {
	return fmt.Errorf("%w: %s = %v", ErrInvalidConfig, field, v)
}

// validateInit checks the INIT rate limit of c after defaults.
func (c *Config) validateInit() error {
	switch {
	case c.InitRate > MaxInitRate:
		return errConfig("InitRate", c.InitRate)
	case c.InitBurst < 1 || c.InitBurst > MaxInitBurst:
		return errConfig("InitBurst", c.InitBurst)
	}
	return nil
}

// validate checks c after defaults.
func (c *Config) validate() error {
	bad := errConfig
	switch {
	case c.Port == 0:
		// RFC 9260 Section 3.1: "The Source Port Number 0 MUST NOT be
		// used."
		return bad("Port", c.Port)
	case c.MaxAssociations < 0:
		return bad("MaxAssociations", c.MaxAssociations)
	case c.Backlog < 0:
		return bad("Backlog", c.Backlog)
	case c.Style > OneToOne:
		return bad("Style", c.Style)
	case c.CookieKeyLifetime < 0:
		return bad("CookieKeyLifetime", c.CookieKeyLifetime)
	case c.SendQuantum < 0:
		return bad("SendQuantum", c.SendQuantum)
	case c.Assoc.Rand == nil:
		return bad("Assoc.Rand", nil)
	case !c.Shard.Valid():
		return bad("Shard", c.Shard)
	}
	return c.validateInit()
}
