package api

import (
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// Every association event becomes the gen_sctp record with its
// association id; SendFailed, RemoteError and PdapiEvent are error-class
// (REFERENCE §4.1, §4.2), the others never are (even addr_unreachable and
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
		{&association.SendFailed{Sent: true, Error: 12, Info: association.SendInfo{Stream: 2, PPID: 9, Unordered: true, Context: 4}, Data: []byte("x")},
			&SendFailed{Flags: true, Error: 12, Info: SndRcvInfo{Stream: 2, PPID: 9, Flags: Unordered, Context: 4, AssocID: 7},
				AssocID: 7, Data: []byte("x")}, "sctp_send_failed", true},
		{&association.ShutdownEvent{}, &ShutdownEvent{AssocID: 7}, "sctp_shutdown_event", false},
		{&association.AdaptationEvent{Indication: 0x01020304},
			&AdaptationEvent{AdaptationInd: 0x01020304, AssocID: 7}, "sctp_adaptation_event", false},
		{&association.PDAPIEvent{Indication: association.PartialDeliveryAborted, Stream: 3},
			&PdapiEvent{Indication: PartialDeliveryAborted, AssocID: 7, Stream: 3}, "sctp_pdapi_event", true},
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
	require.Equal(t, "sctp_error", KindError.String())
	require.Equal(t, "sctp_passive", KindPassive.String())
	require.Equal(t, "sctp", KindEvent.String())
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
