package sctp

import (
	"testing"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/packetio/packetiotest"
	"github.com/pion/logging"
	"github.com/stretchr/testify/require"
)

// Options refuse pion/sctp's invalid values with ErrInvalidOption, and a
// Config given as an option sets its non-zero fields.
func TestOptions(t *testing.T) {
	var c Config
	for _, o := range []AssociationOption{WithLoggerFactory(nil), WithNetConn(nil), WithMTU(10),
		WithMaxReceiveBufferSize(0), WithMaxMessageSize(0), WithRTOMax(0)} {
		require.ErrorIs(t, o.applyClient(&c), ErrInvalidOption)
		require.ErrorIs(t, o.applyServer(&c), ErrInvalidOption)
	}
	require.Equal(t, Config{}, c)
	conn, _ := packetiotest.Pipe()
	f := logging.NewDefaultLoggerFactory()
	for _, o := range []ClientOption{WithLoggerFactory(f), WithName("n"), WithNetConn(conn), WithBlockWrite(true),
		WithEnableZeroChecksum(true), WithMTU(1200), WithMaxReceiveBufferSize(5), WithMaxMessageSize(6),
		WithRTOMax(7), WithMinCwnd(8), WithFastRtxWnd(9), WithCwndCAStep(10), WithEnableInterleaving(true),
		WithMaxReassemblyQueueEntries(11)} {
		require.NoError(t, o.applyClient(&c))
	}
	want := Config{LoggerFactory: f, Name: "n", NetConn: conn, BlockWrite: true, EnableZeroChecksum: true,
		MTU: 1200, MaxReceiveBufferSize: 5, MaxMessageSize: 6, RTOMax: 7, MinCwnd: 8, FastRtxWnd: 9, CwndCAStep: 10}
	require.Equal(t, want, c)
	var merged Config
	require.NoError(t, want.applyServer(&merged))
	require.Equal(t, want, merged)
	require.NoError(t, Config{Name: "m"}.applyClient(&merged))
	require.Equal(t, "m", merged.Name)
	require.Equal(t, uint32(1200), merged.MTU, "zero fields leave the value")
}

// SNAP is refused with ErrSNAPNotSupported; no NetConn with ErrNoNetConn.
func TestUnsupported(t *testing.T) {
	_, err := GenerateOutOfBandToken(Config{})
	require.ErrorIs(t, err, ErrSNAPNotSupported)
	conn, _ := packetiotest.Pipe()
	_, err = ClientWithOptions(WithNetConn(conn), WithSNAP([]byte{1}, []byte{2}))
	require.ErrorIs(t, err, ErrSNAPNotSupported)
	_, err = Client(Config{})
	require.ErrorIs(t, err, ErrNoNetConn)
	_, err = Server(Config{})
	require.ErrorIs(t, err, ErrNoNetConn)
}

// The PPIDs and states are named as pion/sctp names them.
func TestNames(t *testing.T) {
	require.Equal(t, "WebRTC DCEP", PayloadTypeWebRTCDCEP.String())
	require.Equal(t, "WebRTC Binary (Empty)", PayloadTypeWebRTCBinaryEmpty.String())
	require.Equal(t, "Unknown Payload Protocol Identifier: 7", PayloadProtocolIdentifier(7).String())
	require.Equal(t, "closing", StreamStateClosing.String())
	require.Equal(t, "unknown", StreamState(9).String())
}

// An RTO.Max below RTO.Initial (1 s) brings RTO.Initial and RTO.Min down
// to it, as pion/sctp clamps its timeouts: the association comes up and
// carries data.
func TestRTOMaxBelowInitial(t *testing.T) {
	require.Equal(t, api.RtoInfo{Initial: 200, Min: 200, Max: 200}, rtoInfo(200))
	require.Equal(t, api.RtoInfo{Max: 5000}, rtoInfo(5000))
	a, b := connectOurs(t, []AssociationOption{WithRTOMax(200)}, []AssociationOption{WithRTOMax(200)})
	roundTrip(t, ours{a}, ours{b}, 1)
}
