package api

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// newNetns makes a network namespace with only a loopback interface, up,
// and returns its path (/proc/PID/task/TID/ns/net of a thread that lives
// until the end of the test). It needs root (CAP_SYS_ADMIN).
func newNetns(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("making a network namespace needs root")
	}
	type result struct {
		path string
		err  error
	}
	ready := make(chan result, 1)
	stop := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		// Never unlocked: the thread, in the new namespace, ends with
		// the goroutine.
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			ready <- result{err: fmt.Errorf("unshare: %w", err)}
			return
		}
		if err := loopbackUp(); err != nil {
			ready <- result{err: err}
			return
		}
		ready <- result{path: fmt.Sprintf("/proc/%d/task/%d/ns/net", os.Getpid(), unix.Gettid())}
		<-stop
	}()
	r := <-ready
	t.Cleanup(func() { close(stop); <-exited })
	require.NoError(t, r.err)
	return r.path
}

// loopbackUp sets the IFF_UP flag of lo in the thread's namespace.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}

// {netns, Path}: the UDP sockets of the socket are made in that network
// namespace, the rest of the process stays in its own. A UDP port taken
// in the process's namespace is free in the new one; two sockets there
// talk over its loopback; a socket opened without Netns afterwards is in
// the process's namespace again.
func TestNetns(t *testing.T) {
	noLeak(t)
	path := newNetns(t)
	host := open(t) // takes a UDP port here
	port := host.UDPPort()
	_, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(lo, uint16(port))))
	require.ErrorIs(t, err, syscall.EADDRINUSE, "taken in this namespace")

	srv, err := Open(Netns(path), IP(lo), LocalUDPPort(port))
	require.NoError(t, err, "the same UDP port is free in the other namespace")
	t.Cleanup(func() { srv.Close() })
	require.NotSame(t, host.stk, srv.stk)
	require.NoError(t, srv.Listen(true))
	cli, err := Open(Netns(path), IP(lo), LocalUDPPort(0), RemoteUDPPort(port))
	require.NoError(t, err)
	t.Cleanup(func() { cli.Close() })
	ac := connect(t, cli, srv)
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("inside")))
	require.Equal(t, "inside", string(recvData(t, srv).Data))

	// Sharing: the same port and path is the same stack.
	again, err := Open(Netns(path), IP(lo), LocalUDPPort(port))
	require.NoError(t, err)
	require.Same(t, srv.stk, again.stk)
	require.NoError(t, again.Close())

	// The process did not move: a new socket here reaches host's port.
	out := open(t, RemoteUDPPort(port))
	require.NoError(t, host.Listen(true))
	connect(t, out, host)
}
