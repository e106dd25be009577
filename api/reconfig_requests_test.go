package api

import (
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/stretchr/testify/require"
)

// AddStreams over loopback: the client (10 outgoing streams, at most 12
// incoming) adds 2 outgoing streams; the StreamChangeEvent
// has 12 outgoing streams and a message on stream 11 arrives with SSN 0.
// Asking for nothing or for more incoming streams than max_instreams
// fails with typed errors.
func TestAddStreams(t *testing.T) {
	noLeak(t)
	ev := SCTPEvents(EventSubscribe{StreamChangeEvent: True})
	srv := server(t, ev)
	cli := clientOf(t, srv, ev, SCTPInitMsg(InitMsg{NumOstreams: 10, MaxInstreams: 12}))
	ac := connect(t, cli, srv)
	require.ErrorIs(t, cli.AddStreams(ac.AssocID, 0, 0), association.ErrNoStreamsToAdd)
	require.ErrorIs(t, cli.AddStreams(ac.AssocID, 0, 3), association.ErrTooManyStreams)
	require.NoError(t, cli.AddStreams(ac.AssocID, 2, 0))
	ch := recvEvent[*StreamChangeEvent](t, cli)
	require.Equal(t, &StreamChangeEvent{InStreams: 10, OutStreams: 12, AssocID: ac.AssocID}, ch)
	require.NoError(t, cli.Send(ac.AssocID, 11, []byte("new")))
	d := recvData(t, srv)
	require.Equal(t, "new", string(d.Data))
	require.Equal(t, uint16(11), d.Info.Stream)
	require.Equal(t, uint16(0), d.Info.SSN)
}

// ResetStreamsDir, ResetAssoc and AddStreams refuse misuse with typed
// errors: no direction, a stream beyond the incoming ones, an unknown
// association.
func TestResetStreamsDirErrors(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv, SCTPInitMsg(InitMsg{NumOstreams: 10, MaxInstreams: 4}))
	ac := connect(t, cli, srv)
	require.ErrorIs(t, cli.ResetStreamsDir(ac.AssocID, 0), association.ErrInvalidResetFlags)
	require.ErrorIs(t, cli.ResetStreamsDir(ac.AssocID, ResetIncoming, 4), ErrInvalidStream)
	require.ErrorIs(t, cli.ResetStreamsDir(ac.AssocID, ResetBoth, 5), ErrInvalidStream)
	require.Error(t, cli.ResetAssoc(ac.AssocID+1000))
	require.Error(t, cli.AddStreams(ac.AssocID+1000, 1, 0))
	require.NoError(t, cli.ResetStreamsDir(ac.AssocID, ResetIncoming, 3))
}

// ResetAssoc over loopback: after a message each way, the client resets
// the association; both ends get an AssocResetEvent with the same TSNs
// crosswise, and the next message each way has SSN 0 and the TSN the
// event announced.
func TestResetAssoc(t *testing.T) {
	noLeak(t)
	ev := SCTPEvents(EventSubscribe{AssocResetEvent: True})
	srv := server(t, ev)
	cli := clientOf(t, srv, ev)
	ac := connect(t, cli, srv)
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("one")))
	d := recvData(t, srv)
	sid := d.Info.AssocID
	require.NoError(t, srv.Send(sid, 0, []byte("one")))
	recvData(t, cli)
	require.NoError(t, cli.ResetAssoc(ac.AssocID))
	ec := recvEvent[*AssocResetEvent](t, cli)
	es := recvEvent[*AssocResetEvent](t, srv)
	require.Zero(t, ec.Flags)
	require.Zero(t, es.Flags)
	require.Equal(t, [2]uint32{ec.LocalTSN, ec.RemoteTSN}, [2]uint32{es.RemoteTSN, es.LocalTSN})
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("two")))
	require.NoError(t, srv.Send(sid, 0, []byte("two")))
	for _, tc := range []struct {
		s   *Socket
		tsn uint32
	}{{srv, ec.LocalTSN}, {cli, es.LocalTSN}} {
		d := recvData(t, tc.s)
		require.Equal(t, "two", string(d.Data))
		require.Equal(t, uint16(0), d.Info.SSN)
		require.Equal(t, tc.tsn, d.Info.TSN)
	}
}

// ResetStreamsDir with ResetIncoming over loopback: the server has sent
// two messages on stream 2; the client asks it to reset that stream:
// the client gets the incoming reset event, the server the outgoing
// one, and the server's next message on stream 2 has SSN 0. AddStreams
// for incoming streams: the server adds outgoing ones, both ends get
// the new counts.
func TestResetStreamsIncomingAndAddIncoming(t *testing.T) {
	noLeak(t)
	ev := SCTPEvents(EventSubscribe{StreamResetEvent: True, StreamChangeEvent: True})
	srv := server(t, ev)
	cli := clientOf(t, srv, ev, SCTPInitMsg(InitMsg{NumOstreams: 10, MaxInstreams: 12}))
	ac := connect(t, cli, srv)
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("hello")))
	sid := recvData(t, srv).Info.AssocID
	for _, m := range []string{"one", "two"} {
		require.NoError(t, srv.Send(sid, 2, []byte(m)))
	}
	for i := range 2 {
		require.Equal(t, uint16(i), recvData(t, cli).Info.SSN)
	}
	require.NoError(t, cli.ResetStreamsDir(ac.AssocID, ResetIncoming, 2))
	in := recvEvent[*StreamResetEvent](t, cli)
	require.Equal(t, association.StreamResetIncoming, in.Flags)
	require.Equal(t, []uint16{2}, in.Streams)
	out := recvEvent[*StreamResetEvent](t, srv)
	require.Equal(t, association.StreamResetOutgoing, out.Flags)
	require.NoError(t, srv.Send(sid, 2, []byte("again")))
	d := recvData(t, cli)
	require.Equal(t, "again", string(d.Data))
	require.Equal(t, uint16(0), d.Info.SSN)

	require.NoError(t, cli.AddStreams(ac.AssocID, 0, 2))
	require.Equal(t, &StreamChangeEvent{InStreams: 12, OutStreams: 10, AssocID: ac.AssocID}, recvEvent[*StreamChangeEvent](t, cli))
	require.Equal(t, &StreamChangeEvent{InStreams: 10, OutStreams: 12, AssocID: sid}, recvEvent[*StreamChangeEvent](t, srv))
	require.NoError(t, srv.Send(sid, 11, []byte("new")))
	d = recvData(t, cli)
	require.Equal(t, uint16(11), d.Info.Stream)
	require.Equal(t, uint16(0), d.Info.SSN)
}
