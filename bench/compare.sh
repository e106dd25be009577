#!/usr/bin/env bash
# Compares gensctp's `sctp perf` with usrsctp's tsctp on loopback, in one
# run, with 1200-byte and 100-byte messages, next to the raw UDP ceiling of
# this machine (udpencap's loopback benchmark). Everything runs inside a
# private network namespace with only lo (usrsctp binds every address).
#
#   bench/compare.sh [seconds]     (root; Debian package libusrsctp-examples)
#
# Prints one line per run: name, message size, messages, bytes, seconds,
# MB/s.
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."
T=${1:-5}
TSCTP=/usr/lib/usrsctp/tsctp
if [ ! -x "$TSCTP" ]; then echo "tsctp not installed (libusrsctp-examples)" >&2; exit 1; fi

if [ "${GENSCTP_COMPARE_NETNS:-}" != 1 ]; then
	# Build once, here (where go may fetch what it lacks), then run this
	# script again inside the namespace with that binary; the temporary
	# directory goes when this outer run ends, however it ends.
	bin=$(mktemp -d)
	trap 'rm -rf "$bin"' EXIT
	trap 'exit 130' INT TERM
	go build -o "$bin/sctp" ./cmd/sctp
	status=0
	GENSCTP_COMPARE_NETNS=1 GENSCTP_COMPARE_SCTP="$bin/sctp" \
		unshare --net sh -c 'ip link set lo up && exec "$0" "$@"' "$self" "$@" || status=$?
	exit "$status"
fi
# Inside the namespace: the binary the outer run built.
SCTP=${GENSCTP_COMPARE_SCTP:?"run bench/compare.sh itself, not with GENSCTP_COMPARE_NETNS set"}

# run NAME SIZE SERVER... -- CLIENT...: prints the server's summary as a line.
run() {
	local name=$1 size=$2; shift 2
	local srv=() cli=()
	while [ "$1" != "--" ]; do srv+=("$1"); shift; done; shift
	cli=("$@")
	local out
	out=$(mktemp)
	timeout $((T + 20)) "${srv[@]}" >"$out" 2>/dev/null &
	local spid=$!
	sleep 0.5
	timeout $((T + 15)) "${cli[@]}" -l "$size" -T "$T" 127.0.0.1 >/dev/null 2>&1 || true
	sleep 1
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	# The server's summary: "len, messages, calls, bytes, seconds, throughput, notifications".
	local line
	line=$(grep -E '^[0-9]+, [0-9]+, ' "$out" | tail -1 || true)
	rm -f "$out"
	if [ -z "$line" ]; then echo "$name size=$size: no summary"; return; fi
	IFS=', ' read -r l m c b s thr n <<<"$line"
	awk -v n="$name" -v l="$l" -v m="$m" -v b="$b" -v s="$s" \
		'BEGIN { printf "%-28s size=%-5d msgs=%-9d bytes=%-11d secs=%-8.3f MB/s=%.1f\n", n, l, m, b, s, (s > 0 ? b / s / 1e6 : 0) }'
}

for size in 1200 100; do
	run "tsctp -> tsctp" "$size" "$TSCTP" -E 9900 -U 9901 -p 5001 -L 127.0.0.1 -- \
		"$TSCTP" -E 9901 -U 9900 -p 5001 -L 127.0.0.1
	run "sctp perf -> sctp perf" "$size" "$SCTP" perf -E 9902 -U 9903 -p 5001 -L 127.0.0.1 -- \
		"$SCTP" perf -E 9903 -U 9902 -p 5001 -L 127.0.0.1
	run "sctp perf -> tsctp" "$size" "$TSCTP" -E 9904 -U 9905 -p 5001 -L 127.0.0.1 -- \
		"$SCTP" perf -E 9905 -U 9904 -p 5001 -L 127.0.0.1
	run "tsctp -> sctp perf" "$size" "$SCTP" perf -E 9906 -U 9907 -p 5001 -L 127.0.0.1 -- \
		"$TSCTP" -E 9907 -U 9906 -p 5001 -L 127.0.0.1
done
echo "raw UDP ceiling (udpencap loopback benchmark):"
go test -run '^$' -bench 'Loopback' -benchtime 2s ./udpencap ./bench 2>/dev/null | grep -E '^Benchmark' || true
