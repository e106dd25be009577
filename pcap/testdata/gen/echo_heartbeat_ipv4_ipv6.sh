# Records testdata/echo_heartbeat_ipv4_ipv6.pcap. Run inside a fresh network namespace with only lo:
#   OUT=... GEN=... unshare --net sh echo_heartbeat_ipv4_ipv6.sh
ip link set lo up
timeout 55 tshark -i lo -F pcap -w "$OUT" -a duration:50 udp >/dev/null 2>&1 &
sleep 3
timeout 48 /usr/lib/usrsctp/echo_server 9900 9901 >/dev/null 2>&1 &
sleep 1
(echo "hello heartbeat"; sleep 40; echo "bye") | timeout 45 /usr/lib/usrsctp/client 127.0.0.1 7 0 9901 9900 >/dev/null 2>&1
wait
