package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// TestAuthKeys checks the endpoint-pair keys of RFC 4895 Section 6.1 with
// the semantics of RFC 6458 Sections 8.1.18 and 8.3.3 to 8.3.5: a key set
// on both ends and made active on A authenticates A's chunks, and Z
// reports SCTP_AUTH_NEW_KEY; the active key cannot be deactivated or
// deleted, a key must be deactivated (SCTP_AUTH_FREE_KEY follows) before
// it is deleted; once Z deletes the key A uses, A's chunks are discarded.
func TestAuthKeys(t *testing.T) {
	p, _ := authPair(t, 6, nil, []chunk.Type{chunk.TypeData})
	secret := []byte("endpoint pair shared key")
	require.NoError(t, p.A.SetAuthKey(1, secret))
	require.NoError(t, p.Z.SetAuthKey(1, secret))
	require.ErrorIs(t, p.A.SetActiveAuthKey(2), association.ErrAuthNoKey)
	require.NoError(t, p.A.SetActiveAuthKey(1))
	require.Equal(t, []byte("key 1"), sendAndDeliver(t, p, []byte("key 1")).Data)
	ev := eventsOf[*association.AuthEvent](p.DeliveredZ)
	require.Equal(t, []*association.AuthEvent{{Indication: association.AuthNewKey, KeyNumber: 1}}, ev)

	require.ErrorIs(t, p.A.DeactivateAuthKey(1), association.ErrAuthKeyActive)
	require.ErrorIs(t, p.A.DeleteAuthKey(1), association.ErrAuthKeyActive)
	require.ErrorIs(t, p.A.DeleteAuthKey(0), association.ErrAuthKeyInUse)
	require.NoError(t, p.A.DeactivateAuthKey(0))
	p.Exchange()
	require.Equal(t, []*association.AuthEvent{{Indication: association.AuthFreeKey, KeyNumber: 0}},
		eventsOf[*association.AuthEvent](p.DeliveredA))
	require.ErrorIs(t, p.A.SetActiveAuthKey(0), association.ErrAuthKeyInUse)
	require.NoError(t, p.A.DeleteAuthKey(0))
	keys, active, err := p.A.AuthKeys()
	require.NoError(t, err)
	require.Equal(t, uint16(1), active)
	require.Len(t, keys, 1)

	// Z deletes key 1: A's DATA, authenticated with it, is discarded.
	require.NoError(t, p.Z.DeactivateAuthKey(1))
	require.NoError(t, p.Z.DeleteAuthKey(1))
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("lost")))
	p.Run(3 * time.Second)
	require.Len(t, messagesOf(p.DeliveredZ), 1)
	require.Positive(t, p.Z.Stats().Auth.UnknownKey)
	// Set again, the key lets the retransmission through.
	require.NoError(t, p.Z.SetAuthKey(1, secret))
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(messagesOf(p.DeliveredZ)) == 2 }))
}

// TestAuthConfigKeys checks AuthConfig.Keys and ActiveKey: a key of the
// configuration authenticates from the first packet, and Validate
// refuses an active key that is missing or deactivated, and CHUNKS types
// RFC 6458 Section 8.3.2 forbids.
func TestAuthConfigKeys(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(7)
	keys := association.AuthKeys(nil).Set(3, []byte("k3"))
	cfgA.Auth.Keys, cfgA.Auth.ActiveKey = keys, 3
	cfgZ.Auth.Keys, cfgZ.Auth.Chunks = keys, []chunk.Type{chunk.TypeData}
	p, c := newScenarioPair(t, 7, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	require.Equal(t, []byte("k3"), sendAndDeliver(t, p, []byte("k3")).Data)
	r, _ := c.with(p.AddrA, chunk.TypeData)[0].chunk(chunk.TypeAuth)
	var au chunk.Auth
	parseChunk(t, r, &au)
	require.Equal(t, uint16(3), au.SharedKeyID)

	for _, bad := range []association.AuthConfig{
		{Keys: keys, ActiveKey: 9},
		{Keys: association.AuthKeys{{ID: 1, Deactivated: true}}, ActiveKey: 1},
		{Chunks: []chunk.Type{chunk.TypeInit}},
		{Chunks: []chunk.Type{chunk.TypeAuth}},
	} {
		cfg := cfgA.WithDefaults()
		cfg.Auth = bad
		require.ErrorIs(t, cfg.Validate(), association.ErrInvalidConfig, "%+v", bad)
	}
	cfg := cfgA.WithDefaults()
	cfg.Auth = association.AuthConfig{Keys: association.AuthKeys{}}
	require.NoError(t, cfg.Validate(), "no key at all")
}
