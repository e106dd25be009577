# Records testdata/echo_injected_error_abort.pcap. Run inside a fresh network namespace with only lo:
#   OUT=... GEN=... unshare --net sh echo_injected_error_abort.sh
ip link set lo up
timeout 20 tshark -i lo -F pcap -w "$OUT" -a duration:14 udp >/dev/null 2>&1 &
sleep 3
timeout 12 /usr/lib/usrsctp/echo_server 9900 9901 >/dev/null 2>&1 &
sleep 1
timeout 10 python3 "$GEN/inject.py" 9900 9901 &
sleep 0.5
(echo "hello"; sleep 7; echo "bye"; sleep 1) | timeout 10 /usr/lib/usrsctp/client 127.0.0.1 7 0 9901 9900 >/dev/null 2>&1
wait
