package endpoint

import "github.com/gensctp/gensctp/timer"

// Fail ends every association at once because the packet transport below
// the endpoint closed, and stops listening, as Abort does but sending
// nothing: each association fails with err (association.Association.Fail),
// which its CommLost or CantAssoc event carries. The deliveries of
// associations never taken from a one-to-one backlog are dropped. A nil
// err is taken as ErrClosed.
func (e *Endpoint) Fail(now timer.Time, err error) {
	if err == nil {
		err = ErrClosed
	}
	e.end(now, err)
}
