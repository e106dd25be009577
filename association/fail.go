package association

import "github.com/gensctp/gensctp/timer"

// Fail ends the association at once because the layer below can carry no
// more packets (its packet transport closed): nothing is sent, not even
// an ABORT, since nothing could reach the peer. As for an ABORT received
// (RFC 9260 Section 9.1), the messages not sent or not acknowledged are
// reported as failed, and the AssocChange event is CommLost (CantAssoc
// before the association was up), with err as its Err. A closed
// association is left as it is.
func (a *Association) Fail(now timer.Time, err error) {
	if a.state == StateClosed {
		return
	}
	ev := CommLost
	if a.state == StateCookieWait || a.state == StateCookieEchoed {
		ev = CantAssoc
	}
	a.clearCtrl()
	a.failWith(now, ev, err)
}
