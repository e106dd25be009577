//go:build !linux

package udpencap

// BUG(gensctp): the ECN field of datagrams ([OutMessage].ECN) is set on
// Linux only; elsewhere it is ignored and [Conn.ECNCapable] is false.

// ecnSupported: the sockets do not set the ECN field here.
const ecnSupported = false

// ecnSpace is 0: no control message carries the ECN field.
const ecnSpace = 0

// putTOS writes nothing here.
func putTOS([]byte, bool, int) int { return 0 }
