//go:build !linux

package udpencap

func gsoEnabled(*Conn) bool { return false }
