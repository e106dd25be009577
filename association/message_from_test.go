package association_test

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/stretchr/testify/require"
)

// A message says which peer address its last DATA chunk came from
// (Message.From, gen_sctp's FromIP): on a multihomed association, the path
// the sender used, which follows its primary path (RFC 9260 Section 6.4);
// on a single-homed one, the only peer address.
func TestMessageFrom(t *testing.T) {
	m := newMHPair(t, 31)
	froms := map[uint32]netip.AddrPort{}
	m.OnDeliver = func(toZ bool, d association.Delivery) {
		if toZ && d.Event == nil {
			froms[binary.BigEndian.Uint32(d.Message.Data)] = d.Message.From
		}
	}
	send := func(first, n uint32) {
		for id := first; id < first+n; id++ {
			m.send(t, id)
		}
		require.True(t, m.RunUntil(time.Minute, func() bool { return len(froms) == int(first+n) }))
	}
	send(0, 5) // primary a1 -> z1
	require.True(t, m.A.SetPrimary(z2.Addr()))
	send(5, 5) // now a2 -> z2
	for id := uint32(0); id < 10; id++ {
		want := a1
		if id >= 5 {
			want = a2
		}
		require.Equal(t, want, froms[id], "message %d", id)
	}

	p, _ := establishedPair(t, 32)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("single-homed")))
	p.Run(time.Second)
	msgs := messagesOf(p.DeliveredZ)
	require.Len(t, msgs, 1)
	require.Equal(t, p.AddrA, msgs[0].From)
}
