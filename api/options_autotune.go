package api

import (
	"math"

	"github.com/gensctp/gensctp/association"
)

// RecbufMax sets the cap of receive-buffer autotuning of the socket's
// associations, existing and later ones, an addition to gen_sctp (default
// association.DefaultReceiveBufferMax, 32 MiB): the receive buffer, which
// backs the advertised window, starts at the recbuf option and grows,
// once per round trip, to twice what the user read in the last round
// trip, up to n, as Linux TCP's receive-buffer moderation does, so that
// the window follows the bandwidth-delay product of the path (1 Gbit/s
// at 100 ms needs some 15 MB). An association holds at most its buffer
// in use of received data, so n bounds what each may hold; a user that
// does not read never grows it. n at most the recbuf option (0 included)
// turns autotuning off. Setting recbuf (Recbuf) turns it off too, as
// SO_RCVBUF does on Linux; a later RecbufMax turns it on again. GetOpts
// reads it as recbuf_max; sctp_associnfo's LocalRwnd counts the buffer in
// use.
func RecbufMax(n int) Option {
	return Option{name: "recbuf_max", apply: func(c *optCtx) error {
		if n < 0 || n > math.MaxInt32 {
			return badValue(n)
		}
		return c.changeAll(func(cfg *association.Config) { cfg.ReceiveBufferMax = max(n, 1) })
	}}
}

// SndbufMax sets the cap of send-buffer autotuning of the socket's
// associations, existing and later ones, an addition to gen_sctp (default
// association.DefaultSendBufferMax, 32 MiB): Send blocks while the data
// queued and not yet sent exceeds the sndbuf option, or the largest
// congestion window of the association's primary path so far when that
// is larger, at most n, so that a window's worth can wait to be sent on a long fat path. n
// at most the sndbuf option (0 included) turns autotuning off. Setting
// sndbuf (Sndbuf) turns it off too, as SO_SNDBUF does on Linux; a later
// SndbufMax turns it on again. GetOpts reads it as sndbuf_max.
func SndbufMax(n int) Option {
	return Option{name: "sndbuf_max", apply: func(c *optCtx) error {
		if n < 0 || n > math.MaxInt32 {
			return badValue(n)
		}
		return c.changeAll(func(cfg *association.Config) { cfg.SendBufferMax = max(n, 1) })
	}}
}

// getRecbufMax and getSndbufMax read recbuf_max and sndbuf_max: the cap,
// or the buffer itself when autotuning is off.
func getRecbufMax(s *Socket, _ OptionQuery) (any, error) {
	cfg := s.socketCfgLocked()
	return max(cfg.ReceiveBufferMax, cfg.ReceiveBuffer), nil
}

func getSndbufMax(s *Socket, _ OptionQuery) (any, error) {
	cfg := s.socketCfgLocked()
	return max(cfg.SendBufferMax, cfg.SendBuffer), nil
}
