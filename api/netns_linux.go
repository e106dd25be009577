package api

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// inNetns runs open (the creation of a stack's UDP sockets, a look at
// the interfaces) inside the network namespace at path, or where the
// process is for "". It runs on
// a goroutine locked to its thread, which enters the namespace with
// setns(2) and goes back to the thread's own namespace afterwards; a
// thread that cannot go back is never unlocked, so that the runtime ends
// it with the goroutine instead of reusing it. The sockets stay in the
// namespace they were created in; the goroutines the stack starts run on
// other threads.
func inNetns[T any](path string, open func() (T, error)) (T, error) {
	if path == "" {
		return open()
	}
	type result struct {
		st  T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		st, back, err := runInNetns(path, open)
		if back {
			runtime.UnlockOSThread()
		}
		ch <- result{st, err}
	}()
	r := <-ch
	return r.st, r.err
}

// runInNetns is inNetns on the locked thread; back reports whether the
// thread is in its own namespace again.
func runInNetns[T any](path string, open func() (T, error)) (st T, back bool, err error) {
	self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return st, true, fmt.Errorf("netns: the thread's namespace: %w", err)
	}
	defer unix.Close(self)
	target, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return st, true, fmt.Errorf("netns: open %s: %w", path, err)
	}
	defer unix.Close(target)
	if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
		return st, true, fmt.Errorf("netns: setns %s: %w", path, err)
	}
	st, err = open()
	if unix.Setns(self, unix.CLONE_NEWNET) != nil {
		return st, false, err
	}
	return st, true, err
}
