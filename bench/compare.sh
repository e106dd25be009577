#!/usr/bin/env bash
# Compares gensctp (the sctp command, over the api package users get) with
# usrsctp (tsctp and echo_server, their debug output off) and pion/sctp
# (bench/pionperf), two processes each, on loopback inside a private
# network namespace (only lo; usrsctp binds every address), next to the
# raw UDP ceilings of this machine: a plain net.UDPConn loop,
# sendmmsg/recvmmsg batches and UDP GSO (bench's BenchmarkUDPLoopback, one
# process). Bulk transfer of 1200-byte and 100-byte messages, and 64-byte
# round trips (sctp ping against sctp echo, usrsctp's echo_server, pion).
# The runs are interleaved: each repetition runs every case once, so that
# a load on the machine hits them alike.
#
#   bench/compare.sh [-q] [seconds [repetitions]]      (defaults: 3 s, 3)
#
# -q is a quick check (1 s, 1 repetition). Needs root (a network
# namespace), go, gcc and the Debian packages libusrsctp-examples and
# libusrsctp-dev (for usrsctp's round trip; without it that row is
# skipped). The usrsctp programs run with bench/usrsctp/nodebug.c
# preloaded: the Debian builds turn all debug output on, which halves
# their speed even into /dev/null.
#
# Prints every run as it goes, then a table: medians over the
# repetitions, and gensctp's ratio to each (computed per repetition:
# median, min-max). With the defaults it takes about four minutes.
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."
if [ "${1:-}" = -q ]; then
	shift
	set -- "${1:-1}" "${2:-1}"
fi
T=${1:-3}
R=${2:-3}
TSCTP=/usr/lib/usrsctp/tsctp
ECHO_SERVER=/usr/lib/usrsctp/echo_server
if [ ! -x "$TSCTP" ]; then echo "tsctp not installed (libusrsctp-examples)" >&2; exit 1; fi

if [ "${GENSCTP_COMPARE_NETNS:-}" != 1 ]; then
	# Build everything once, here (where go may fetch what it lacks), then
	# run this script again inside the namespace with those binaries; the
	# temporary directory goes when this outer run ends, however it ends.
	bin=$(mktemp -d)
	trap 'rm -rf "$bin"' EXIT
	trap 'exit 130' INT TERM
	go build -o "$bin/sctp" ./cmd/sctp
	go build -o "$bin/pionperf" ./bench/pionperf
	go test -c -o "$bin/bench.test" ./bench
	gcc -O2 -shared -fPIC -o "$bin/nodebug.so" bench/usrsctp/nodebug.c
	if [ -f /usr/include/usrsctp.h ]; then
		gcc -O2 -o "$bin/usrsctp-ping" bench/usrsctp/ping.c -lusrsctp
	else
		echo "no usrsctp.h (libusrsctp-dev): usrsctp's round trip is skipped" >&2
	fi
	status=0
	GENSCTP_COMPARE_NETNS=1 GENSCTP_COMPARE_BIN="$bin" \
		unshare --net sh -c 'ip link set lo up && exec "$0" "$@"' "$self" "$T" "$R" || status=$?
	exit "$status"
fi
# Inside the namespace: the binaries the outer run built.
BIN=${GENSCTP_COMPARE_BIN:?"run bench/compare.sh itself, not with GENSCTP_COMPARE_NETNS set"}
SCTP=$BIN/sctp
PION=$BIN/pionperf
NODEBUG=$BIN/nodebug.so
res=$(mktemp)
trap 'rm -f "$res"' EXIT

# Every run gets UDP ports of its own: a peer still closing cannot get in
# the way of the next.
port=20000
ports() { a=$((port)) b=$((port + 1)); port=$((port + 2)); }

# bulk NAME SIZE REP SERVER... -- CLIENT...: runs the server in the
# background and the client, and records the server's tsctp summary
# ("len, messages, calls, bytes, seconds, bytes/s, notifications") as MB/s.
bulk() {
	local name=$1 size=$2 rep=$3; shift 3
	local srv=() out line
	while [ "$1" != "--" ]; do srv+=("$1"); shift; done; shift
	out=$(mktemp)
	timeout $((T + 20)) "${srv[@]}" >"$out" 2>/dev/null &
	local spid=$!
	sleep 0.5
	timeout $((T + 15)) "$@" >/dev/null 2>&1 || true
	# The server prints its line when the association ends: wait for it,
	# bounded, then stop it.
	for _ in $(seq 50); do grep -qE '^[0-9]+, [0-9]+, ' "$out" && break; sleep 0.1; done
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	line=$(grep -E '^[0-9]+, [0-9]+, ' "$out" | tail -1 || true)
	rm -f "$out"
	if [ -z "$line" ]; then echo "$name size=$size: no summary"; return; fi
	IFS=', ' read -r _ m _ by s _ _ <<<"$line"
	awk -v n="$name" -v l="$size" -v r="$rep" -v m="$m" -v b="$by" -v s="$s" -v f="$res" 'BEGIN {
		mbs = (s > 0 ? b / s / 1e6 : 0)
		printf "%-26s size=%-5d rep=%d msgs=%-9d secs=%-7.3f MB/s=%.1f\n", n, l, r, m, s, mbs
		printf "bulk\t%s\t%d\t%d\t%.3f\n", n, l, r, mbs >> f }'
}

# rtt NAME REP SERVER... -- CLIENT...: runs an echo server in the
# background and a ping client, and records the client's summary
# ("round trips N, length L, min A, median B, p99 C, max D (us)").
rtt() {
	local name=$1 rep=$2; shift 2
	local srv=() line
	while [ "$1" != "--" ]; do srv+=("$1"); shift; done; shift
	timeout $((T + 20)) "${srv[@]}" >/dev/null 2>&1 &
	local spid=$!
	sleep 0.5
	line=$(timeout $((T + 15)) "$@" 2>/dev/null | grep '^round trips' || true)
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	if [ -z "$line" ]; then echo "$name: no summary"; return; fi
	echo "$(printf '%-26s' "$name") rep=$rep $line"
	awk -v n="$name" -v r="$rep" -v f="$res" -v line="$line" 'BEGIN {
		split(line, w, /[ ,]+/)
		for (i = 1; i < length(w); i++) { if (w[i] == "median") md = w[i+1]; if (w[i] == "p99") p = w[i+1] }
		printf "rtt\t%s\t64\t%d\t%s\t%s\n", n, r, md, p >> f }'
}

# udp REP SIZE: the raw UDP ceilings (one process, a sender and a
# receiver goroutine, a window of 128 datagrams).
udp() {
	local rep=$1 size=$2
	"$BIN/bench.test" -test.run '^$' -test.bench "UDPLoopback/(udpencap-gso|udpencap-batch|net.UDPConn)/$size\$" \
		-test.benchtime "$(awk -v t="$T" 'BEGIN { print (t < 3 ? 0.5 : 1) }')s" 2>/dev/null |
		awk -v r="$rep" -v l="$size" -v f="$res" '$1 ~ /^BenchmarkUDPLoopback/ {
			n = $1; sub(/^BenchmarkUDPLoopback\//, "", n); sub(/\/.*/, "", n)
			if (n == "net.UDPConn") n = "UDP plain loop"
			else if (n == "udpencap-batch") n = "UDP sendmmsg/recvmmsg"
			else if (n == "udpencap-gso") n = "UDP GSO + recvmmsg"
			for (i = 2; i < NF; i++) if ($(i+1) == "MB/s") v = $i
			printf "%-26s size=%-5d rep=%d MB/s=%.1f\n", n, l, r, v
			printf "bulk\t%s\t%d\t%d\t%.3f\n", n, l, r, v >> f }'
}

L=(-L 127.0.0.1)
for rep in $(seq "$R"); do
	for size in 1200 100; do
		ports
		bulk "sctp perf -> sctp perf" "$size" "$rep" "$SCTP" perf -E "$a" -U "$b" -p 5001 "${L[@]}" -- \
			"$SCTP" perf -E "$b" -U "$a" -p 5001 "${L[@]}" -l "$size" -T "$T" 127.0.0.1
		ports
		bulk "tsctp -> tsctp" "$size" "$rep" env LD_PRELOAD="$NODEBUG" "$TSCTP" -E "$a" -U "$b" -p 5001 "${L[@]}" -- \
			env LD_PRELOAD="$NODEBUG" "$TSCTP" -E "$b" -U "$a" -p 5001 "${L[@]}" -l "$size" -T "$T" 127.0.0.1
		ports
		bulk "pion -> pion" "$size" "$rep" "$PION" -mode recv -local "127.0.0.1:$a" -remote "127.0.0.1:$b" -- \
			"$PION" -mode send -local "127.0.0.1:$b" -remote "127.0.0.1:$a" -l "$size" -T "$T"
		ports
		bulk "sctp perf -> tsctp" "$size" "$rep" env LD_PRELOAD="$NODEBUG" "$TSCTP" -E "$a" -U "$b" -p 5001 "${L[@]}" -- \
			"$SCTP" perf -E "$b" -U "$a" -p 5001 "${L[@]}" -l "$size" -T "$T" 127.0.0.1
		ports
		bulk "tsctp -> sctp perf" "$size" "$rep" "$SCTP" perf -E "$a" -U "$b" -p 5001 "${L[@]}" -- \
			env LD_PRELOAD="$NODEBUG" "$TSCTP" -E "$b" -U "$a" -p 5001 "${L[@]}" -l "$size" -T "$T" 127.0.0.1
		udp "$rep" "$size"
	done
	ports
	rtt "sctp ping -> sctp echo" "$rep" "$SCTP" echo -udp-port "$a" "${L[@]}" -- \
		"$SCTP" ping -udp-port "$b" -remote-udp-port "$a" "${L[@]}" -l 64 -T "$T" 127.0.0.1
	if [ -x "$BIN/usrsctp-ping" ]; then
		ports
		rtt "usrsctp ping -> echo_server" "$rep" env LD_PRELOAD="$NODEBUG" "$ECHO_SERVER" "$a" "$b" -- \
			"$BIN/usrsctp-ping" "$b" "$a" 64 "$T" 100
	fi
	ports
	rtt "pion ping -> pion echo" "$rep" "$PION" -mode echo -local "127.0.0.1:$a" -remote "127.0.0.1:$b" -- \
		"$PION" -mode ping -local "127.0.0.1:$b" -remote "127.0.0.1:$a" -l 64 -T "$T"
	ports
	rtt "sctp ping -> echo_server" "$rep" env LD_PRELOAD="$NODEBUG" "$ECHO_SERVER" "$a" "$b" -- \
		"$SCTP" ping -udp-port "$b" -remote-udp-port "$a" "${L[@]}" -l 64 -T "$T" 127.0.0.1
done

echo
echo "$R repetition(s) of $T s, medians; ratio = gensctp / this, per repetition: median (min-max)"
sort -t "$(printf '\t')" -k1,1 -k3,3nr -s "$res" | awk -F '\t' '
function med(s,    a, n, i, j, t) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	lo = a[1]; hi = a[n]
	return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
}
{
	k = $1 SUBSEP $2 SUBSEP $3
	if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
	v[k] = v[k] " " $5; p99[k] = p99[k] " " $6
	val[k, $4] = $5; reps[$4] = 1
}
END {
	for (i = 1; i <= nk; i++) {
		split(order[i], f, SUBSEP)
		ref = f[1] == "bulk" ? "bulk" SUBSEP "sctp perf -> sctp perf" SUBSEP f[3] : "rtt" SUBSEP "sctp ping -> sctp echo" SUBSEP f[3]
		rs = ""
		for (r in reps) if ((ref, r) in val && (order[i], r) in val && val[order[i], r] > 0)
			rs = rs " " val[ref, r] / val[order[i], r]
		ratio = "-"
		if (rs != "" && order[i] != ref) { m = med(rs); ratio = sprintf("%.2f (%.2f-%.2f)", m, lo, hi) }
		if (f[1] == "bulk") {
			if (f[3] != last) { printf "\n%-28s %10s   %s\n", "bulk, " f[3] " B messages", "MB/s", "ratio"; last = f[3] }
			printf "%-28s %10.1f   %s\n", f[2], med(v[order[i]]), ratio
		} else {
			if (!rtthead) { printf "\n%-28s %10s %8s   %s\n", "64 B round trip", "median us", "p99 us", "ratio of medians"; rtthead = 1 }
			printf "%-28s %10.1f %8.1f   %s\n", f[2], med(v[order[i]]), med(p99[order[i]]), ratio
		}
	}
}'
