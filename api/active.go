package api

import (
	"errors"
	"math"
	"strconv"
)

// activeMode is the mode part of the active option.
type activeMode uint8

const (
	activeFalse activeMode = iota
	activeTrue
	activeOnce
	activeMulti // {active, N}
)

// ActiveSetting is a value of the active option: ActiveFalse (passive,
// the default), ActiveTrue, ActiveOnce or ActiveCount(N).
type ActiveSetting struct {
	mode activeMode
	n    int
}

// The active values other than counts.
var (
	// ActiveFalse: passive mode; read with Recv.
	ActiveFalse = ActiveSetting{mode: activeFalse}
	// ActiveTrue: every message and event goes to the delivery channel.
	ActiveTrue = ActiveSetting{mode: activeTrue}
	// ActiveOnce: one delivery, then passive (no passive notice).
	ActiveOnce = ActiveSetting{mode: activeOnce}
)

// ActiveCount is {active, N}: N (-32768 to 32767) is added to the current
// count (see Active).
func ActiveCount(n int) ActiveSetting { return ActiveSetting{mode: activeMulti, n: n} }

// IsCount reports whether v is a count (and so the socket is active) and
// returns it.
func (v ActiveSetting) IsCount() (int, bool) { return v.n, v.mode == activeMulti }

// String returns "false", "true", "once" or the count.
func (v ActiveSetting) String() string {
	switch v.mode {
	case activeTrue:
		return "true"
	case activeOnce:
		return "once"
	case activeMulti:
		return strconv.Itoa(v.n)
	}
	return "false"
}

// Active sets the delivery mode (gen_sctp {active, V}, the gen_sctp documentation).
// In active mode messages and events go to the delivery channel
// (Socket.Deliveries, Socket.SetOwner) instead of Recv; error-class
// events arrive as deliveries of kind KindError.
//
// ActiveCount(N) adds N to the current count (0 unless the socket is in
// count mode). A sum outside -32768..32767 is an error (gen_sctp einval)
// and changes nothing; a negative sum counts as 0. Every delivery counts,
// events included; when the count reaches 0 the socket turns passive and
// a KindPassive notice is delivered ({sctp_passive, S}). A sum of 0 does
// the same at once, even on a passive socket or at Open. Switching from a
// count to ActiveTrue, ActiveOnce or ActiveFalse delivers no notice.
func Active(v ActiveSetting) Option {
	return Option{name: "active", apply: func(c *optCtx) error {
		notify, err := c.st.active.set(v)
		if err != nil {
			return err
		}
		c.st.passiveDue = c.st.passiveDue || notify
		return nil
	}}
}

// errActiveRange: the active count left the int16 range.
var errActiveRange = errors.New("active count out of range -32768..32767")

// activeState is the active mode of a socket and, in count mode, the
// count. It follows inet_drv: the count is 0 outside count mode.
type activeState struct {
	mode  activeMode
	count int
}

// on reports whether deliveries go to the channel.
func (a *activeState) on() bool { return a.mode != activeFalse }

// set applies v and reports whether a passive notice is due.
func (a *activeState) set(v ActiveSetting) (notify bool, err error) {
	if v.mode != activeMulti {
		a.mode, a.count = v.mode, 0
		return false, nil
	}
	if v.n < math.MinInt16 || v.n > math.MaxInt16 {
		return false, errActiveRange
	}
	sum := a.count + v.n
	if sum < math.MinInt16 || sum > math.MaxInt16 {
		return false, errActiveRange
	}
	if sum <= 0 {
		a.mode, a.count = activeFalse, 0
		return true, nil
	}
	a.mode, a.count = activeMulti, sum
	return false, nil
}

// delivered counts one delivery to the channel and reports whether a
// passive notice is due.
func (a *activeState) delivered() (notify bool) {
	switch a.mode {
	case activeOnce:
		a.mode = activeFalse
	case activeMulti:
		a.count--
		if a.count <= 0 {
			a.mode, a.count = activeFalse, 0
			return true
		}
	}
	return false
}

// value returns the current setting, as getopts(active) reads it: the
// count in count mode, else false, true or once.
func (a *activeState) value() ActiveSetting {
	return ActiveSetting{mode: a.mode, n: a.count}
}
