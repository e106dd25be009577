package api

import (
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// sctp_enable_stream_reset over loopback: set on the server's live
// association it reads back for that association while the endpoint
// keeps every kind enabled; with the stream reset requests not enabled,
// the client's ResetStreams is denied (StreamResetDenied), and enabled
// again it is performed. A server whose associations are set up with
// none enabled denies it too.
func TestEnableStreamReset(t *testing.T) {
	noLeak(t)
	ev := SCTPEvents(EventSubscribe{StreamResetEvent: True})
	srv := server(t)
	cli := clientOf(t, srv, ev)
	ac := connect(t, cli, srv)
	sid := recvState(t, srv, CommUp).AssocID
	require.NoError(t, srv.SetOpts(SCTPEnableStreamReset(AssocValue{AssocID: sid, AssocValue: EnableResetAssocReq | EnableChangeAssocReq})))
	got, err := GetOpt[AssocValue](srv, OptionQuery{Name: "sctp_enable_stream_reset", AssocID: sid})
	require.NoError(t, err)
	require.Equal(t, AssocValue{AssocID: sid, AssocValue: EnableResetAssocReq | EnableChangeAssocReq}, got)
	got, err = GetOpt[AssocValue](srv, OptionQuery{Name: "sctp_enable_stream_reset"})
	require.NoError(t, err)
	require.Equal(t, AssocValue{AssocValue: EnableResetStreamReq | EnableResetAssocReq | EnableChangeAssocReq}, got)

	require.NoError(t, cli.ResetStreams(ac.AssocID, 2))
	require.Equal(t, association.StreamResetOutgoing|association.StreamResetDenied, recvEvent[*StreamResetEvent](t, cli).Flags)
	require.NoError(t, srv.SetOpts(SCTPEnableStreamReset(AssocValue{AssocID: sid, AssocValue: EnableResetStreamReq})))
	require.NoError(t, cli.ResetStreams(ac.AssocID, 2))
	require.Equal(t, association.StreamResetOutgoing, recvEvent[*StreamResetEvent](t, cli).Flags)

	none := server(t, SCTPEnableStreamReset(AssocValue{}))
	cli2 := clientOf(t, none, ev)
	ac2 := connect(t, cli2, none)
	require.NoError(t, cli2.ResetStreams(ac2.AssocID))
	require.Equal(t, association.StreamResetOutgoing|association.StreamResetDenied, recvEvent[*StreamResetEvent](t, cli2).Flags)
}

// The peer's Add Outgoing Streams and SSN/TSN Reset Requests (from a raw
// peer, Initial TSN 1) reach the user as a stream_change_event with the
// new stream counts and an assoc_reset_event with both next TSNs; the
// peer's messages on an added stream and at its new TSN arrive. With
// sctp_enable_stream_reset allowing only stream resets, both requests are
// denied: no event, no new stream.
func TestReconfigPeerEvents(t *testing.T) {
	noLeak(t)
	// Linger(true, 0): Close aborts, as the raw peer does not shut down.
	ev := []Option{SCTPEvents(EventSubscribe{AssocResetEvent: True, StreamChangeEvent: True}), Linger(true, 0)}
	srv := server(t, ev...)
	p := rawAssociate(t, srv.UDPPort(), srv.Port(), reconfigExt)
	id := recvState(t, srv, CommUp).AssocID
	p.send(p.tag, &chunk.ReConfig{Params: []chunk.Param{&chunk.AddOutgoingStreams{ReqSeq: 1, NumNewStreams: 5}}})
	require.Equal(t, &StreamChangeEvent{InStreams: 15, OutStreams: 10, AssocID: id}, recvEvent[*StreamChangeEvent](t, srv))
	p.data(1, 12, chunk.FlagBeginning|chunk.FlagEnd, 0, []byte("added"))
	d := recvData(t, srv)
	require.Equal(t, "added", string(d.Data))
	require.Equal(t, uint16(12), d.Info.Stream)
	p.send(p.tag, &chunk.ReConfig{Params: []chunk.Param{&chunk.SSNTSNResetRequest{ReqSeq: 2}}})
	ar := recvEvent[*AssocResetEvent](t, srv)
	require.Equal(t, uint32(2+1<<31), ar.RemoteTSN)
	require.Equal(t, id, ar.AssocID)
	p.data(2+1<<31, 12, chunk.FlagBeginning|chunk.FlagEnd, 0, []byte("reset"))
	d = recvData(t, srv)
	require.Equal(t, "reset", string(d.Data))
	require.Equal(t, uint16(0), d.Info.SSN)

	srv = server(t, append(ev, SCTPEnableStreamReset(AssocValue{AssocValue: EnableResetStreamReq}))...)
	p = rawAssociate(t, srv.UDPPort(), srv.Port(), reconfigExt)
	id = recvState(t, srv, CommUp).AssocID
	p.send(p.tag, &chunk.ReConfig{Params: []chunk.Param{&chunk.AddOutgoingStreams{ReqSeq: 1, NumNewStreams: 5}}})
	p.send(p.tag, &chunk.ReConfig{Params: []chunk.Param{&chunk.SSNTSNResetRequest{ReqSeq: 2}}})
	p.data(1, 0, chunk.FlagBeginning|chunk.FlagEnd, 0, []byte("plain"))
	for {
		d := recv(t, srv)
		require.NotContains(t, []string{"sctp_stream_change_event", "sctp_assoc_reset_event"}, recordOf(d))
		if d.Kind == KindData {
			require.Equal(t, "plain", string(d.Data))
			break
		}
	}
	st, err := srv.Status(id)
	require.NoError(t, err)
	require.Equal(t, uint16(10), st.Instrms)
}

// reconfigExt is the Supported Extensions parameter that offers
// RE-CONFIG (RFC 6525 Section 5.1.1).
var reconfigExt = &chunk.SupportedExtensions{Types: []chunk.Type{chunk.TypeReConfig}}

// recordOf returns the record name of the event of d, "" for data.
func recordOf(d Delivery) string {
	if d.Event == nil {
		return ""
	}
	return d.Event.Record()
}
