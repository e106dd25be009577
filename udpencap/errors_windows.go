package udpencap

import "syscall"

// Winsock error numbers the syscall package does not name.
const (
	wsaEMSGSIZE     = 10040
	wsaENETUNREACH  = 10051
	wsaENETRESET    = 10052
	wsaECONNRESET   = 10054
	wsaECONNREFUSED = 10061
	wsaEHOSTUNREACH = 10065
)

func isICMPErrno(e syscall.Errno) bool {
	switch e {
	case wsaENETUNREACH, wsaENETRESET, wsaECONNRESET, wsaECONNREFUSED, wsaEHOSTUNREACH:
		return true
	}
	return false
}

func isMsgSizeErrno(e syscall.Errno) bool { return e == wsaEMSGSIZE }
