#!/usr/bin/env bash
# Measures issue 10's "use every core" target: api's BenchmarkShardedServer
# (two busy associations on one server UDP port, on two shards, fed
# pre-built DATA packets) with GOMAXPROCS 1 and 2, alternately, in one run,
# and prints the median packets per second of each and their ratio (the
# target: at least 1.6).
#
#   bench/cores.sh [rounds] [packets]     (defaults: 7 rounds, 300000x)
#
# Run it on a machine whose cores nothing else uses: the cpus column says
# how many CPUs the process kept busy in each run.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
pkts=${2:-300000}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go test -c -o "$bin/api.test" ./api
cd api
for _ in $(seq "$rounds"); do
	for cpu in 1 2; do
		"$bin/api.test" -test.run '^$' -test.bench 'ShardedServer$' \
			-test.benchtime "${pkts}x" -test.cpu "$cpu" | grep '^BenchmarkShardedServer'
	done
done | awk '
	{ cpu = ($1 ~ /-2$/) ? 2 : 1; for (i = 2; i < NF; i++) if ($(i+1) == "pkts/s") r[cpu, ++n[cpu]] = $i; print }
	function median(c,   i, j, t, k) {
		k = n[c]
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (r[c, j] < r[c, i]) { t = r[c, i]; r[c, i] = r[c, j]; r[c, j] = t }
		return k % 2 ? r[c, (k + 1) / 2] : (r[c, k / 2] + r[c, k / 2 + 1]) / 2
	}
	END {
		m1 = median(1); m2 = median(2)
		printf "median pkts/s: GOMAXPROCS=1 %.0f, GOMAXPROCS=2 %.0f, ratio %.2f (target 1.6)\n", m1, m2, (m1 > 0 ? m2 / m1 : 0)
	}'
