// Package bench holds gensctp's end-to-end benchmarks: a pair of
// associations on the simulated network (CPU per delivered message,
// goodput in simulated time, handshakes), the raw UDP ceiling of the
// machine (BenchmarkUDPLoopback), and the public api over real UDP on
// loopback as users run it (BenchmarkAPIThroughput, BenchmarkAPIRoundTrip).
// bench/compare.sh runs the sctp command against usrsctp (tsctp,
// echo_server and bench/usrsctp/ping.c) and pion/sctp (bench/pionperf), two
// processes each, next to the UDP ceilings of BenchmarkUDPLoopback.
//
// Run them with
//
//	go test -run '^$' -bench . -benchmem ./bench
package bench
