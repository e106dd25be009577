package api

import (
	"errors"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/stretchr/testify/require"
)

// AssocStats counts what one association sent and received, on both
// ends, and gives the round-trip estimates of its paths unrounded.
func TestAssocStats(t *testing.T) {
	srv := server(t)
	cli := clientOf(t, srv, SCTPNodelay(true))
	ac := connect(t, cli, srv)
	up := recvEvent[*AssocChange](t, srv)
	for _, m := range []string{"one", "two", "three"} {
		require.NoError(t, cli.Send(ac.AssocID, 0, []byte(m)))
		recvData(t, srv)
	}

	cs, err := cli.AssocStats(ac.AssocID)
	require.NoError(t, err)
	require.EqualValues(t, 3, cs.SentMessages)
	require.EqualValues(t, 11, cs.SentBytes)
	require.GreaterOrEqual(t, cs.DataChunksSent, uint64(3))
	require.Positive(t, cs.PacketsSent)
	require.Len(t, cs.Paths, 1)
	p := cs.Paths[0]
	require.Equal(t, netip.AddrPortFrom(lo, srv.Port()), p.Address, "IP and SCTP port, as PaddrInfo")
	require.True(t, p.Primary)
	require.Equal(t, PaddrActive, p.State)
	require.Positive(t, p.SRTT, "measured by the handshake and the DATA")
	require.Positive(t, p.RTO)
	srtt, st := srttAndStatus(t, cli, ac.AssocID)
	require.Equal(t, toMS(srtt), st.Primary.Srtt, "the record has the same value in whole milliseconds")

	ss, err := srv.AssocStats(up.AssocID)
	require.NoError(t, err)
	require.EqualValues(t, 3, ss.ReceivedMessages)
	require.EqualValues(t, 11, ss.ReceivedBytes)
	require.Zero(t, ss.SentMessages)
}

// srttAndStatus reads the SRTT of the primary path through AssocStats
// and the Status of association id, read between two AssocStats that
// agree on it: a SACK landing between the calls (the delayed SACK of the
// last message, a HEARTBEAT ACK) can measure a new round trip. SRTT
// changes only with a measurement, so a few attempts suffice; the test
// fails if they never agree.
func srttAndStatus(t *testing.T, s *Socket, id AssocID) (time.Duration, Status) {
	t.Helper()
	for range 50 {
		before, err := s.AssocStats(id)
		require.NoError(t, err)
		st, err := s.Status(id)
		require.NoError(t, err)
		after, err := s.AssocStats(id)
		require.NoError(t, err)
		require.Len(t, before.Paths, 1)
		require.Len(t, after.Paths, 1)
		if before.Paths[0].SRTT == after.Paths[0].SRTT {
			return after.Paths[0].SRTT, st
		}
	}
	t.Fatal("the SRTT changed between every two reads")
	return 0, Status{}
}

// AssocStats names one association: errors are typed.
func TestAssocStatsErrors(t *testing.T) {
	srv := server(t)
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv)

	_, err := cli.AssocStats(0)
	require.ErrorIs(t, err, ErrNoAssociation, "a one-to-many socket needs the id")
	_, err = cli.AssocStats(ac.AssocID + 100)
	require.ErrorIs(t, err, ErrNoAssociation)
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, "getstat", e.Op)

	one := open(t, Type(Stream))
	_, err = one.AssocStats(0)
	require.ErrorIs(t, err, ErrNotConnected)

	p, err := cli.Peeloff(ac.AssocID)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	_, err = cli.AssocStats(ac.AssocID)
	require.ErrorIs(t, err, ErrNoAssociation, "peeled off: another socket's")
	got, err := p.AssocStats(0)
	require.NoError(t, err, "a one-to-one socket's own")
	require.Len(t, got.Paths, 1)

	require.NoError(t, p.Close())
	_, err = p.AssocStats(0)
	require.ErrorIs(t, err, net.ErrClosed)
}

// AssocStats on a lossy path: the client's UDP socket drops every
// fourth datagram it sends that carries DATA (a udpencap test hook), so
// that the client retransmits, fast (three SACKs with gap reports) and
// after T3-rtx expiries (the last chunks of the burst), and the counters
// add up on both ends.
func TestAssocStatsLoss(t *testing.T) {
	rto := SCTPRtoInfo(RtoInfo{Initial: 100, Min: 50, Max: 200})
	srv := server(t, rto)
	cli := clientOf(t, srv, rto, SCTPNodelay(true))
	ac := connect(t, cli, srv)
	up := recvEvent[*AssocChange](t, srv)
	var n atomic.Int64
	cli.stk.Conn().SetHook(func(dir udpencap.Direction, _, _ netip.AddrPort, b []byte) udpencap.Verdict {
		if dir == udpencap.Out && len(b) > packet.HeaderLen && chunk.Type(b[packet.HeaderLen]) == chunk.TypeData &&
			n.Add(1)%4 == 0 {
			return udpencap.Drop
		}
		return udpencap.Pass
	})
	const msgs = 200
	msg := make([]byte, 1000)
	for range msgs {
		require.NoError(t, cli.Send(ac.AssocID, 0, msg))
	}
	for range msgs {
		recvData(t, srv)
	}
	var cs AssocStats
	require.Eventually(t, func() bool {
		var err error
		cs, err = cli.AssocStats(ac.AssocID)
		require.NoError(t, err)
		return cs.Paths[0].Flight == 0
	}, 10*time.Second, time.Millisecond, "everything acknowledged")
	ss, err := srv.AssocStats(up.AssocID)
	require.NoError(t, err)
	cli.stk.Conn().SetHook(nil)
	t.Logf("client: %d DATA chunks, %d retransmissions (%d fast, %d after T3), %d gap reports received; server: %d duplicates",
		cs.DataChunksSent, cs.Retransmissions, cs.FastRetransmissions, cs.T3Retransmissions, cs.GapReportsReceived, ss.DuplicateTSNs)

	dropped := cli.stk.Conn().Stats().HookDropsOut
	require.Positive(t, dropped)
	require.Positive(t, cs.FastRetransmissions)
	require.Positive(t, cs.T3Retransmissions)
	// Retransmissions counts INITs and COOKIE ECHOs sent again too (a
	// slow handshake under the race detector, with RTO.Initial 100 ms).
	handshake := cs.ChunksSent.Of(chunk.TypeInit) + cs.ChunksSent.Of(chunk.TypeCookieEcho) - 2
	require.Equal(t, cs.Retransmissions-handshake, cs.FastRetransmissions+cs.T3Retransmissions)
	require.GreaterOrEqual(t, cs.Retransmissions, dropped, "each lost chunk sent again")
	require.Equal(t, cs.DataChunksSent, cs.ChunksSent.Of(chunk.TypeData))
	require.Positive(t, ss.GapReportsSent)
	require.Positive(t, cs.GapReportsReceived)
	require.LessOrEqual(t, cs.GapReportsReceived, ss.GapReportsSent)
	require.Equal(t, ss.SACKsSent, ss.ChunksSent.Of(chunk.TypeSACK))
	require.EqualValues(t, msgs, ss.ReceivedMessages)
	require.Greater(t, cs.WireBytesSent, cs.SentBytes, "headers, and retransmissions")
	require.Positive(t, cs.ChunksSent.Of(chunk.TypeInit))
	require.Positive(t, ss.ChunksReceived.Of(chunk.TypeCookieEcho))
	p := cs.Paths[0]
	require.Positive(t, p.Cwnd)
	require.Positive(t, p.SSThresh)
	require.Positive(t, p.MTU)
	require.Positive(t, p.RTT)
	require.Zero(t, cs.AbandonedMessages)
}
