package main

import (
	"net"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The demo finishes by itself and prints throughput, RTTs, the status of
// both ends and the shutdown events.
func TestDemo(t *testing.T) {
	code, out, errOut := runCmd(t, 15*time.Second, nil, "demo", "-T", "300ms", "-streams", "3", "-pings", "5")
	require.Equal(t, 0, code, errOut)
	t.Log("\n" + out)
	requireLines(t, out,
		`^  server  UDP 127\.0\.0\.1:\d+, SCTP port 7$`,
		`^association up in \d+\.\d+ ms: 3 outbound / 3 inbound streams$`,
		`^echo RTT, idle: +5 pings, min \d+\.\d+ ms, avg \d+\.\d+ ms, max \d+\.\d+ ms$`,
		`^transfer for 300ms: 1200-byte messages on 3 streams$`,
		`^  throughput  \d+\.\d MB/s \(\d+\.\d Mbit/s\), \d+ messages/s$`,
		`^echo RTT under load: +\d+ pings`,
		`^SRTT \(per path\): +client \d+\.\d+ ms to 127\.0\.0\.1:\d+; server \d+\.\d+ ms to 127\.0\.0\.1:\d+$`,
		`^  state +established +established$`,
		`^  streams out / in +3 / 3 +3 / 3$`,
		`^  cwnd +\d+ bytes +\d+ bytes$`,
		`^  peer rwnd +\d+ bytes`,
		`^  RTO +\d+\.\d+ ms`,
		`^  retransmissions +\d+ \(\d+ fast, \d+ T3-rtx expiries\)`,
		`client +SHUTDOWN requested`,
		`server +shutdown_event`,
		`server +assoc_change shutdown_comp`,
		`client +assoc_change shutdown_comp`,
		`^demo done in \d+\.\d\d s$`)
	sent := regexp.MustCompile(`(?m)^  sent +(\d+) messages`).FindStringSubmatch(out)
	got := regexp.MustCompile(`(?m)^  received +(\d+) messages`).FindStringSubmatch(out)
	require.NotNil(t, sent)
	require.NotNil(t, got)
	require.Equal(t, sent[1], got[1])
	n, _ := strconv.Atoi(sent[1])
	require.Positive(t, n)
}

// demo -migrate moves the association from 127.0.0.1 to 127.0.0.2 during
// the transfer: every message sent arrives, and the server reports the
// new address added, made primary and the old one removed.
func TestDemoMigrate(t *testing.T) {
	if c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)}); err != nil {
		t.Skipf("cannot bind 127.0.0.2: %v", err)
	} else {
		c.Close()
	}
	code, out, errOut := runCmd(t, 30*time.Second, nil, "demo", "-migrate", "-T", "1s")
	require.Equal(t, 0, code, errOut)
	t.Log("\n" + out)
	requireLines(t, out,
		`^transfer for 1s: 1200-byte messages, migrated from 127\.0\.0\.1 to 127\.0\.0\.2 halfway$`,
		`^  interruption \d+\.\d+ ms \(longest pause`,
		`^  client addresses now \[127\.0\.0\.2:\d+\]$`,
		`^  server's peer addresses now \[127\.0\.0\.2:\d+\]$`,
		`server +paddr_change 127\.0\.0\.2:\d+ addr_added$`,
		`server +paddr_change 127\.0\.0\.2:\d+ addr_made_prim$`,
		`server +paddr_change 127\.0\.0\.1:\d+ addr_removed$`,
		`^demo done in \d+\.\d\d s$`)
	sent := regexp.MustCompile(`(?m)^  sent +(\d+) messages`).FindStringSubmatch(out)
	got := regexp.MustCompile(`(?m)^  received +(\d+) messages, in order`).FindStringSubmatch(out)
	require.NotNil(t, sent)
	require.NotNil(t, got)
	require.Equal(t, sent[1], got[1])
}
