//go:build !linux

package udpencap

import (
	"errors"
	"net"
)

// BUG(gensctp): SO_DONTROUTE and SO_PRIORITY (IPOptions.DontRoute and
// Priority) are set on Linux only; elsewhere they are remembered and have
// no effect, as gen_sctp skips options the platform does not support.

func sysSockOpts(_ *net.UDPConn, dr bool, prio int) (bool, int) { return dr, prio }

func setDontRoute(*net.UDPConn, bool) error { return nil }

func setPriority(*net.UDPConn, int) error { return nil }

// BindToDeviceSupported reports whether SetBindToDevice can work here:
// SO_BINDTODEVICE is Linux's.
const BindToDeviceSupported = false

func boundDevice(_ *net.UDPConn, dev string) string { return dev }

func setBindToDevice(*net.UDPConn, string) error { return errors.ErrUnsupported }
