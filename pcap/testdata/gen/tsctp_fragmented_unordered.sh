# Records testdata/tsctp_fragmented_unordered.pcap. Run inside a fresh network namespace with only lo:
#   OUT=... GEN=... unshare --net sh tsctp_fragmented_unordered.sh
ip link set lo up
timeout 15 tshark -i lo -F pcap -w "$OUT" -a duration:10 udp >/dev/null 2>&1 &
sleep 3
timeout 8 /usr/lib/usrsctp/tsctp -L 127.0.0.1 -E 9900 -U 9901 -p 5001 >/dev/null 2>&1 &
sleep 1
timeout 6 /usr/lib/usrsctp/tsctp -L 127.0.0.1 -E 9901 -U 9900 -p 5001 -u -l 10000 -n 12 127.0.0.1 >/dev/null 2>&1
wait
