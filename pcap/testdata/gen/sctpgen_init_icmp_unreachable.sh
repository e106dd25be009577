# Records testdata/sctpgen_init_icmp_unreachable.pcap. Run inside a fresh network namespace with only lo:
#   OUT=... GEN=... unshare --net sh sctpgen_init_icmp_unreachable.sh
ip link set lo up
timeout 15 tshark -i lo -F pcap -w "$OUT" -a duration:6 >/dev/null 2>&1 &
sleep 3
timeout 2 "$GEN/sctpgen" client 9901 9900 5001 -n 1 >/dev/null 2>&1
wait
