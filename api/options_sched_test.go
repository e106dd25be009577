package api

import (
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/gensctp/gensctp/udpencap"
	"github.com/stretchr/testify/require"
)

// sctp_stream_scheduler and sctp_stream_scheduler_value (RFC 8260 Section
// 4.3.2 and 4.3.3) for the associations set up later: set, read back,
// bad values refused, the values forgotten when the scheduler changes.
func TestStreamSchedulerOptionsTemplate(t *testing.T) {
	noLeak(t)
	s := open(t, SCTPStreamScheduler(AssocValue{AssocValue: uint32(SSWFQ)}),
		SCTPStreamSchedulerValue(StreamValue{StreamID: 3, StreamValue: 5}))
	got, err := GetOpt[AssocValue](s, OptionQuery{Name: "sctp_stream_scheduler"})
	require.NoError(t, err)
	require.Equal(t, AssocValue{AssocValue: uint32(SSWFQ)}, got)
	v, err := GetOpt[StreamValue](s, OptionQuery{Name: "sctp_stream_scheduler_value", StreamID: 3})
	require.NoError(t, err)
	require.Equal(t, StreamValue{StreamID: 3, StreamValue: 5}, v)
	v, err = GetOpt[StreamValue](s, OptionQuery{Name: "sctp_stream_scheduler_value", StreamID: 4})
	require.NoError(t, err)
	require.Equal(t, uint16(1), v.StreamValue, "the default weight")

	for _, o := range []Option{
		SCTPStreamScheduler(AssocValue{AssocValue: 6}),
		SCTPStreamScheduler(AssocValue{AssocValue: 1 << 8}),
		SCTPStreamSchedulerValue(StreamValue{StreamID: 3}), // weight 0
		SCTPStreamSchedulerValue(StreamValue{StreamID: 65535, StreamValue: 1}),
		SCTPStreamSchedulerValue(StreamValue{AssocID: 77, StreamValue: 1}),
	} {
		require.ErrorIs(t, s.SetOpts(o), ErrInvalidOption)
	}
	v, _ = GetOpt[StreamValue](s, OptionQuery{Name: "sctp_stream_scheduler_value", StreamID: 3})
	require.Equal(t, uint16(5), v.StreamValue, "nothing changed")

	require.NoError(t, s.SetOpts(SCTPStreamScheduler(AssocValue{AssocValue: uint32(SSPrio)})))
	v, _ = GetOpt[StreamValue](s, OptionQuery{Name: "sctp_stream_scheduler_value", StreamID: 3})
	require.Zero(t, v.StreamValue, "forgotten with the scheduler, as on Linux")
	require.NoError(t, s.SetOpts(SCTPStreamSchedulerValue(StreamValue{StreamID: 3})), "priority 0 is valid")
	require.NoError(t, s.SetOpts(SCTPStreamScheduler(AssocValue{AssocValue: uint32(SSFB)}),
		SCTPStreamSchedulerValue(StreamValue{StreamID: 3, StreamValue: 9})))
	v, _ = GetOpt[StreamValue](s, OptionQuery{Name: "sctp_stream_scheduler_value", StreamID: 3})
	require.Zero(t, v.StreamValue, "SCTP_SS_FB has no stream values")
	require.Equal(t, "SCTP_SS_FB", SSFB.String())
	require.Equal(t, SSRR, SSDefault)
}

// On a live association: the scheduler and the priorities set while the
// handshake waits (the client's first INIT is lost) decide the order of
// the messages queued before: three on stream 1, then three on stream 2,
// arrive as stream 2's first under SCTP_SS_PRIO with stream 1 at a lower
// priority, and alternating under the default round robin. A stream the
// association does not have is refused.
func TestStreamSchedulerLive(t *testing.T) {
	noLeak(t)
	for _, prio := range []bool{false, true} {
		srv := server(t)
		cli := clientOf(t, srv, SCTPRtoInfo(RtoInfo{Initial: 100, Min: 100, Max: 1000}))
		var hold atomic.Bool
		hold.Store(true)
		require.NoError(t, cli.SetUDPHook(func(dir udpencap.Direction, _, _ netip.AddrPort, _ []byte) udpencap.Verdict {
			if dir == udpencap.Out && hold.Load() {
				return udpencap.Drop
			}
			return udpencap.Pass
		}))
		id, err := cli.ConnectxInit(testCtx(t), []netip.Addr{lo}, srv.Port())
		require.NoError(t, err)
		for _, sid := range []uint16{1, 1, 1, 2, 2, 2} {
			require.NoError(t, cli.Send(id, sid, []byte{byte(sid)}))
		}
		if prio { // the messages queued switch too
			require.NoError(t, cli.SetOpts(SCTPStreamScheduler(AssocValue{AssocID: id, AssocValue: uint32(SSPrio)}),
				SCTPStreamSchedulerValue(StreamValue{AssocID: id, StreamID: 1, StreamValue: 7})))
			got, err := GetOpt[StreamValue](cli, OptionQuery{Name: "sctp_stream_scheduler_value", AssocID: id, StreamID: 1})
			require.NoError(t, err)
			require.Equal(t, StreamValue{AssocID: id, StreamID: 1, StreamValue: 7}, got)
			sched, err := GetOpt[AssocValue](cli, OptionQuery{Name: "sctp_stream_scheduler", AssocID: id})
			require.NoError(t, err)
			require.Equal(t, uint32(SSPrio), sched.AssocValue)
			err = cli.SetOpts(SCTPStreamSchedulerValue(StreamValue{AssocID: id, StreamID: 10, StreamValue: 1}))
			require.ErrorIs(t, err, ErrInvalidStream)
			_, err = GetOpt[StreamValue](cli, OptionQuery{Name: "sctp_stream_scheduler_value", AssocID: id, StreamID: 10})
			require.ErrorIs(t, err, ErrInvalidStream)
		}
		hold.Store(false)
		var order []uint16
		for range 6 {
			order = append(order, recvData(t, srv).Info.Stream)
		}
		if prio {
			require.Equal(t, []uint16{2, 2, 2, 1, 1, 1}, order)
		} else {
			require.Equal(t, []uint16{1, 2, 1, 2, 1, 2}, order)
		}
	}
}
