package endpoint_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/pion/logging"
	"github.com/stretchr/testify/require"
)

// At debug level a listening endpoint logs the handshake steps it takes
// for associations it does not have yet, and each packet it drops with
// why; at info level, nothing of that.
func TestLogHandshakeAndDrops(t *testing.T) {
	var debug, info bytes.Buffer
	factory := func(buf *bytes.Buffer, level logging.LogLevel) logging.LoggerFactory {
		return &logging.DefaultLoggerFactory{Writer: buf, DefaultLogLevel: logging.LogLevelDisabled,
			ScopeLevels: map[string]logging.LogLevel{"sctp-endpoint": level}}
	}
	st := newSetup(t, 90, func(c, s *endpoint.Config) {
		c.LoggerFactory = factory(&info, logging.LogLevelInfo)
		s.LoggerFactory = factory(&debug, logging.LogLevelDebug)
	})
	_, sid := st.connect(t)
	// A stray packet with a tag nobody has: out of the blue.
	err := st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: addrC, To: addrS.Addr(),
		Data: build(5000, 7, 0xdeadbeef, &chunk.HeartbeatAck{})})
	require.Error(t, err)

	var got []string
	for _, l := range strings.Split(strings.TrimSpace(debug.String()), "\n") {
		_, msg, ok := strings.Cut(l, "log.go:")
		require.True(t, ok, "line %q", l)
		_, msg, _ = strings.Cut(msg, ": ")
		got = append(got, msg)
	}
	require.Equal(t, []string{
		"port 7: INIT answered with INIT ACK from " + addrC.String() + " port 5000",
		fmt.Sprintf("port 7: COOKIE ECHO accepted from %v port 5000: association %d", addrC, sid),
		"port 7: packet from " + addrC.String() + ": " + err.Error(),
	}, got)
	require.Empty(t, info.String())
}
