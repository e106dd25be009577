package api

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"

	"github.com/gensctp/gensctp/udpencap"
	"github.com/pion/transport/v3"
)

// This file holds the options that say where the UDP sockets come from:
// the network (an addition to gen_sctp, for virtual networks), the
// network namespace (gen_sctp {netns, Path}) and the interface they are
// bound to (gen_sctp {bind_to_device, Ifname}).

// Network sets the network the UDP sockets come from: nil, the default,
// is the operating system's; a pion/transport/v3 vnet.Net puts the
// socket on a virtual network (in-process, for tests: nothing reaches a
// real interface), any other transport.Net is used as it is. Sockets
// share a stack (one UDP socket per local UDP port, see LocalUDPPort)
// only with sockets on the same network. The Net's dynamic type must be
// comparable (a pointer, as vnet.Net and stdnet.Net are). An addition to
// gen_sctp. Open-only.
func Network(n transport.Net) Option {
	return Option{name: "network", openOnly: true, apply: func(c *optCtx) error {
		if n != nil && !reflect.TypeOf(n).Comparable() {
			return fmt.Errorf("a transport.Net of the non-comparable type %T", n)
		}
		c.st.net = n
		return nil
	}}
}

// Netns opens the UDP sockets in the network namespace at path (gen_sctp
// {netns, Path}, for example "/var/run/netns/blue" or
// "/proc/PID/ns/net"): on Linux the stack's sockets are created on a
// thread that has entered the namespace with setns(2) (which needs
// CAP_SYS_ADMIN) and has left it again, so that the sockets, and the
// packets of the socket's associations, belong to that namespace while
// the rest of the process stays where it is. Elsewhere, where there are
// no network namespaces, it is refused with ErrNotSupported (reason
// enotsup). A path that cannot be opened or entered fails Open. Sockets
// share a stack only with sockets of the same path. It cannot be combined
// with Network. Open-only.
func Netns(path string) Option {
	return Option{name: "netns", openOnly: true, apply: func(c *optCtx) error {
		if runtime.GOOS != "linux" {
			return fmt.Errorf("%w: network namespaces are Linux's", ErrNotSupported)
		}
		if path == "" || strings.IndexByte(path, 0) >= 0 {
			return fmt.Errorf("bad path %q", path)
		}
		c.st.netns = path
		return nil
	}}
}

// errNetnsNetwork: Netns with a Network.
var errNetnsNetwork = errors.New("netns with a network other than the operating system's")

// BindToDevice binds the UDP sockets to the network interface ifname
// (gen_sctp {bind_to_device, Ifname}, SO_BINDTODEVICE; "" unbinds, the
// default): the socket's packets then leave and arrive through that
// interface only. Linux only: elsewhere it is refused with
// ErrNotSupported (reason enotsup), as the operating system has no such
// option. An interface that does not exist is the operating system's
// refusal (ENODEV), and nothing changes. Shared with the sockets of the
// UDP port (see DontRoute); on a virtual network (Network) the name is
// only remembered.
func BindToDevice(ifname string) Option {
	return Option{name: "bind_to_device", apply: func(c *optCtx) error {
		if !udpencap.BindToDeviceSupported {
			return fmt.Errorf("%w: SO_BINDTODEVICE is Linux's", ErrNotSupported)
		}
		if !udpencap.ValidDeviceName(ifname) {
			return badValue(fmt.Sprintf("%q", ifname))
		}
		c.setIP(ipBindToDevice, func() { c.st.ip.BindToDevice = ifname })
		return nil
	}}
}
