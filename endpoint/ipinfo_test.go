package endpoint_test

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// ipInfo is the IP header fields the tests pass with a datagram.
var ipInfo = association.IPInfo{TClass: 0xb8, HopLimit: 7, Has: association.IPTClass | association.IPHopLimit}

// The IP header fields of the datagram given to Mux.HandleDatagram or
// Endpoint.HandleDatagram reach the message it carries; a datagram
// without them, after those with, gives none. The client sends without
// Nagle-style delay, so that each message leaves at once though the
// server's SACKs are not delivered.
func TestHandleDatagramIP(t *testing.T) {
	st := newSetup(t, 61, func(c, _ *endpoint.Config) { c.Assoc.NoDelay = true })
	cid, sid := st.connect(t)
	st.w.Exchange()
	st.poll()
	mux := endpoint.NewMux()
	require.NoError(t, mux.Add(st.s))

	for i, handle := range []func(d *association.Datagram) error{
		func(d *association.Datagram) error { d.IP = ipInfo; return mux.HandleDatagram(d) },
		func(d *association.Datagram) error { d.IP = ipInfo; return st.s.HandleDatagram(d) },
		st.s.HandleDatagram,
	} {
		send(t, st.w.Now, st.c, cid, "hello")
		out := outputs(st.w.Now, st.c)
		require.Len(t, out, 1)
		require.NoError(t, handle(&association.Datagram{Now: st.w.Now, From: addrC, To: addrS.Addr(), Data: out[0].Data}))
		ds := endpointtest.Drain(st.s)
		require.Len(t, ds, 1)
		require.Equal(t, sid, ds[0].ID)
		require.Equal(t, "hello", string(ds[0].Message.Data))
		if i < 2 {
			require.Equal(t, ipInfo, ds[0].Message.IP, "handler %d", i)
		} else {
			require.Equal(t, association.IPInfo{}, ds[0].Message.IP, "handler %d", i)
		}
	}
}

// DATA bundled with a COOKIE ECHO (RFC 9260 Section 5.1) is delivered by
// the association the endpoint creates for it with the IP header fields
// of its datagram. The client does not bundle, so the test adds a DATA
// chunk with the client's initial TSN to its COOKIE ECHO.
func TestHandleDatagramIPCookieEcho(t *testing.T) {
	st := newSetup(t, 62, nil)
	now := st.w.Now
	_, err := st.c.Connect(now, []netip.AddrPort{addrS}, 7, nil)
	require.NoError(t, err)
	out := outputs(now, st.c)
	require.Len(t, out, 1)
	initPkt, first := parsed(t, out[0].Data)
	require.Equal(t, chunk.TypeInit, first.Type)
	var init chunk.Init
	_, err = init.Parse(first.Bytes)
	require.NoError(t, err)
	require.NoError(t, st.s.HandleDatagram(&association.Datagram{Now: now, From: addrC, To: addrS.Addr(), Data: out[0].Data}))
	out = outputs(now, st.s)
	require.Len(t, out, 1)
	require.NoError(t, st.c.HandleDatagram(&association.Datagram{Now: now, From: addrS, To: addrC.Addr(), Data: out[0].Data}))
	out = outputs(now, st.c)
	require.Len(t, out, 1)
	_, first = parsed(t, out[0].Data)
	require.Equal(t, chunk.TypeCookieEcho, first.Type)
	var ce chunk.CookieEcho
	_, err = ce.Parse(first.Bytes)
	require.NoError(t, err)

	var b packet.Builder
	h := initPkt.Header
	h.VerificationTag = packetTag(t, out[0].Data)
	b.Reset(nil, h, 1<<16)
	require.True(t, b.Add(&chunk.CookieEcho{Cookie: bytes.Clone(ce.Cookie)}))
	require.True(t, b.Add(&chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: init.InitialTSN,
		UserData: []byte("early")}))
	require.NoError(t, st.s.HandleDatagram(&association.Datagram{Now: now, From: addrC, To: addrS.Addr(), Data: b.Finish(),
		IP: ipInfo}))
	var msgs []association.Message
	for _, d := range endpointtest.Drain(st.s) {
		if d.Event == nil {
			msgs = append(msgs, d.Message)
		}
	}
	require.Len(t, msgs, 1)
	require.Equal(t, "early", string(msgs[0].Data))
	require.Equal(t, ipInfo, msgs[0].IP)
}

// packetTag returns the verification tag of an SCTP packet.
func packetTag(t *testing.T, b []byte) chunk.VerificationTag {
	t.Helper()
	h, err := packet.ParseHeader(b)
	require.NoError(t, err)
	return h.VerificationTag
}
