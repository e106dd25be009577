# Records testdata/rtcweb_stream_reset.pcap. Run inside a fresh network namespace with only lo:
#   OUT=... GEN=... unshare --net sh rtcweb_stream_reset.sh
ip link set lo up
timeout 22 tshark -i lo -F pcap -w "$OUT" -a duration:17 udp >/dev/null 2>&1 &
sleep 3
(sleep 14; echo quit) | timeout 16 /usr/lib/usrsctp/rtcweb 9900 9901 5000 >/dev/null 2>&1 &
sleep 1
(sleep 1; echo "open 0 0 0"; sleep 1; echo "open 1 2 1"; sleep 1; echo "open 1 1 100"; sleep 1; echo "send 0:hello ordered reliable"; echo "send 1:hello unordered unreliable rtx"; echo "send 2:hello unordered unreliable ttl"; sleep 1; echo "close 0"; sleep 1; echo "close 1"; sleep 1; echo "close 2"; sleep 1; echo status; echo quit) | timeout 14 /usr/lib/usrsctp/rtcweb 9901 9900 127.0.0.1 5000 >/dev/null 2>&1
wait
