//go:build !linux

package udpencap

import "net"

// BUG(gensctp): Packet Too Big messages ([Conn.EnablePTB]) are reported on
// Linux only.

// ptbSupported: no error queue to read here.
const ptbSupported = false

func setRecvErr(*net.UDPConn, bool) error { return nil }

// readPTB reads nothing here.
func (s *socket) readPTB([]Message) int { return 0 }
