# Records testdata/tsctp_loss_gap_dup_tsn.pcap. Run inside a fresh network namespace with only lo:
#   OUT=... GEN=... unshare --net sh tsctp_loss_gap_dup_tsn.sh
ip link set lo up
nft add table inet t
nft add chain inet t in '{ type filter hook input priority 0; }'
nft add rule inet t in counter udp dport 9900 numgen random mod 100 '<' 5 drop
nft add rule inet t in counter udp dport 9901 numgen random mod 100 '<' 15 drop
timeout 40 tshark -i lo -F pcap -w "$OUT" -a duration:35 udp >/dev/null 2>&1 &
sleep 3
timeout 30 /usr/lib/usrsctp/tsctp -L 127.0.0.1 -E 9900 -U 9901 -p 5001 >/dev/null 2>&1 &
sleep 1
timeout 28 /usr/lib/usrsctp/tsctp -L 127.0.0.1 -E 9901 -U 9900 -p 5001 -l 500 -n 400 127.0.0.1 >/dev/null 2>&1
wait
