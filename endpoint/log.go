package endpoint

import (
	"net/netip"

	"github.com/gensctp/gensctp/association"
	"github.com/pion/logging"
)

// An endpoint logs (Config.LoggerFactory, scope sctp-endpoint) at debug
// level the steps of the handshakes it answers for the associations it
// does not have yet, an INIT answered and a COOKIE ECHO that makes an
// association, and every packet it drops, with why (DropError). Each call
// is guarded by the level known when the logger was made
// (logs.Logger.On): when it is off, nothing is formatted.

// logDrop logs the packet of d that was not processed normally, and why.
func (e *Endpoint) logDrop(d *association.Datagram, err error) {
	if err != nil && e.log.On(logging.LogLevelDebug) {
		e.log.Debugf("port %d: packet from %v: %v", e.cfg.Port, d.From, err)
	}
}

// logStep logs a handshake step with a peer (from, port).
func (e *Endpoint) logStep(step string, from netip.AddrPort, port uint16, id AssocID) {
	if !e.log.On(logging.LogLevelDebug) {
		return
	}
	if id != 0 {
		e.log.Debugf("port %d: %s from %v port %d: association %d", e.cfg.Port, step, from, port, id)
		return
	}
	e.log.Debugf("port %d: %s from %v port %d", e.cfg.Port, step, from, port)
}
