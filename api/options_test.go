package api

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// optCase is an option and what reading it back returns.
type optCase struct {
	opt  Option
	q    OptionQuery
	want any
}

// roundTrips are the options that need no association, with the value
// GetOpts returns after setting them.
func roundTrips() []optCase {
	q := func(name string) OptionQuery { return OptionQuery{Name: name} }
	return []optCase{
		{Mode(ModeBinary), q("mode"), ModeBinary},
		{Active(ActiveOnce), q("active"), ActiveOnce},
		{Buffer(12345), q("buffer"), 12345},
		{Sndbuf(70000), q("sndbuf"), 70000},
		{Recbuf(80000), q("recbuf"), 80000},
		{Recbuf(80000), q("recbuf_max"), 80000},
		{RecbufMax(4 << 20), q("recbuf_max"), 4 << 20},
		{RecbufMax(0), q("recbuf_max"), association.DefaultReceiveBuffer},
		{Sndbuf(70000), q("sndbuf_max"), 70000},
		{SndbufMax(8 << 20), q("sndbuf_max"), 8 << 20},
		{LoneSackDelay(300 * time.Microsecond), q("lone_sack_delay"), 300 * time.Microsecond},
		{ReuseAddr(true), q("reuseaddr"), true},
		{ReusePort(true), q("reuseport"), true},
		{DontRoute(true), q("dontroute"), true},
		{Priority(3), q("priority"), 3},
		{TOS(0x28), q("tos"), 0x28},
		{TClass(0x20), q("tclass"), 0x20},
		{TTL(17), q("ttl"), 17},
		{RecvTOS(true), q("recvtos"), true},
		{RecvTClass(true), q("recvtclass"), true},
		{RecvTTL(true), q("recvttl"), true},
		{Linger(true, 7), q("linger"), LingerValue{On: true, Seconds: 7}},
		{IPv6V6Only(false), q("ipv6_v6only"), false},
		{HighMsgqWatermark(10000), q("high_msgq_watermark"), 10000},
		{LowMsgqWatermark(100), q("low_msgq_watermark"), 100},
		{NonBlockSend(true), q("non_block_send"), true},
		{MaxMessageSize(1000), q("max_message_size"), 1000},
		{Backlog(9), q("backlog"), 9},
		{Backlog(0), q("backlog"), 5},
		{MaxAssociations(10), q("max_associations"), 10},
		{MaxAssociations(0), q("max_associations"), 0},
		{InitRate(5, 7), q("init_rate"), InitRateValue{PerSecond: 5, Burst: 7}},
		{InitRate(0, 9), q("init_rate"), InitRateValue{}},
		{SCTPRtoInfo(RtoInfo{Initial: 2000, Max: 30000, Min: 500}), q("sctp_rtoinfo"), RtoInfo{Initial: 2000, Max: 30000, Min: 500}},
		{SCTPRtoInfo(RtoInfo{Max: 40000}), q("sctp_rtoinfo"), RtoInfo{Initial: 1000, Max: 40000, Min: 1000}},
		{SCTPAssocInfo(AssocParams{AssocMaxRxt: 7, CookieLife: 30000, PeerRwnd: 5}), q("sctp_associnfo"), AssocParams{AssocMaxRxt: 7, CookieLife: 30000}},
		{SCTPInitMsg(InitMsg{NumOstreams: 5, MaxInstreams: 6, MaxAttempts: 3, MaxInitTimeo: 4000}), q("sctp_initmsg"),
			InitMsg{NumOstreams: 5, MaxInstreams: 6, MaxAttempts: 3, MaxInitTimeo: 4000}},
		{SCTPInitMsg(InitMsg{}), q("sctp_initmsg"), InitMsg{NumOstreams: 10, MaxInstreams: 65535, MaxAttempts: 9, MaxInitTimeo: 60000}},
		{SCTPAutoclose(30), q("sctp_autoclose"), 30},
		{SCTPNodelay(true), q("sctp_nodelay"), true},
		{SCTPDisableFragments(true), q("sctp_disable_fragments"), true},
		{SCTPIWantMappedV4Addr(false), q("sctp_i_want_mapped_v4_addr"), false},
		{SCTPMaxseg(1000), q("sctp_maxseg"), 1000},
		{SCTPMaxseg(0), q("sctp_maxseg"), 0},
		{SCTPAdaptationLayer(SetAdaptation{AdaptationInd: 77}), q("sctp_adaptation_layer"), SetAdaptation{AdaptationInd: 77}},
		{SCTPPeerAddrParams(PaddrParams{HbInterval: 5000, PathMaxRxt: 3, PathMtu: 1200, SackDelay: 100, Flags: HBDisable | SACKDelayEnable}),
			q("sctp_peer_addr_params"), PaddrParams{HbInterval: 5000, PathMaxRxt: 3, PathMtu: 1200, SackDelay: 100,
				Flags: HBDisable | PMTUDDisable | SACKDelayEnable}},
		{SCTPDefaultSendParam(SndRcvInfo{PPID: 9, Context: 3, Flags: Unordered}), q("sctp_default_send_param"),
			SndRcvInfo{PPID: 9, Context: 3, Flags: Unordered}},
		{SCTPEvents(EventSubscribe{AddressEvent: False, AdaptationLayerEvent: True, StreamResetEvent: True,
			StreamChangeEvent: True}), q("sctp_events"),
			EventSubscribe{DataIoEvent: True, AssociationEvent: True, AddressEvent: False, SendFailureEvent: True,
				PeerErrorEvent: True, ShutdownEvent: True, PartialDeliveryEvent: True, AdaptationLayerEvent: True,
				AuthenticationEvent: False, StreamResetEvent: True, AssocResetEvent: False, StreamChangeEvent: True}},
		{SCTPDelayedAckTime(AssocValue{AssocValue: 300}), q("sctp_delayed_ack_time"), AssocValue{AssocValue: 300}},
		{SCTPDelayedAckTime(AssocValue{}), q("sctp_delayed_ack_time"), AssocValue{}},
		{SCTPEnableStreamReset(AssocValue{AssocValue: EnableResetAssocReq | EnableChangeAssocReq}),
			q("sctp_enable_stream_reset"), AssocValue{AssocValue: EnableResetAssocReq | EnableChangeAssocReq}},
		{SCTPEnableStreamReset(AssocValue{}), q("sctp_enable_stream_reset"), AssocValue{}},
	}
}

// Every option set, at Open or with SetOpts, reads back with GetOpts and
// GetOpt (the gen_sctp documentation).
func TestOptionsRoundTrip(t *testing.T) {
	noLeak(t)
	for _, c := range roundTrips() {
		for _, atOpen := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/open=%t", c.opt.Name(), atOpen), func(t *testing.T) {
				var s *Socket
				if atOpen {
					s = open(t, c.opt)
				} else {
					s = open(t)
					require.NoError(t, s.SetOpts(c.opt))
				}
				vs, err := s.GetOpts(c.q)
				require.NoError(t, err)
				require.Equal(t, []OptionValue{{Name: c.q.Name, Value: c.want, Bare: c.q.Name == "non_block_send"}}, vs)
				v, err := GetOpt[any](s, c.q)
				require.NoError(t, err)
				require.Equal(t, c.want, v)
			})
		}
	}
}

// gen_sctp's defaults (the gen_sctp documentation) as GetOpts reads them.
func TestOptionsDefaults(t *testing.T) {
	noLeak(t)
	s := open(t)
	want := map[string]any{
		"mode": ModeBinary, "active": ActiveFalse, "buffer": 65536, "non_block_send": false,
		"reuseaddr": false, "linger": LingerValue{}, "sctp_nodelay": false, "sctp_autoclose": 0,
		"sndbuf": association.DefaultSendBuffer, "recbuf": association.DefaultReceiveBuffer,
		"high_msgq_watermark": 8192, "low_msgq_watermark": 4096, "sctp_maxseg": 0,
		"sctp_rtoinfo":          RtoInfo{Initial: 1000, Max: 60000, Min: 1000},
		"sctp_delayed_ack_time": AssocValue{AssocValue: 200},
		"lone_sack_delay":       association.DefaultLoneSACKDelay,
		"sctp_adaptation_layer": SetAdaptation{},
		"max_associations":      DefaultMaxAssociations,
		"init_rate":             InitRateValue{PerSecond: 128, Burst: 256},
		"sctp_enable_stream_reset": AssocValue{AssocValue: EnableResetStreamReq | EnableResetAssocReq |
			EnableChangeAssocReq},
	}
	for name, v := range want {
		got, err := GetOpt[any](s, OptionQuery{Name: name})
		require.NoError(t, err, name)
		require.Equal(t, v, got, name)
	}
	ev, err := GetOpt[EventSubscribe](s, OptionQuery{Name: "sctp_events"})
	require.NoError(t, err)
	require.Equal(t, False, ev.AdaptationLayerEvent)
	require.Equal(t, False, ev.StreamResetEvent, "a gensctp addition, off by default")
	require.Equal(t, False, ev.AssocResetEvent, "a gensctp addition, off by default")
	require.Equal(t, False, ev.StreamChangeEvent, "a gensctp addition, off by default")
	require.Equal(t, True, ev.DataIoEvent)
	// Recbuf raises buffer (the gen_sctp documentation).
	require.NoError(t, s.SetOpts(Recbuf(100000)))
	b, err := GetOpt[int](s, OptionQuery{Name: "buffer"})
	require.NoError(t, err)
	require.Equal(t, 100000, b)
}

// snapshot reads every option that does not move by itself, for the
// socket and for association id, at one moment (under the socket's
// lock): each value, or the error of its getter, keyed by the query, so
// that a difference names the option and an option that failed to read
// is not left out unseen (as GetOpts leaves it).
func snapshot(t *testing.T, s *Socket, id AssocID, peer netip.AddrPort) (map[string]any, association.Config) {
	t.Helper()
	var qs []OptionQuery
	for name := range getters {
		switch name {
		case "sctp_status", "sctp_get_peer_addr_info", "sctp_associnfo":
			continue // rwnd, srtt, cwnd move
		}
		qs = append(qs, OptionQuery{Name: name})
	}
	for _, name := range []string{"sctp_rtoinfo", "sctp_primary_addr", "sctp_peer_addr_params",
		"sctp_default_send_param", "sctp_delayed_ack_time", "sctp_enable_stream_reset"} {
		qs = append(qs, OptionQuery{Name: name, AssocID: id})
	}
	qs = append(qs, OptionQuery{Name: "sctp_peer_addr_params", AssocID: id, Addr: peer})
	vs := make(map[string]any, len(qs))
	var cfg association.Config
	require.NoError(t, s.do(func(timer.Time) error {
		for _, q := range qs {
			key := fmt.Sprintf("%s assoc %d", q.Name, q.AssocID)
			if q.Addr.IsValid() {
				key += " " + q.Addr.String()
			}
			g, err := s.getterLocked(q)
			if err == nil {
				vs[key], err = g(s, q)
			}
			if err != nil {
				vs[key] = err.Error()
			}
		}
		_, a, err := s.assocLocked(id)
		if err == nil {
			cfg = a.Config()
		}
		return err
	}))
	return vs, cfg
}

// Every invalid value is a clear error (ErrInvalidOption, and the
// specific sentinel where there is one) and changes nothing, not even the
// valid options given with it (SetOpts applies all or none).
func TestOptionsInvalid(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv)
	id := connect(t, cli, srv).AssocID
	peer := netip.AddrPortFrom(lo, srv.Port())
	far := netip.MustParseAddrPort("10.9.9.9:0")
	cases := []struct {
		opt    Option
		is     error
		reason Atom
	}{
		{Option{}, nil, Einval},
		{Mode(ModeList), ErrNotSupported, Enotsup},
		{Mode(7), nil, Einval},
		{Buffer(0), nil, Einval},
		{Recbuf(100), nil, Einval},
		{Sndbuf(0), nil, Einval},
		{LoneSackDelay(0), nil, Einval},
		{LoneSackDelay(-time.Millisecond), nil, Einval},
		{LoneSackDelay(501 * time.Millisecond), nil, Einval},
		{Priority(-1), nil, Einval},
		{TOS(256), nil, Einval},
		{TOS(-1), nil, Einval},
		{TClass(256), nil, Einval},
		{TTL(0), nil, Einval},
		{TTL(256), nil, Einval},
		{IPv6V6Only(true), nil, Einval},
		{HighMsgqWatermark(0), nil, Einval},
		{LowMsgqWatermark(-5), nil, Einval},
		{Backlog(-1), nil, Einval},
		{MaxAssociations(-1), nil, Einval},
		{InitRate(-1, 1), nil, Einval},
		{InitRate(1, 0), nil, Einval},
		{InitRate(endpoint.MaxInitRate+1, 1), nil, Einval},
		{Linger(true, -1), nil, Einval},
		{MaxMessageSize(0), nil, Einval},
		{Active(ActiveCount(1 << 20)), nil, Einval},
		{Port(5), nil, Einval},
		{SCTPRtoInfo(RtoInfo{Min: 5000}), nil, Einval},
		{SCTPRtoInfo(RtoInfo{Initial: 100}), nil, Einval},
		{SCTPRtoInfo(RtoInfo{Max: 10}), nil, Einval},
		{SCTPRtoInfo(RtoInfo{AssocID: id, Max: 10}), nil, Einval},
		{SCTPRtoInfo(RtoInfo{AssocID: 999, Max: 5000}), ErrNoAssociation, Einval},
		{SCTPAssocInfo(AssocParams{AssocID: 999, AssocMaxRxt: 3}), ErrNoAssociation, Einval},
		// A cookie life whose double (with a Cookie Preservative) does not
		// fit the cookie's 32-bit milliseconds (association.MaxCookieLife).
		{SCTPAssocInfo(AssocParams{CookieLife: math.MaxUint32}), association.ErrInvalidConfig, Einval},
		{SCTPAssocInfo(AssocParams{AssocID: id, CookieLife: 1 << 31}), association.ErrInvalidConfig, Einval},
		{SCTPAutoclose(-1), nil, Einval},
		{SCTPMaxseg(10), nil, Einval},
		{SCTPMaxseg(-1), nil, Einval},
		{SCTPIWantMappedV4Addr(true), nil, Einval},
		{SCTPPrimaryAddr(Prim{AssocID: id, Addr: far}), nil, Einval},
		{SCTPPrimaryAddr(Prim{AssocID: id, Addr: netip.AddrPortFrom(lo, srv.Port()+1)}), nil, Einval},
		{SCTPPrimaryAddr(Prim{Addr: peer}), ErrNoAssociation, Einval},
		{SCTPSetPeerPrimaryAddr(SetPeerPrim{AssocID: id, Addr: peer}), ErrNotSupported, Enotsup},
		{SCTPPeerAddrParams(PaddrParams{Flags: HBEnable | HBDisable}), nil, Einval},
		{SCTPPeerAddrParams(PaddrParams{AssocID: id, Flags: SACKDelayEnable | SACKDelayDisable}), nil, Einval},
		{SCTPPeerAddrParams(PaddrParams{SackDelay: 600}), nil, Einval},
		{SCTPPeerAddrParams(PaddrParams{PathMtu: 100}), nil, Einval},
		{SCTPPeerAddrParams(PaddrParams{AssocID: id, Flags: HBDemand}), nil, Einval},
		{SCTPPeerAddrParams(PaddrParams{AssocID: id, Address: far, HbInterval: 5}), nil, Einval},
		{SCTPPeerAddrParams(PaddrParams{Address: far, HbInterval: 5}), ErrNoAssociation, Einval},
		{SCTPPeerAddrParams(PaddrParams{Flags: 1 << 10}), nil, Einval},
		{SCTPDefaultSendParam(SndRcvInfo{Flags: Abort}), nil, Einval},
		{SCTPDefaultSendParam(SndRcvInfo{AssocID: 999}), ErrNoAssociation, Einval},
		{SCTPDelayedAckTime(AssocValue{AssocValue: 501}), nil, Einval},
		{SCTPDelayedAckTime(AssocValue{AssocID: 999, AssocValue: 100}), ErrNoAssociation, Einval},
		{SCTPEnableStreamReset(AssocValue{AssocValue: 0x08}), nil, Einval},
		{SCTPEnableStreamReset(AssocValue{AssocID: 999}), ErrNoAssociation, Einval},
		{SCTPStatus(Status{AssocID: id}), ErrReadOnly, Einval},
		{SCTPGetPeerAddrInfo(PaddrInfo{AssocID: id, Address: peer}), ErrReadOnly, Einval},
	}
	before, beforeCfg := snapshot(t, cli, id, peer)
	for _, c := range cases {
		name := c.opt.Name()
		if name == "" {
			name = "zero"
		}
		t.Run(name, func(t *testing.T) {
			// A valid socket-wide option first: it must not be applied.
			err := cli.SetOpts(Sndbuf(4242), SCTPRtoInfo(RtoInfo{AssocID: id, Initial: 1500}), c.opt)
			require.Error(t, err)
			require.ErrorIs(t, err, ErrInvalidOption)
			if c.is != nil {
				require.ErrorIs(t, err, c.is)
			}
			var e *Error
			require.True(t, errors.As(err, &e))
			require.Equal(t, c.reason, e.Reason, "%v", err)
			require.Equal(t, "setopts", e.Op)
			after, afterCfg := snapshot(t, cli, id, peer)
			require.Equal(t, before, after, "nothing changed")
			require.Equal(t, beforeCfg, afterCfg, "the association is unchanged")
		})
	}
}

// GetOpts follows gen_sctp: failures are left out, non_block_send is
// bare, unknown names and sctp_status without an association fail the
// call.
func TestGetOptsQuirks(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv)
	id := connect(t, cli, srv).AssocID
	vs, err := cli.GetOpts(
		OptionQuery{Name: "non_block_send"},
		OptionQuery{Name: "sctp_rtoinfo", AssocID: 999},              // no such association: dropped
		OptionQuery{Name: "sctp_set_peer_primary_addr", AssocID: id}, // write-only: dropped
		OptionQuery{Name: "sctp_get_peer_addr_info", AssocID: id},    // no address: dropped
		OptionQuery{Name: "sctp_status", AssocID: id},
		OptionQuery{Name: "sctp_nodelay"},
	)
	require.NoError(t, err)
	require.Len(t, vs, 3)
	require.Equal(t, OptionValue{Name: "non_block_send", Value: false, Bare: true}, vs[0])
	require.Equal(t, "sctp_status", vs[1].Name)
	require.Equal(t, id, vs[1].Value.(Status).AssocID)
	require.Equal(t, OptionValue{Name: "sctp_nodelay", Value: false}, vs[2])

	_, err = cli.GetOpts(OptionQuery{Name: "sctp_nodelay"}, OptionQuery{Name: "no_such_option"})
	require.ErrorIs(t, err, ErrInvalidOption)
	_, err = cli.GetOpts(OptionQuery{Name: "sctp_status"})
	require.ErrorIs(t, err, ErrInvalidOption, "ERL-134: sctp_status needs an assoc_id")
	_, err = cli.Status(0)
	require.ErrorIs(t, err, ErrInvalidOption)

	_, err = GetOpt[RtoInfo](cli, OptionQuery{Name: "sctp_rtoinfo", AssocID: 999})
	require.ErrorIs(t, err, ErrNoAssociation, "GetOpt reports what GetOpts drops")
	_, err = GetOpt[string](cli, OptionQuery{Name: "sctp_nodelay"})
	require.ErrorIs(t, err, ErrInvalidOption, "wrong type")
	require.NoError(t, cli.Close())
	_, err = cli.GetOpts(OptionQuery{Name: "mode"})
	require.ErrorIs(t, err, errClosed)
}
