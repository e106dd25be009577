#!/usr/bin/env bash
# Compares gensctp's pion/sctp-compatible package (pionsctp) with the real
# pion/sctp under the same pion/webrtc v4 code, in one run: the benchmarks
# of interop/webrtcgensctp (two PeerConnections, pion/dtls, loopback ICE)
# with its go.mod (replace github.com/pion/sctp => ../../pionsctp) and
# with pion.go.mod (no replacement).
#
#   bench/webrtc.sh [messages] [round trips]     (defaults: 2000, 4000)
#
# Prints a table: data-channel throughput of 64 KiB messages (MB/s), the
# round trip of a 64-byte message (µs) and the heap per open channel, both
# ends (bytes).
set -euo pipefail
cd "$(dirname "$0")/../interop/webrtcgensctp"
msgs=${1:-2000}
rtts=${2:-4000}
run() {
	go test "$@" -run '^$' -count=1 -bench 'Throughput' -benchtime="${msgs}x" . &&
		go test "$@" -run '^$' -count=1 -bench 'RoundTrip64' -benchtime="${rtts}x" . &&
		go test "$@" -run '^$' -count=1 -bench 'MemoryPerChannel' -benchtime=1x .
}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run >"$out/gensctp"
run -modfile=pion.go.mod >"$out/pion"
# field prints the figure of benchmark $1 with unit $2 in file $3.
field() {
	awk -v b="$1" -v u="$2" '$1 ~ "^Benchmark"b"(-[0-9]+)?$" { for (i = 3; i < NF; i++) if ($(i+1) == u) print $i }' "$3"
}
rtt() { awk -v n="$(field RoundTrip64 ns/op "$1")" 'BEGIN { printf "%.1f", n / 1000 }'; }
printf '%-34s %12s %12s\n' "" "gensctp" "pion/sctp"
printf '%-34s %12s %12s\n' "throughput, 64 KiB messages (MB/s)" \
	"$(field Throughput MB/s "$out/gensctp")" "$(field Throughput MB/s "$out/pion")"
printf '%-34s %12s %12s\n' "round trip, 64 B (µs)" "$(rtt "$out/gensctp")" "$(rtt "$out/pion")"
printf '%-34s %12s %12s\n' "heap per channel (B)" \
	"$(field MemoryPerChannel B/channel "$out/gensctp")" "$(field MemoryPerChannel B/channel "$out/pion")"
