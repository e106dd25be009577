package api

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/udpencap"
)

// sharedStack is one running stack (one UDP encapsulation port on a set
// of local addresses), shared by the sockets opened on that port: RFC 6951
// Section 5.1 has one local UDP port per SCTP stack, and each socket is
// one SCTP port (an endpoint) on it.
type sharedStack struct {
	st   *stack.Stack
	key  stackKey
	refs int // guarded by registry.mu
}

// stackKey identifies a shared stack: the UDP port and the local
// addresses.
type stackKey struct {
	port  int
	addrs string
	ipv6  bool
}

// registry holds the stacks of the process by key.
var registry = struct {
	mu     sync.Mutex
	stacks map[stackKey]*sharedStack
}{stacks: make(map[stackKey]*sharedStack)}

// keyOf returns the key of a stack on port with the addresses addrs.
func keyOf(port int, addrs []netip.Addr, ipv6 bool) stackKey {
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	slices.Sort(s)
	return stackKey{port: port, addrs: strings.Join(s, ","), ipv6: ipv6}
}

// acquireStack returns the stack on the UDP port and addresses given,
// starting it if needed. Port 0 always starts a new stack (on an
// ephemeral port, which later sockets may then name).
func acquireStack(port int, addrs []netip.Addr, ipv6 bool) (*sharedStack, error) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if port != 0 {
		if sh := registry.stacks[keyOf(port, addrs, ipv6)]; sh != nil {
			sh.refs++
			return sh, nil
		}
	}
	st, err := stack.New(stack.Config{UDP: udpencap.Config{LocalAddrs: addrs, IPv6: ipv6 && len(addrs) == 0, Port: port}})
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, errors.Join(ErrAddrInUse, err)
		}
		return nil, err
	}
	sh := &sharedStack{st: st, key: keyOf(st.Conn().Port(), addrs, ipv6), refs: 1}
	registry.stacks[sh.key] = sh
	return sh, nil
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
