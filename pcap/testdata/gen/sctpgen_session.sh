# Records the sctpgen_idata_* and sctpgen_abort_user_linger captures
# (sctpgen in both roles). Run inside a fresh network namespace with only lo:
#   OUT=... GEN=... unshare --net sh sctpgen_session.sh "server flags" "client flags" [loss%]
ip link set lo up
if [ -n "$3" ]; then
nft add table inet t
nft add chain inet t in '{ type filter hook input priority 0; }'
nft add rule inet t in udp dport 9900 numgen random mod 100 "<" $3 drop
nft add rule inet t in udp dport 9901 numgen random mod 100 "<" $3 drop
fi
timeout 20 tshark -i lo -F pcap -w "$OUT" -a duration:10 udp >/dev/null 2>&1 &
sleep 3
timeout 15 "$GEN/sctpgen" server 9900 9901 5001 $1 >/dev/null 2>&1 &
sleep 1
timeout 12 "$GEN/sctpgen" client 9901 9900 5001 $2 >/dev/null 2>&1
wait
