//go:build !linux

package udpencap

func gsoEnabled(*Conn) bool { return false }

func groEnabled(*Conn) bool { return false }
