package api

import (
	"errors"
	"net"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// gen_sctp basics: connect returns comm_up with the negotiated streams;
// the server sees comm_up, then the message with its sndrcvinfo; the
// reply comes back on the same stream.
func TestConnectSendRecv(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv)
	require.NotZero(t, ac.AssocID)
	require.Equal(t, uint16(10), ac.OutboundStreams)

	up := recvEvent[*AssocChange](t, srv)
	require.Equal(t, CommUp, up.State)
	require.NoError(t, cli.Send(ac.AssocID, 3, []byte("hello")))
	d := recvData(t, srv)
	require.Equal(t, "hello", string(d.Data))
	require.True(t, d.HasInfo)
	require.Equal(t, uint16(3), d.Info.Stream)
	require.Equal(t, up.AssocID, d.Info.AssocID)
	require.Equal(t, lo, d.From.Addr())
	require.Equal(t, cli.Port(), d.From.Port())

	require.NoError(t, srv.SendInfo(SndRcvInfo{AssocID: up.AssocID, Stream: 3, PPID: 99}, []byte("world")))
	r := recvData(t, cli)
	require.Equal(t, "world", string(r.Data))
	require.Equal(t, uint32(99), r.Info.PPID)
	require.Equal(t, srv.Port(), r.From.Port())
}

// Every exported method of a nil *Socket, and of a Conn and a Listener
// without a socket (nil or the zero value), returns an error wrapping
// ErrNilSocket and net.ErrClosed instead of panicking; those without an
// error result return their zero value.
func TestNilReceivers(t *testing.T) {
	for _, recv := range []any{(*Socket)(nil), (*Conn)(nil), &Conn{}, (*Listener)(nil), &Listener{}} {
		v := reflect.ValueOf(recv)
		typ := v.Type()
		require.Positive(t, typ.NumMethod())
		for i := range typ.NumMethod() {
			m := typ.Method(i)
			name := typ.String() + "." + m.Name
			if !v.IsNil() {
				name = "zero " + name
			}
			out := callZero(t, name, v, m)
			errs := 0
			for _, o := range out {
				if o.Type() != reflect.TypeFor[error]() {
					continue
				}
				errs++
				err, _ := o.Interface().(error)
				require.ErrorIs(t, err, ErrNilSocket, name)
				require.ErrorIs(t, err, net.ErrClosed, name)
				var e *Error
				require.True(t, errors.As(err, &e), name)
				require.Equal(t, Closed, e.Reason, name)
			}
			if errs == 0 {
				for _, o := range out {
					require.True(t, o.IsZero(), "%s returns %v", name, o)
				}
			}
		}
	}
}

// callZero calls method m on recv with zero arguments and fails the test
// if it panics.
func callZero(t *testing.T, name string, recv reflect.Value, m reflect.Method) (out []reflect.Value) {
	t.Helper()
	ft := m.Func.Type()
	args := []reflect.Value{recv}
	for j := 1; j < ft.NumIn(); j++ {
		args = append(args, reflect.Zero(ft.In(j)))
	}
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s panics: %v", name, r)
		}
	}()
	if ft.IsVariadic() {
		return m.Func.CallSlice(args)
	}
	return m.Func.Call(args)
}
