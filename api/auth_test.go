package api

import (
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// TestAuthOptions checks the AUTH options end to end: sctp_auth_chunk
// and an endpoint-pair key made active on the server, the chunk lists
// read with sctp_peer_auth_chunks and sctp_local_auth_chunks, keys set,
// activated, deactivated and deleted on a live association, and the
// sctp_authkey_event with its three indications (RFC 6458 Sections
// 6.1.8, 8.1.18, 8.2.3, 8.2.4, 8.3.2 to 8.3.5).
func TestAuthOptions(t *testing.T) {
	noLeak(t)
	ev := SCTPEvents(EventSubscribe{AuthenticationEvent: True})
	key := AuthKey{KeyNumber: 2, Key: []byte("shared secret")}
	srv := server(t, ev, SCTPAuthChunk(uint8(chunk.TypeData)), SCTPAuthKey(key), SCTPAuthActiveKey(AuthKeyID{KeyNumber: 2}))
	cli := clientOf(t, srv, ev, SCTPAuthKey(key))
	ac := connect(t, cli, srv)
	sid := recvState(t, srv, CommUp).AssocID
	want := []uint8{uint8(chunk.TypeData), uint8(chunk.TypeASCONFAck), uint8(chunk.TypeASCONF)}
	peer, err := GetOpt[AuthChunks](cli, OptionQuery{Name: "sctp_peer_auth_chunks", AssocID: ac.AssocID})
	require.NoError(t, err)
	require.Equal(t, AuthChunks{AssocID: ac.AssocID, Chunks: want}, peer)
	local, err := GetOpt[AuthChunks](srv, OptionQuery{Name: "sctp_local_auth_chunks"})
	require.NoError(t, err)
	require.Equal(t, AuthChunks{Chunks: want}, local)
	active, err := GetOpt[AuthKeyID](srv, OptionQuery{Name: "sctp_auth_active_key", AssocID: sid})
	require.NoError(t, err)
	require.Equal(t, AuthKeyID{AssocID: sid, KeyNumber: 2}, active)

	// The client authenticates its DATA with the null key: new to the
	// server, whose active key is 2.
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("key 0")))
	require.Equal(t, &AuthKeyEvent{KeyNumber: 0, Indication: association.AuthNewKey, AssocID: sid},
		recvEvent[*AuthKeyEvent](t, srv))
	require.Equal(t, []byte("key 0"), recvData(t, srv).Data)
	require.NoError(t, cli.SetOpts(SCTPAuthActiveKey(AuthKeyID{AssocID: ac.AssocID, KeyNumber: 2})))
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("key 2")))
	require.Equal(t, &AuthKeyEvent{KeyNumber: 2, Indication: association.AuthNewKey, AssocID: sid},
		recvEvent[*AuthKeyEvent](t, srv))
	require.Equal(t, []byte("key 2"), recvData(t, srv).Data)

	require.ErrorIs(t, cli.SetOpts(SCTPAuthDeleteKey(AuthKeyID{AssocID: ac.AssocID, KeyNumber: 0})), association.ErrAuthKeyInUse)
	require.ErrorIs(t, cli.SetOpts(SCTPAuthDeactivateKey(AuthKeyID{AssocID: ac.AssocID, KeyNumber: 2})), association.ErrAuthKeyActive)
	require.NoError(t, cli.SetOpts(SCTPAuthDeactivateKey(AuthKeyID{AssocID: ac.AssocID, KeyNumber: 0})))
	require.Equal(t, &AuthKeyEvent{KeyNumber: 0, Indication: association.AuthFreeKey, AssocID: ac.AssocID},
		recvEvent[*AuthKeyEvent](t, cli))
	require.NoError(t, cli.SetOpts(SCTPAuthDeleteKey(AuthKeyID{AssocID: ac.AssocID, KeyNumber: 0})))
	require.ErrorIs(t, cli.SetOpts(SCTPAuthActiveKey(AuthKeyID{AssocID: ac.AssocID, KeyNumber: 0})), association.ErrAuthNoKey)

	require.ErrorIs(t, srv.SetOpts(SCTPAuthChunk(uint8(chunk.TypeInit))), ErrInvalidOption)
	require.ErrorIs(t, srv.SetOpts(SCTPAuthActiveKey(AuthKeyID{KeyNumber: 9})), association.ErrAuthNoKey)
	sub, err := GetOpt[EventSubscribe](srv, OptionQuery{Name: "sctp_events"})
	require.NoError(t, err)
	require.Equal(t, True, sub.AuthenticationEvent)
}

// TestAuthSupportedOff: with sctp_auth_supported false on the client,
// neither end uses AUTH, the server reports SCTP_AUTH_NO_AUTH, and the
// key options fail on the association with association.ErrAuthDisabled.
func TestAuthSupportedOff(t *testing.T) {
	noLeak(t)
	srv := server(t, SCTPEvents(EventSubscribe{AuthenticationEvent: True}), SCTPAuthChunk(uint8(chunk.TypeData)))
	cli := clientOf(t, srv, SCTPAuthSupported(false))
	on, err := GetOpt[bool](cli, OptionQuery{Name: "sctp_auth_supported"})
	require.NoError(t, err)
	require.False(t, on)
	ac := connect(t, cli, srv)
	ev := recvEvent[*AuthKeyEvent](t, srv)
	require.Equal(t, association.AuthNoAuth, ev.Indication)
	peer, err := GetOpt[AuthChunks](cli, OptionQuery{Name: "sctp_peer_auth_chunks", AssocID: ac.AssocID})
	require.NoError(t, err)
	require.Empty(t, peer.Chunks)
	require.ErrorIs(t, cli.SetOpts(SCTPAuthKey(AuthKey{AssocID: ac.AssocID, KeyNumber: 1})), association.ErrAuthDisabled)
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("plain")))
	require.Equal(t, []byte("plain"), recvData(t, srv).Data)
}
