package endpoint

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/timer"
)

// Defaults and bounds of the INIT rate limit (Config.InitRate and
// Config.InitBurst).
const (
	// DefaultInitRate is how many INIT chunks per second one source may
	// send once its burst is spent: far above what one peer sends (one
	// INIT per association, retransmitted when T1-init expires, after at
	// least RTO.Min = 1 s; RFC 9260 Sections 5.1 and 6.3.1), room for many
	// clients behind one NAT.
	DefaultInitRate = 128
	// DefaultInitBurst is how many INIT chunks one source may send at
	// once: a client that opens a pool of a few hundred associations at
	// start-up is not slowed.
	DefaultInitBurst = 256
	// MaxInitRate and MaxInitBurst bound the settings.
	MaxInitRate  = 1_000_000
	MaxInitBurst = 1 << 20
	// initSlots is the size of each of the two tables of the limiter; it
	// costs 2 × 8 × initSlots bytes per endpoint that ever got an INIT.
	initSlots = 512
)

// initLimiter bounds the INIT chunks the endpoint handles per source: a
// generic cell rate algorithm (a token bucket: InitBurst INITs at once,
// then InitRate per second) in a count-min sketch of fixed size, so that
// its memory does not grow with the number of sources. A source (an IPv4
// address, or the /64 prefix of an IPv6 address, which one host
// usually holds whole) maps to one slot in each of two tables by a keyed
// hash; each slot holds a theoretical arrival time (TAT). A source's TAT
// is the earlier of its two slots', and an INIT is allowed when that is
// at most the burst tolerance ahead of now; it then moves both slots to at
// least the new TAT (the conservative update). A quiet source can thus be
// slowed only when both its slots are shared with busy ones. It is sans-IO
// and deterministic: time is an input, the hash key comes from the
// endpoint's randomness source, and the table is allocated at the first
// INIT.
//
// RFC 9260 Section 12.2.4.1 (flooding): "avoiding commitment of limited
// resources before determining that the request for service is
// legitimate" and "giving priority to completion of processing in progress
// over the acceptance of new work". An INIT over the rate is discarded
// silently: an answer (an INIT ACK with a signed State Cookie, or an
// ABORT) is the work a flood wants, and a real peer retransmits its INIT
// when T1-init expires (Section 5.1.6) and gets in once its source is
// under the rate. Since an INIT carries no verification tag, whoever can
// send packets with a source address can spend its allowance: the limit
// bounds the work per source, it does not authenticate anyone. The tables
// have a fixed size, so a flood from very many forged sources at once
// fills them and slows fresh sources too (TestInitLimiterSpoofedFlood, at
// the default rate: every fresh source still gets in under a flood of
// 100,000 INITs per second from random sources, about a quarter at 300,000,
// under a tenth at a million); the endpoint then still answers at most
// that rate per slot, and nothing it keeps grows.
type initLimiter struct {
	interval  time.Duration // 1 s / rate; 0: no limit
	tolerance time.Duration // (burst-1) × interval
	key       uint64
	tat       *[2][initSlots]timer.Time
}

// set configures the limit: rate INITs per second after a burst of burst;
// rate 0 means no limit. The caller validated the values.
func (l *initLimiter) set(rate, burst int) {
	if rate <= 0 {
		l.interval, l.tolerance = 0, 0
		return
	}
	l.interval = time.Second / time.Duration(rate)
	l.tolerance = time.Duration(burst-1) * l.interval
}

// allow reports whether an INIT from src may be handled at now, and counts
// it if so. rnd draws the hash key when the table is first needed.
func (l *initLimiter) allow(now timer.Time, src netip.Addr, rnd rand.Source) bool {
	if l.interval == 0 {
		return true
	}
	if l.tat == nil {
		l.key = rnd.Uint64()
		l.tat = new([2][initSlots]timer.Time)
		for i := range l.tat {
			for j := range l.tat[i] {
				l.tat[i][j] = math.MinInt64
			}
		}
	}
	h := mix64(sourceOf(src) ^ l.key)
	a, b := &l.tat[0][h%initSlots], &l.tat[1][(h>>32)%initSlots]
	tat := max(min(*a, *b), now)
	if tat.Sub(now) > l.tolerance {
		return false
	}
	tat = tat.Add(l.interval)
	*a, *b = max(*a, tat), max(*b, tat)
	return true
}

// sourceOf returns what identifies the source of addr: the IPv4 address,
// or the /64 prefix of an IPv6 address (RFC 4291 Section 2.5.1: the
// interface identifier is the low 64 bits, which one host may change at
// will, RFC 8981).
func sourceOf(addr netip.Addr) uint64 {
	addr = addr.Unmap()
	if addr.Is4() {
		a := addr.As4()
		return 1<<32 | uint64(binary.BigEndian.Uint32(a[:]))
	}
	a := addr.As16()
	return binary.BigEndian.Uint64(a[:8])
}

// mix64 is the finalizer of SplitMix64: every input bit affects every
// output bit.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// SetInitRate changes the INIT rate limit (Config.InitRate and
// Config.InitBurst, with their meaning of 0 and of a negative rate). An
// invalid value changes nothing.
func (e *Endpoint) SetInitRate(rate, burst int) error {
	c := e.cfg
	c.InitRate, c.InitBurst = rate, burst
	c = c.withInitDefaults()
	if err := c.validateInit(); err != nil {
		return err
	}
	e.cfg.InitRate, e.cfg.InitBurst = c.InitRate, c.InitBurst
	e.initLimit.set(c.InitRate, c.InitBurst)
	return nil
}

// SetMaxAssociations changes Config.MaxAssociations (0: no limit). When
// it falls below the associations held, they stay; new ones are refused
// until enough of them are gone.
func (e *Endpoint) SetMaxAssociations(n int) error {
	if n < 0 {
		return errConfig("MaxAssociations", n)
	}
	e.cfg.MaxAssociations = n
	return nil
}
