# Records testdata/sctpgen_abort_ootb_init_sll.pcap. Run inside a fresh network namespace with only lo:
#   OUT=... GEN=... unshare --net sh sctpgen_abort_ootb_init_sll.sh
ip link set lo up
timeout 15 tshark -i any -F pcap -w "$OUT" -a duration:8 udp >/dev/null 2>&1 &
sleep 3
timeout 6 "$GEN/sctpgen" server 9900 9901 5001 -b >/dev/null 2>&1 &
sleep 1
timeout 3 "$GEN/sctpgen" client 9901 9900 5002 -b -n 1 >/dev/null 2>&1
wait
