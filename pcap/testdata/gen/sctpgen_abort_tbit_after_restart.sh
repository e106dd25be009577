# Records testdata/sctpgen_abort_tbit_after_restart.pcap. Run inside a fresh network namespace with only lo:
#   OUT=... GEN=... unshare --net sh sctpgen_abort_tbit_after_restart.sh
ip link set lo up
timeout 15 tshark -i lo -F pcap -w "$OUT" -a duration:9 udp >/dev/null 2>&1 &
sleep 3
timeout -s KILL 1.5 "$GEN/sctpgen" server 9900 9901 5001 >/dev/null 2>&1 &
sleep 0.5
timeout 8 "$GEN/sctpgen" client 9901 9900 5001 -n 2 -w 3 >/dev/null 2>&1 &
sleep 1.5
timeout 6 "$GEN/sctpgen" server 9900 9901 5001 -b >/dev/null 2>&1 &
wait
