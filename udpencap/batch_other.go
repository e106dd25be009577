//go:build !linux

package udpencap

import "net"

// newBatchIO returns no batch reader or writer: outside Linux the portable
// path reads and writes one datagram per system call.
func newBatchIO(*net.UDPConn, *socket, bool, bool, int, *counters) (reader, writer, error) {
	return nil, nil, nil
}

// noGRO does nothing: UDP_GRO is Linux's.
func (s *socket) noGRO() {}
