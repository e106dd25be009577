package api

import (
	"bytes"
	"context"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gensctp/gensctp/timer"
	"github.com/pion/transport/v3/vnet"
	"github.com/stretchr/testify/require"
)

// Hostile peers against what a socket gathers for its user: the pieces
// of partially delivered messages (RFC 6458 Section 8.1.21) are gathered
// so that Recv returns whole messages, up to MaxMessageSize.

// gathered returns the bytes the socket holds of unfinished messages of
// association id.
func gathered(t *testing.T, s *Socket, id AssocID) int {
	t.Helper()
	n := 0
	require.NoError(t, s.do(func(timer.Time) error {
		for k, p := range s.partial {
			if k.id == id {
				n += len(p.data)
			}
		}
		return nil
	}))
	return n
}

// stallData makes n's router let through only the first packets DATA
// packets that the UDP port *port sends.
func stallData(n *testNet, packets int32) (port *atomic.Uint32) {
	port = new(atomic.Uint32)
	var through atomic.Int32
	n.router.AddChunkFilter(func(c vnet.Chunk) bool {
		src, err := netip.ParseAddrPort(c.SourceAddr().String())
		if err != nil || uint32(src.Port()) != port.Load() || len(dataTSNs(c.UserData())) == 0 {
			return true
		}
		return through.Add(1) <= packets
	})
	return port
}

// One peer starts a message and never finishes it (a vnet chunk filter
// lets only its first three DATA packets through); the socket holds what
// arrived, under MaxMessageSize. Another peer's message of almost
// MaxMessageSize on the same one-to-many socket is delivered whole: the
// budget is per association. Before, it was shared by the socket's
// associations, and the second association was aborted for a message
// within the limit.
func TestHostileRcvbufPartialBudgetPerAssociation(t *testing.T) {
	noLeak(t)
	n := newVNet(t)
	stalled := stallData(n, 3) // the UDP port of the peer whose message stalls
	const limit = 10000
	srv := n.server(t, Recbuf(4096), MaxMessageSize(limit)) // partial delivery point 2048
	cli1 := n.client(t, srv, Linger(true, 0))               // Close aborts what cannot be delivered
	stalled.Store(uint32(cli1.UDPPort()))
	ac1 := n.connect(t, cli1, srv)
	cli2 := n.client(t, srv)
	ac2 := n.connect(t, cli2, srv)
	var id1 AssocID // cli1's association at srv
	for range 2 {
		d := recv(t, srv)
		if ac := d.Event.(*AssocChange); d.From.Port() == cli1.Port() {
			id1 = ac.AssocID
		}
	}
	require.NotZero(t, id1)

	require.NoError(t, cli1.Send(ac1.AssocID, 0, make([]byte, limit-1000)))
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		_, err := srv.Recv(ctx) // gathers what arrived; nothing is whole
		require.ErrorIs(t, err, context.DeadlineExceeded)
		return gathered(t, srv, id1) >= 2048
	}, 10*time.Second, time.Millisecond)

	msg := bytes.Repeat([]byte("0123456789"), (limit-1000)/10)
	require.NoError(t, cli2.Send(ac2.AssocID, 0, msg))
	d := recvData(t, srv)
	require.Equal(t, msg, d.Data, "delivered whole")
	require.LessOrEqual(t, gathered(t, srv, id1), limit)
}
