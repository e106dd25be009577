//go:build !linux

package udpencap

// groupSupported: no steered socket groups here; a Conn has one receive
// queue (see queues.go).
const groupSupported = false

func (c *Conn) openGroup(*socket, int) ([]*socket, error) { return nil, errQueue }

func closePort(*socket) {}
