package association

// State is an association state (RFC 9260 Section 4).
type State uint8

// The states of RFC 9260 Section 4, Figure 3.
const (
	StateClosed State = iota
	StateCookieWait
	StateCookieEchoed
	StateEstablished
	StateShutdownPending
	StateShutdownSent
	StateShutdownReceived
	StateShutdownAckSent
)

var stateNames = [...]string{
	StateClosed:           "closed",
	StateCookieWait:       "cookie_wait",
	StateCookieEchoed:     "cookie_echoed",
	StateEstablished:      "established",
	StateShutdownPending:  "shutdown_pending",
	StateShutdownSent:     "shutdown_sent",
	StateShutdownReceived: "shutdown_received",
	StateShutdownAckSent:  "shutdown_ack_sent",
}

// String returns the state as the gen_sctp status atom (without the
// sctp_state_ prefix), for example "cookie_wait".
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "undefined"
}

// shuttingDown reports whether s is one of the shutdown states.
func (s State) shuttingDown() bool {
	return s >= StateShutdownPending && s <= StateShutdownAckSent
}
