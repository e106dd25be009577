//go:build !unix

package udpencap

import (
	"errors"
	"net"

	"github.com/pion/transport/v3"
)

// BUG(gensctp): On Windows a wildcard address cannot join specific ones
// already bound on the same UDP port of a [Conn] ([Conn.Bind]):
// SO_REUSEADDR there would let any socket take the port over.

// reuseSupported: no SO_REUSEADDR dance here.
const reuseSupported = false

func listenReuse(string, *net.UDPAddr) (transport.UDPConn, error) {
	return nil, errors.ErrUnsupported
}

func setReuse(*net.UDPConn, bool) error { return nil }
