package api

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"syscall"

	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/pion/logging"
	"github.com/pion/transport/v3"
)

// sharedStack is one running stack (one UDP encapsulation port), shared
// by the sockets opened on that port whatever their local addresses: RFC
// 6951 Section 5.1 has one local UDP port per SCTP stack, and each socket
// is one SCTP port (an endpoint) on it. Its UDP sockets cover the
// addresses of all its sockets (udpencap.Conn.Bind), and each endpoint
// takes the packets sent to its own addresses (endpoint.Mux).
type sharedStack struct {
	st   *stack.Stack
	key  stackKey
	refs int // guarded by registry.mu
}

// stackKey identifies a shared stack: the UDP port, the network the UDP
// sockets come from (Network; nil is the operating system's) and the
// network namespace (Netns); or, for a transport of the user's
// (OverTransport and the others), what the user named alone: such a
// stack never shares UDP sockets, and sockets share it by the identity
// of their transport.
type stackKey struct {
	port  int
	net   transport.Net // comparable: checked by the Network option
	netns string
	user  any // comparable: checked by the transport options
}

// stackSpec is what a stack is opened on.
type stackSpec struct {
	port      int
	addrs     []netip.Addr
	ipv6      bool
	net       transport.Net
	netns     string
	transport *userTransport
	shards    int // the Shards option; 0: the default
	logger    logging.LoggerFactory
}

// registry holds the stacks of the process by key.
var registry = struct {
	mu     sync.Mutex
	stacks map[stackKey]*sharedStack
}{stacks: make(map[stackKey]*sharedStack)}

// keyOf returns the key of a stack of spec on port.
func keyOf(port int, spec stackSpec) stackKey {
	return stackKey{port: port, net: spec.net, netns: spec.netns}
}

// acquireStack returns the stack of spec (its UDP port, network and
// namespace), starting it on spec's addresses if needed, else making its
// UDP sockets cover them. Port 0 always starts a new stack (on an
// ephemeral port, which later sockets may then name).
func acquireStack(spec stackSpec) (*sharedStack, error) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if ut := spec.transport; ut != nil {
		return acquireUserStackLocked(ut, spec)
	}
	ipv6 := spec.ipv6 && len(spec.addrs) == 0
	if spec.port != 0 {
		if sh := registry.stacks[keyOf(spec.port, spec)]; sh != nil {
			if _, err := inNetns(spec.netns, func() (*stack.Stack, error) {
				return sh.st, sh.st.Bind(spec.addrs, ipv6)
			}); err != nil {
				return nil, addrInUse(err)
			}
			return sh.joinLocked(spec.shards)
		}
	}
	cfg := stack.Config{UDP: udpencap.Config{Net: spec.net, LocalAddrs: spec.addrs,
		IPv6: ipv6, Port: spec.port}, Shards: shardsFor(spec.shards, false), LoggerFactory: spec.logger}
	st, err := inNetns(spec.netns, func() (*stack.Stack, error) { return stack.New(cfg) })
	if err != nil {
		return nil, addrInUse(err)
	}
	sh := &sharedStack{st: st, key: keyOf(st.Conn().Port(), spec), refs: 1}
	registry.stacks[sh.key] = sh
	return sh, nil
}

// addrInUse joins ErrAddrInUse to err when the operating system refused
// an address as taken.
func addrInUse(err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return joinErrors(ErrAddrInUse, err)
	}
	return err
}

// acquireUserStackLocked returns the stack of a transport of the user's,
// starting it if needed.
func acquireUserStackLocked(ut *userTransport, spec stackSpec) (*sharedStack, error) {
	key := stackKey{user: ut.key}
	if sh := registry.stacks[key]; sh != nil {
		return sh.joinLocked(spec.shards)
	}
	_, connected := ut.t.(packetio.Connected)
	st, err := stack.New(stack.Config{Transport: ut.t, Shards: shardsFor(spec.shards, connected),
		LoggerFactory: spec.logger})
	if err != nil {
		return nil, err
	}
	sh := &sharedStack{st: st, key: key, refs: 1}
	registry.stacks[key] = sh
	return sh, nil
}

// joinLocked takes a reference to a running stack for a socket that asks
// for shards (the Shards option, 0: any).
func (sh *sharedStack) joinLocked(shards int) (*sharedStack, error) {
	if shards != 0 && shards != sh.st.Shards() {
		return nil, fmt.Errorf("%w: %d shards on a stack that has %d", ErrInvalidOption, shards, sh.st.Shards())
	}
	sh.refs++
	return sh, nil
}

// shardsFor returns the shards of a new stack for the Shards option n (0:
// the default: stack.DefaultShards, or one over a connected transport,
// which has one peer, unless GENSCTP_SHARDS says).
func shardsFor(n int, connected bool) int {
	switch {
	case n != 0:
		return n
	case connected && os.Getenv(stack.EnvShards) == "":
		return 1
	}
	return stack.DefaultShards()
}

// release drops one reference and closes the stack with the last.
func (sh *sharedStack) release() {
	registry.mu.Lock()
	sh.refs--
	last := sh.refs == 0
	if last && registry.stacks[sh.key] == sh {
		delete(registry.stacks, sh.key)
	}
	registry.mu.Unlock()
	if last {
		_ = sh.st.Close()
	}
}
