// Package bench holds gensctp's end-to-end benchmarks: a pair of
// associations on the simulated network (CPU per delivered message,
// goodput in simulated time, handshakes), and later the UDP loopback
// comparisons against the raw UDP ceiling, usrsctp and pion/sctp.
//
// Run them with
//
//	go test -run '^$' -bench . -benchmem ./bench
package bench
