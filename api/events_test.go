package api

import (
	"errors"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/pion/transport/v3/vnet"
	"github.com/stretchr/testify/require"
)

// Every association event becomes the gen_sctp record with its
// association id; SendFailed, RemoteError and PdapiEvent are error-class
// (the gen_sctp documentation), the others never are (even addr_unreachable and
// cant_assoc).
func TestConvertEvents(t *testing.T) {
	peer := netip.MustParseAddrPort("10.0.0.1:9899")
	cases := []struct {
		in     association.Event
		want   Event
		record string
		errCls bool
	}{
		{&association.AssocChange{State: association.CantAssoc, Error: 3},
			&AssocChange{State: CantAssoc, Error: 3, AssocID: 7}, "sctp_assoc_change", false},
		{&association.PaddrChange{Addr: peer, State: association.AddrUnreachable},
			&PaddrChange{Addr: netip.MustParseAddrPort("10.0.0.1:5000"), State: AddrUnreachable, AssocID: 7},
			"sctp_paddr_change", false},
		{&association.RemoteError{Error: 1, Causes: []chunk.Cause{&chunk.UnknownCause{Code: 1}, &chunk.UnknownCause{Code: 5}}},
			&RemoteError{Error: 1, AssocID: 7, Data: []CauseCode{1, 5},
				Causes: []chunk.Cause{&chunk.UnknownCause{Code: 1}, &chunk.UnknownCause{Code: 5}}},
			"sctp_remote_error", true},
		{&association.SendFailed{Sent: true, Error: 12, Info: association.SendInfo{Stream: 2, PPID: 9, Unordered: true, Context: 4,
			TimeToLive: 6 * time.Millisecond, PRPolicy: association.PRTimed, PRValue: 5}, Data: []byte("x")},
			&SendFailed{Flags: true, Error: 12, Info: SndRcvInfo{Stream: 2, PPID: 9, Flags: Unordered, Context: 4, AssocID: 7,
				TimeToLive: 6, PrInfo: PrInfo{Policy: PrTTL, Value: 5}, PrInfoValid: true},
				AssocID: 7, Data: []byte("x")}, "sctp_send_failed", true},
		{&association.SendFailed{DataDropped: true}, &SendFailed{Info: SndRcvInfo{AssocID: 7, PrInfoValid: true},
			AssocID: 7, DataDropped: true}, "sctp_send_failed", true},
		{&association.ShutdownEvent{}, &ShutdownEvent{AssocID: 7}, "sctp_shutdown_event", false},
		{&association.AdaptationEvent{Indication: 0x01020304},
			&AdaptationEvent{AdaptationInd: 0x01020304, AssocID: 7}, "sctp_adaptation_event", false},
		{&association.PDAPIEvent{Indication: association.PartialDeliveryAborted, Stream: 3},
			&PdapiEvent{Indication: PartialDeliveryAborted, AssocID: 7, Stream: 3}, "sctp_pdapi_event", true},
		{&association.StreamResetEvent{Flags: association.StreamResetIncoming, Streams: []chunk.StreamID{1, 4}},
			&StreamResetEvent{Flags: association.StreamResetIncoming, Streams: []uint16{1, 4}, AssocID: 7},
			"sctp_stream_reset_event", false},
	}
	for _, c := range cases {
		got := convertEvent(c.in, 7, 5000)
		require.Equal(t, c.want, got)
		require.Equal(t, c.record, got.Record())
		require.Equal(t, c.errCls, errorClass(got), c.record)
		require.Equal(t, AssocID(7), got.assoc())
		require.NotEmpty(t, got.String())
	}
}

// A failed Connect returns an *Error wrapping an *EventError with the
// cant_assoc AssocChange; the local reason of the failure (for example a
// State Cookie too large to echo within the path MTU) is reachable with
// errors.Is.
func TestEventErrorUnwrapsAssocChangeErr(t *testing.T) {
	ev := convertEvent(&association.AssocChange{State: association.CantAssoc, Err: association.ErrCookieTooLarge}, 7, 5000)
	require.Equal(t, &AssocChange{State: CantAssoc, AssocID: 7, Err: ErrCookieTooLarge}, ev)
	err := error(&Error{Op: "connect", Assoc: 7, Stream: -1, Reason: eventReason(ev), Err: &EventError{Event: ev}})
	require.ErrorIs(t, err, ErrCookieTooLarge)
	require.ErrorIs(t, err, association.ErrCookieTooLarge)
	var ee *EventError
	require.ErrorAs(t, err, &ee)
	require.Nil(t, (&EventError{Event: &ShutdownEvent{}}).Unwrap())
}

// Atoms: String gives gen_sctp's.
func TestAtoms(t *testing.T) {
	require.Equal(t, "comm_up", CommUp.String())
	require.Equal(t, "cant_assoc", CantAssoc.String())
	require.Equal(t, "addr_made_prim", AddrMadePrim.String())
	require.Equal(t, "unconfirmed", PaddrUnconfirmed.String())
	require.Equal(t, "partial_delivery_aborted", PartialDeliveryAborted.String())
	require.Equal(t, "unordered addr_over abort eof", (Unordered | AddrOver | Abort | EOF).String())
	require.Equal(t, "eof", EOF.String())
	require.Equal(t, "hb_enable sackdelay_disable", (HBEnable | SACKDelayDisable).String())
	require.Equal(t, "seqpacket", SeqPacket.String())
	require.Equal(t, "stream", Stream.String())
	require.Equal(t, "inet6", FamilyInet6.String())
	require.Equal(t, "sctp_error", KindError.Message())
	require.Equal(t, "sctp_passive", KindPassive.Message())
	require.Equal(t, "sctp", KindEvent.Message())
	require.Equal(t, "sctp", KindData.Message())
	require.Equal(t, "established", StatusState(association.StateEstablished).String())
	require.Equal(t, "once", ActiveOnce.String())
	require.Equal(t, "-3", ActiveCount(-3).String())
	require.Equal(t, "undefined", Undefined.String())
}

// Error formats like net.OpError and maps to the gen_sctp atoms.
func TestErrorFormat(t *testing.T) {
	err := opError("send", 3, 5, association.ErrInvalidStream)
	require.Equal(t, "sctp send assoc 3 stream 5: einval: sctp: invalid stream", err.Error())
	require.ErrorIs(t, err, ErrInvalidStream)
	require.Nil(t, opError("send", 0, -1, nil))
	require.Same(t, err, opError("recv", 0, -1, err), "wrapped once")
	e := opError("send", 1, -1, association.ErrWouldBlock).(*Error)
	require.Equal(t, Eagain, e.Reason)
	require.True(t, e.Temporary())
	require.False(t, e.Timeout())
}

// Messages sent during the handshake on streams the peer does not grant
// come back through Recv as SendFailed error events carrying their data
// (RFC 9260 Section 5.1.1: the endpoint "MUST use MIS outbound streams and
// MAY report any shortage to the upper layer"; gen_sctp #sctp_send_failed{}
// with flags false, SCTP_DATA_UNSENT, and the Invalid Stream Identifier
// cause, RFC 9260 Section 3.3.10.1); the others are delivered. The
// client's INITs are held on the virtual network until the messages are
// queued, so that they are queued in COOKIE-WAIT.
func TestSendFailedUngrantedStreams(t *testing.T) {
	noLeak(t)
	n := newVNet(t)
	hold := holdInits(n)
	srv := n.server(t, SCTPInitMsg(InitMsg{MaxInstreams: 2}))
	cli := n.client(t, srv, SCTPInitMsg(InitMsg{NumOstreams: 10}),
		SCTPRtoInfo(RtoInfo{Initial: 50, Min: 50, Max: 1000}))
	id, err := cli.ConnectxInit(testCtx(t), []netip.Addr{n.hostB}, srv.Port())
	require.NoError(t, err)
	require.NoError(t, cli.Send(id, 1, []byte("granted")))
	require.NoError(t, cli.SendInfo(SndRcvInfo{AssocID: id, Stream: 5, PPID: 9, Context: 42}, []byte("not granted")))
	hold.Store(false)

	// The SendFailed events come before comm_up: the INIT ACK sets the
	// stream counts.
	var failed []*SendFailed
	for up := false; !up; {
		d, err := cli.Recv(testCtx(t))
		var ee *EventError
		if errors.As(err, &ee) {
			sf, ok := ee.Event.(*SendFailed)
			require.True(t, ok, "%v", ee.Event)
			failed = append(failed, sf)
			continue
		}
		require.NoError(t, err)
		if ac, ok := d.Event.(*AssocChange); ok {
			require.Equal(t, CommUp, ac.State)
			require.Equal(t, uint16(2), ac.OutboundStreams)
			up = true
		}
	}
	require.Len(t, failed, 1)
	require.Equal(t, &SendFailed{Flags: false, Error: CauseCode(chunk.CauseInvalidStreamIdentifier),
		Info: SndRcvInfo{Stream: 5, PPID: 9, Context: 42, AssocID: id, PrInfoValid: true}, AssocID: id,
		Data: []byte("not granted")}, failed[0])
	require.Equal(t, "granted", string(recvData(t, srv).Data))
}

// TimeToLive takes effect (RFC 6458 Section 5.3.2 sinfo_timetolive, the
// lifetime of RFC 9260 Section 10.1): a message that could not be sent
// within it comes back through Recv as a SendFailed event, unsent, with
// its data and the send information it was sent with, its TimeToLive
// included (gen_sctp's #sctp_send_failed{} info, RFC 6458 Section 6.1.4
// ssf_info: "the ancillary data ... used to send the undelivered
// message"; SSN, TSN and CumTSN, not send parameters, are 0); a message
// without one is delivered. The client's INITs are
// held on the virtual network until the event came, so that nothing can
// be sent meanwhile.
func TestSendFailedTimeToLive(t *testing.T) {
	noLeak(t)
	n := newVNet(t)
	hold := holdInits(n)
	srv := n.server(t)
	cli := n.client(t, srv, SCTPRtoInfo(RtoInfo{Initial: 50, Min: 50, Max: 1000}))
	id, err := cli.ConnectxInit(testCtx(t), []netip.Addr{n.hostB}, srv.Port())
	require.NoError(t, err)
	require.NoError(t, cli.SendInfo(SndRcvInfo{AssocID: id, Stream: 1, PPID: 7, Flags: Unordered, Context: 3,
		TimeToLive: 20, PrInfo: PrInfo{Policy: PrPrio, Value: 4}}, []byte("too late")))
	require.NoError(t, cli.Send(id, 1, []byte("in time")))
	_, err = cli.Recv(testCtx(t))
	var ee *EventError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, &SendFailed{Flags: false, Info: SndRcvInfo{Stream: 1, PPID: 7, Flags: Unordered, Context: 3,
		TimeToLive: 20, AssocID: id, PrInfo: PrInfo{Policy: PrPrio, Value: 4}, PrInfoValid: true},
		AssocID: id, Data: []byte("too late")}, ee.Event)
	hold.Store(false)
	require.Equal(t, "in time", string(recvData(t, srv).Data))
}

// holdInits holds the INIT chunks on n's virtual network until the flag
// it returns is cleared.
func holdInits(n *testNet) *atomic.Bool {
	var hold atomic.Bool
	hold.Store(true)
	n.router.AddChunkFilter(func(c vnet.Chunk) bool {
		b := c.UserData()
		isInit := len(b) > 12 && chunk.Type(b[12]) == chunk.TypeInit
		return !(isInit && hold.Load())
	})
	return &hold
}

// The stream reset event, a gensctp addition, is delivered only to a
// socket that subscribed to it (stream_reset_event of sctp_events, off by
// default).
func TestStreamResetEventSubscription(t *testing.T) {
	ev := &StreamResetEvent{Flags: association.StreamResetIncoming}
	m := defaultEvents()
	require.False(t, m.wants(ev))
	m.streamReset = true
	require.True(t, m.wants(ev))
}
