package association_test

import (
	"bytes"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/pion/logging"
	"github.com/stretchr/testify/require"
)

// logTo returns a factory whose loggers write to buf, the scope
// sctp-assoc at level, the others at none.
func logTo(buf *bytes.Buffer, level logging.LogLevel) logging.LoggerFactory {
	return &logging.DefaultLoggerFactory{Writer: buf, DefaultLogLevel: logging.LogLevelDisabled,
		ScopeLevels: map[string]logging.LogLevel{"sctp-assoc": level}}
}

// logLines returns the messages logged in buf, without pion's prefixes
// (scope, level, time, file).
func logLines(buf *bytes.Buffer) []string {
	prefix := regexp.MustCompile(`^sctp-assoc (\w+): (\d{4}/\d\d/\d\d )?\d\d:\d\d:\d\d(\.\d+)? (\w+\.go:\d+: )?`)
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l != "" {
			out = append(out, prefix.ReplaceAllString(l, "$1 "))
		}
	}
	return out
}

// At debug level an association logs its handshake steps and state
// changes; at warn level, an abort received with its cause; with no
// factory, nothing (the scenario tests run that way).
func TestLogHandshakeAndAbort(t *testing.T) {
	const seed = 81
	var bufA, bufZ bytes.Buffer
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgA.LoggerFactory = logTo(&bufA, logging.LogLevelDebug)
	cfgZ.LoggerFactory = logTo(&bufZ, logging.LogLevelWarn)
	p, _ := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	require.Empty(t, bufZ.String(), "Z logs at warn level: no state change")
	p.Z.Abort(p.Now, []byte("bye"))
	p.Run(time.Second)
	require.Equal(t, association.StateClosed, p.A.State())

	who := regexp.QuoteMeta("5000 → " + p.AddrZ.String() + " port 5001 vtag ")
	want := []string{
		"DEBUG " + who + `0x[0-9a-f]+: closed → cookie_wait: INIT sent`,
		"DEBUG " + who + `0x[0-9a-f]+: cookie_wait → cookie_echoed: INIT ACK received, COOKIE ECHO sent`,
		"DEBUG " + who + `0x[0-9a-f]+: cookie_echoed → established: handshake complete \(comm_up\)`,
		"WARNING " + who + `0x[0-9a-f]+: ABORT received in established \(comm_lost\), cause "User-Initiated Abort" "bye"`,
		"DEBUG " + who + `0x[0-9a-f]+: established → closed: comm_lost`,
	}
	got := logLines(&bufA)
	require.Len(t, got, len(want), "%q", got)
	for i, w := range want {
		require.Regexp(t, "^"+w+"$", got[i])
	}
	got = logLines(&bufZ)
	require.Len(t, got, 1, "%q", got)
	require.Regexp(t, `^WARNING 5001 → `+regexp.QuoteMeta(p.AddrA.String())+
		` port 5000 vtag 0x[0-9a-f]+: ABORT sent in established \(comm_lost\), cause "User-Initiated Abort" "bye"$`, got[0])
}

// Retransmission timeouts are logged at debug level, a path that fails at
// warn level, and so is the end of the association they bring.
func TestLogRetransmissionTimeouts(t *testing.T) {
	const seed = 82
	var buf bytes.Buffer
	cfgA, cfgZ := scenarioConfigs(seed) // RTO 1 s .. 8 s
	for _, c := range []*association.Config{&cfgA, &cfgZ} {
		c.MaxRetrans, c.PathMaxRetrans, c.HeartbeatDisabled = 3, 2, true
	}
	cfgA.LoggerFactory = logTo(&buf, logging.LogLevelDebug)
	p, _ := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	buf.Reset()
	cutLink(p, true)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("into the void")))
	runUntilAClosed(t, p, seed, 10*time.Minute)

	z := regexp.QuoteMeta(p.AddrZ.String())
	want := []string{
		`DEBUG .*: T3-rtx expired on ` + z + `: rto 1s, path errors 0 of 2, association errors 0 of 3`,
		`DEBUG .*: T3-rtx expired on ` + z + `: rto 2s, path errors 1 of 2, association errors 1 of 3`,
		`DEBUG .*: T3-rtx expired on ` + z + `: rto 4s, path errors 2 of 2, association errors 2 of 3`,
		`WARNING .*: path ` + z + `: active → inactive \(errors 3 of 2\)`,
		`DEBUG .*: T3-rtx expired on ` + z + `: rto 8s, path errors 3 of 2, association errors 3 of 3`,
		`WARNING .*: ABORT sent in established \(comm_lost\)`,
		`DEBUG .*: established → closed: comm_lost`,
	}
	got := logLines(&buf)
	require.Len(t, got, len(want), "%q", got)
	for i, w := range want {
		require.Regexp(t, "^"+w+"$", got[i])
	}
}

// A Config read back from an association (Config) does not carry that
// association's logger: an association made from it with another
// LoggerFactory logs to that factory, not to the first one.
func TestLogConfigCopyUsesItsOwnFactory(t *testing.T) {
	var first, second bytes.Buffer
	cfg, _ := scenarioConfigs(90)
	cfg.LoggerFactory = logTo(&first, logging.LogLevelDebug)
	peer := netip.MustParseAddrPort("10.0.0.2:9899")
	a, err := association.New(cfg, 0, peer)
	require.NoError(t, err)
	cfg2 := a.Config()
	cfg2.LoggerFactory = logTo(&second, logging.LogLevelDebug)
	b, err := association.New(cfg2, 0, peer)
	require.NoError(t, err)
	require.NoError(t, b.Connect(0)) // closed → cookie_wait, logged at debug
	require.Empty(t, first.String(), "the second association logs to the first one's factory")
	require.NotEmpty(t, second.String(), "the second association logs nothing to its own factory")
}
