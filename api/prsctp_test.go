package api

import (
	"errors"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/udpencap"
)

// sctp_pr_supported is on by default, set for the associations set up
// later, and read back; sctp_default_prinfo is PrNone by default, read
// back, and refuses a policy that does not exist.
func TestPrOptions(t *testing.T) {
	s := open(t)
	pr, err := GetOpt[bool](s, OptionQuery{Name: "sctp_pr_supported"})
	require.NoError(t, err)
	require.True(t, pr)
	def, err := GetOpt[PrInfo](s, OptionQuery{Name: "sctp_default_prinfo"})
	require.NoError(t, err)
	require.Equal(t, PrInfo{}, def)

	require.NoError(t, s.SetOpts(SCTPPrSupported(false), SCTPDefaultPrInfo(PrInfo{Policy: PrTTL, Value: 30})))
	got, err := s.GetOpts(OptionQuery{Name: "sctp_pr_supported"}, OptionQuery{Name: "sctp_default_prinfo"})
	require.NoError(t, err)
	require.Equal(t, []OptionValue{{Name: "sctp_pr_supported", Value: false},
		{Name: "sctp_default_prinfo", Value: PrInfo{Policy: PrTTL, Value: 30}}}, got)

	err = s.SetOpts(SCTPDefaultPrInfo(PrInfo{Policy: association.PRPolicies}))
	require.ErrorIs(t, err, ErrInvalidOption)
	require.ErrorIs(t, err, association.ErrInvalidPolicy)
	err = s.SetOpts(SCTPDefaultSendParam(SndRcvInfo{PrInfo: PrInfo{Policy: 9}}))
	require.ErrorIs(t, err, association.ErrInvalidPolicy)
	def, err = GetOpt[PrInfo](s, OptionQuery{Name: "sctp_default_prinfo"})
	require.NoError(t, err)
	require.Equal(t, PrInfo{Policy: PrTTL, Value: 30}, def, "a refused value changes nothing")

	// sctp_default_send_param carries a PrInfo too, which takes
	// precedence over sctp_default_prinfo.
	require.NoError(t, s.SetOpts(SCTPDefaultSendParam(SndRcvInfo{PrInfo: PrInfo{Policy: PrRtx, Value: 2}})))
	ds, err := GetOpt[SndRcvInfo](s, OptionQuery{Name: "sctp_default_send_param"})
	require.NoError(t, err)
	require.Equal(t, PrInfo{Policy: PrRtx, Value: 2}, ds.PrInfo)
	st := &settings{defaultPr: def}
	require.Equal(t, PrInfo{Policy: PrRtx, Value: 2}, st.prInfoOf(ds))
	require.Equal(t, PrInfo{Policy: PrTTL, Value: 30}, st.prInfoOf(SndRcvInfo{}), "the sctp_default_prinfo")
	require.Equal(t, PrInfo{}, st.prInfoOf(SndRcvInfo{PrInfoValid: true}), "reliable whatever the default")
}

// dropData makes c's UDP socket drop the datagrams it sends that carry
// DATA while drop is true (a udpencap test hook), until the test ends.
func dropData(t *testing.T, c *Socket, drop *atomic.Bool) {
	c.stk.Conn().SetHook(func(dir udpencap.Direction, _, _ netip.AddrPort, b []byte) udpencap.Verdict {
		if drop.Load() && dir == udpencap.Out && len(b) > packet.HeaderLen &&
			chunk.Type(b[packet.HeaderLen]) == chunk.TypeData {
			return udpencap.Drop
		}
		return udpencap.Pass
	})
	t.Cleanup(func() { c.stk.Conn().SetHook(nil) })
}

// recvSendFailed receives until a SendFailed event comes, skipping other
// deliveries.
func recvSendFailed(t *testing.T, s *Socket) *SendFailed {
	t.Helper()
	for range 100 {
		_, err := s.Recv(testCtx(t))
		var ee *EventError
		if errors.As(err, &ee) {
			if sf, ok := ee.Event.(*SendFailed); ok {
				return sf
			}
		}
	}
	t.Fatal("no SendFailed event")
	panic("unreachable")
}

// PR-SCTP end to end over real loopback sockets: a message of the
// limited retransmissions policy with no retransmission allowed (PrInfo
// {PrRtx, 0}), given per message or as the socket's sctp_default_prinfo,
// whose DATA is lost, is abandoned at its first retransmission and comes
// back to the sender as #sctp_send_failed{} with the data, flags
// SCTP_DATA_SENT and its policy; a FORWARD TSN skips it, so that the next
// message of the same ordered stream, sent reliably (PrInfoValid with
// PrNone, whatever the default) and lost too, is retransmitted and
// delivered first; the counters of sctp_pr_assoc_status and
// sctp_pr_stream_status show it.
func TestPrAbandonedSendFailed(t *testing.T) {
	rtx0 := PrInfo{Policy: PrRtx, Value: 0}
	for _, viaDefault := range []bool{false, true} {
		t.Run(map[bool]string{false: "per message", true: "default"}[viaDefault], func(t *testing.T) {
			rto := SCTPRtoInfo(RtoInfo{Initial: 100, Min: 50, Max: 200})
			srv := server(t, rto)
			opts := []Option{rto, SCTPNodelay(true)}
			if viaDefault {
				opts = append(opts, SCTPDefaultPrInfo(rtx0))
			}
			cli := clientOf(t, srv, opts...)
			ac := connect(t, cli, srv)
			up := recvEvent[*AssocChange](t, srv)
			var drop atomic.Bool
			drop.Store(true)
			dropData(t, cli, &drop)

			if viaDefault {
				require.NoError(t, cli.Send(ac.AssocID, 1, []byte("lost")))
			} else {
				require.NoError(t, cli.SendInfo(SndRcvInfo{AssocID: ac.AssocID, Stream: 1, PPID: 7, Context: 3, PrInfo: rtx0}, []byte("lost")))
			}
			sf := recvSendFailed(t, cli)
			require.True(t, sf.Flags, "SCTP_DATA_SENT")
			require.Equal(t, "lost", string(sf.Data))
			require.Equal(t, ac.AssocID, sf.AssocID)
			require.Equal(t, rtx0, sf.Info.PrInfo)
			require.True(t, sf.Info.PrInfoValid)
			require.Equal(t, uint16(1), sf.Info.Stream)

			// Reliable whatever the default (PrInfoValid), and sent while
			// its DATA is still dropped: retransmitted, not abandoned.
			before, err := cli.AssocStats(ac.AssocID)
			require.NoError(t, err)
			require.NoError(t, cli.SendInfo(SndRcvInfo{AssocID: ac.AssocID, Stream: 1, PrInfo: PrInfo{Policy: PrNone}, PrInfoValid: true}, []byte("kept")))
			require.Eventually(t, func() bool {
				s, err := cli.AssocStats(ac.AssocID)
				require.NoError(t, err)
				return s.T3Retransmissions > before.T3Retransmissions
			}, 10*time.Second, time.Millisecond, "retransmitted")
			drop.Store(false)
			d := recvData(t, srv)
			require.Equal(t, "kept", string(d.Data), "the abandoned message skipped")

			st, err := cli.PrStatus(ac.AssocID)
			require.NoError(t, err)
			require.Equal(t, association.PRCounts{Sent: 1}, st.Abandoned[PrRtx])
			require.Equal(t, association.PRCounts{Sent: 1}, st.Total())
			require.Positive(t, st.ForwardTSNsSent)
			ss, err := cli.PrStreamStatus(ac.AssocID, 1)
			require.NoError(t, err)
			require.Equal(t, uint16(1), ss.Stream)
			require.Equal(t, association.PRCounts{Sent: 1}, ss.Abandoned[PrRtx])
			ss, err = cli.PrStreamStatus(ac.AssocID, 0)
			require.NoError(t, err)
			require.Equal(t, association.PRCounts{}, ss.Total())
			_, err = cli.PrStreamStatus(ac.AssocID, ac.OutboundStreams)
			require.ErrorIs(t, err, ErrInvalidStream)
			rs, err := srv.PrStatus(up.AssocID)
			require.NoError(t, err)
			require.Positive(t, rs.ForwardTSNsReceived)
			_, err = srv.PrStatus(up.AssocID + 1000)
			require.ErrorIs(t, err, ErrNoAssociation)
		})
	}
}

// With sctp_pr_supported off the association does not negotiate PR-SCTP:
// a message of PrInfo{PrRtx, 0} whose DATA was sent is not abandoned but
// retransmitted and delivered. (The client reports the server's
// Forward-TSN-Supported as an unrecognized parameter, as Linux does with
// PR-SCTP off: the server gets a sctp_remote_error event.)
func TestPrSupportedOff(t *testing.T) {
	rto := SCTPRtoInfo(RtoInfo{Initial: 100, Min: 50, Max: 200})
	srv := server(t, rto)
	cli := clientOf(t, srv, rto, SCTPNodelay(true), SCTPPrSupported(false))
	ac := connect(t, cli, srv)
	var drop atomic.Bool
	drop.Store(true)
	dropData(t, cli, &drop)
	require.NoError(t, cli.SendInfo(SndRcvInfo{AssocID: ac.AssocID, PrInfo: PrInfo{Policy: PrRtx}}, []byte("kept")))
	require.Eventually(t, func() bool {
		s, err := cli.AssocStats(ac.AssocID)
		require.NoError(t, err)
		return s.Retransmissions > 0
	}, 10*time.Second, time.Millisecond, "retransmitted")
	drop.Store(false)
	var d Delivery
	for range 100 {
		var err error
		if d, err = srv.Recv(testCtx(t)); err == nil {
			if d.Kind == KindData {
				break
			}
			continue
		}
		var ee *EventError
		require.ErrorAs(t, err, &ee)
		require.IsType(t, &RemoteError{}, ee.Event)
	}
	require.Equal(t, "kept", string(d.Data))
	st, err := cli.PrStatus(ac.AssocID)
	require.NoError(t, err)
	require.Equal(t, association.PRCounts{}, st.Total())
	require.Zero(t, st.ForwardTSNsSent)
}
