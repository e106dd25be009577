# Records testdata/tsctp_transfer.pcap. Run inside a fresh network namespace with only lo:
#   OUT=... GEN=... unshare --net sh tsctp_transfer.sh
ip link set lo up
timeout 15 tshark -i lo -F pcap -w "$OUT" -a duration:12 udp >/dev/null 2>&1 &
sleep 3
timeout 10 /usr/lib/usrsctp/tsctp -L 127.0.0.1 -E 9900 -U 9901 -p 5001 >/dev/null 2>&1 &
sleep 1
timeout 8 /usr/lib/usrsctp/tsctp -L 127.0.0.1 -E 9901 -U 9900 -p 5001 -l 1200 -n 100 127.0.0.1 >/dev/null 2>&1
wait
