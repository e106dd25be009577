package api

import (
	"time"

	"github.com/gensctp/gensctp/association"
)

// LoneSackDelay sets, for the socket's associations, existing and later
// ones, how long a SACK owed waits for the next packet with DATA, an
// addition to gen_sctp (default association.DefaultLoneSACKDelay, 1 ms):
// when none comes within d, the SACK goes out then, not the whole
// sctp_delayed_ack_time after the first packet it covers. A peer that
// uses Nagle's algorithm and does not ask for immediate SACKs (RFC 7053),
// as usrsctp and Linux do unless SCTP_NODELAY is set, holds its next
// data until the SACK comes; a user that waits for that data before it
// answers (write, write, read) would otherwise wait the SACK delay, 200
// ms, for each exchange. An answer sent within d still carries the SACK.
// d at least the SACK delay (at most 500 ms, RFC 9260 Section 6.2) turns
// it off. GetOpts reads it as lone_sack_delay, a time.Duration.
func LoneSackDelay(d time.Duration) Option {
	return Option{name: "lone_sack_delay", apply: func(c *optCtx) error {
		if d <= 0 || d > association.MaxSACKDelay {
			return badValue(d)
		}
		return c.changeAll(func(cfg *association.Config) { cfg.LoneSACKDelay = d })
	}}
}

// getLoneSackDelay reads lone_sack_delay.
func getLoneSackDelay(s *Socket, _ OptionQuery) (any, error) {
	return s.socketCfgLocked().LoneSACKDelay, nil
}
