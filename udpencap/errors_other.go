//go:build !windows

package udpencap

import "syscall"

func isICMPErrno(syscall.Errno) bool { return false }

func isMsgSizeErrno(syscall.Errno) bool { return false }
