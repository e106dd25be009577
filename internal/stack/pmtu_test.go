package stack

import (
	"bytes"
	"context"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/stretchr/testify/require"
)

// RFC 6951 Section 5.6: "If an SCTP endpoint starts to encapsulate the
// packets of a path, it MUST decrease the Path MTU of that path by the
// size of the UDP header." Over real UDP sockets, a 64 KiB message is sent
// in SCTP packets of at most association.DefaultMTU bytes, which with the
// UDP header (8) and an IPv6 or IPv4 header (40 or 20) fit a 1500-byte
// path, and the fragments fill the packets up to that budget.
func TestPacketsFitTheEncapsulatedPathMTU(t *testing.T) {
	srv, cli := newStack(t), newStack(t)
	var largest atomic.Int64
	srv.Conn().SetHook(func(dir udpencap.Direction, from, to netip.AddrPort, b []byte) udpencap.Verdict {
		if dir == udpencap.In && int64(len(b)) > largest.Load() {
			largest.Store(int64(len(b)))
		}
		return udpencap.Pass
	})
	sep, err := srv.AddEndpoint(epConfig(7))
	require.NoError(t, err)
	srv.Do(func(timer.Time) error { sep.Listen(true); return nil })
	cep, err := cli.AddEndpoint(epConfig(40000))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	msg := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	var id endpoint.AssocID
	require.NoError(t, cli.Do(func(now timer.Time) error {
		var err error
		id, err = cep.Connect(now, srv.LocalAddrs(), 7, nil)
		return err
	}))
	sent := false
	var sendErr error
	require.NoError(t, cli.Wait(ctx, func(now timer.Time) bool {
		for {
			if _, _, ok := cep.Poll(); !ok {
				break
			}
		}
		a, ok := cep.Assoc(id)
		if !sent && ok && a.State() == association.StateEstablished {
			sendErr = a.Send(now, association.SendInfo{}, msg)
			sent = true
		}
		return sent
	}))
	require.NoError(t, sendErr)
	var got []byte
	require.NoError(t, srv.Wait(ctx, func(timer.Time) bool {
		for {
			_, d, ok := sep.Poll()
			if !ok {
				return len(got) == len(msg)
			}
			if d.Event == nil {
				got = append(got, d.Message.Data...)
			}
		}
	}))
	require.Equal(t, msg, got)
	n := int(largest.Load())
	require.LessOrEqual(t, n, association.DefaultMTU)
	require.LessOrEqual(t, n+udpencap.UDPHeaderLen+udpencap.IPv6HeaderLen, 1500)
	require.Equal(t, udpencap.MaxSCTPPacket(1500, true), association.DefaultMTU)
	// The fragments use the budget: a full packet is at most one DATA
	// chunk's padding (3 bytes) short of it.
	require.GreaterOrEqual(t, n, association.DefaultMTU-3)
}
