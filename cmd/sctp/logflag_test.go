package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// -log trace logs every packet of the demo to the command's standard
// error, one line each, and the handshake of its associations; -log
// with an unknown level is a usage error.
func TestLogFlag(t *testing.T) {
	code, _, errOut := runCmd(t, 15*time.Second, nil, "demo", "-T", "100ms", "-pings", "1", "-log", "trace")
	require.Equal(t, 0, code, errOut)
	requireLines(t, errOut,
		`^sctp-api DEBUG: .* open: seqpacket socket on SCTP port 7, UDP \[127\.0\.0\.1:\d+\]$`,
		`^sctp-stack TRACE: .* send 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+ sctp \d+ → 7 vtag 0x00000000 INIT\(itag=0x[0-9a-f]{8} `,
		`^sctp-endpoint DEBUG: .* port 7: INIT answered with INIT ACK from 127\.0\.0\.1:\d+ port \d+$`,
		`^sctp-assoc DEBUG: .* cookie_echoed → established: handshake complete \(comm_up\)$`,
		`^sctp-stack TRACE: .* recv 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+ sctp 7 → \d+ vtag 0x[0-9a-f]{8} .*DATA\(tsn=\d+ sid=\d+ ssn=\d+ ppid=\d+ len=\d+ flags=\w+\)`,
		`^sctp-stack TRACE: .* SHUTDOWN_COMPLETE\(`)

	code, _, errOut = runCmd(t, 5*time.Second, nil, "demo", "-log", "loud")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `invalid value "loud" for flag -log: unknown level "loud"`)
}
