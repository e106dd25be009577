package association_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

func TestHandshakeAndTransfer(t *testing.T) {
	p, err := associationtest.NewDefaultPair(1)
	require.NoError(t, err)
	require.NoError(t, p.Handshake())
	require.Equal(t, association.StateEstablished, p.A.State())
	require.Equal(t, association.StateEstablished, p.Z.State())

	msg := bytes.Repeat([]byte("x"), 5000)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1, PPID: 51}, msg))
	ok := p.RunUntil(10*time.Second, func() bool {
		for _, d := range p.DeliveredZ {
			if d.Event == nil {
				return true
			}
		}
		return false
	})
	require.True(t, ok, "discards %v", p.Discards)
	var got []byte
	for _, d := range p.DeliveredZ {
		if d.Event == nil {
			got = d.Message.Data
		}
	}
	require.Equal(t, msg, got)
	t.Logf("A: %+v", p.A.Stats())
	t.Logf("Z: %+v", p.Z.Stats())

	require.NoError(t, p.A.Shutdown(p.Now))
	require.True(t, p.RunUntil(10*time.Second, func() bool {
		return p.A.State() == association.StateClosed && p.Z.State() == association.StateClosed
	}), "A %v Z %v discards %v", p.A.State(), p.Z.State(), p.Discards)
	for _, d := range p.DeliveredA {
		t.Logf("A event %#v", d.Event)
	}
	for _, d := range p.DeliveredZ {
		if d.Event != nil {
			t.Logf("Z event %#v", d.Event)
		}
	}
}

// RFC 9260 Section 7.2.1: "While the endpoint does not transmit data on a
// given transport address, the cwnd of the transport address SHOULD be
// adjusted to max(cwnd / 2, 4 * PMDCS) once per RTO."
func TestCwndDecaysWhenIdle(t *testing.T) {
	p, err := associationtest.NewDefaultPair(3)
	require.NoError(t, err)
	require.NoError(t, p.Handshake())
	msg := make([]byte, 1000)
	for i := 0; i < 400; i++ {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, msg))
		if i%20 == 0 {
			p.Run(20 * time.Millisecond)
		}
	}
	p.Run(2 * time.Second)
	grown := p.A.Paths()[0].CWnd
	pmdcs := p.A.Paths()[0].MTU - 12
	require.Greater(t, grown, 8*pmdcs, "cwnd grew during the transfer")
	p.Run(10 * time.Second) // idle for several RTOs
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, msg))
	p.Exchange()
	decayed := p.A.Paths()[0].CWnd
	require.Less(t, decayed, grown/2, "cwnd halved at least once")
	require.GreaterOrEqual(t, decayed, 4*pmdcs, "but not below 4 * PMDCS")
}

// RFC 9260 Section 6.1: the I bit may be set when "The sender is in the
// SHUTDOWN-PENDING state"; the last DATA chunk queued before SHUTDOWN
// carries it and the receiver acknowledges it at once.
func TestImmediateBitInShutdownPending(t *testing.T) {
	p, err := associationtest.NewDefaultPair(9)
	require.NoError(t, err)
	require.NoError(t, p.Handshake())
	var flags []chunk.DataFlags
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		pkt, err := packet.Parse(d.Data, packet.Options{SkipChecksum: true})
		if err != nil {
			return sim.Pass
		}
		it := pkt.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			if r.Type == chunk.TypeData {
				flags = append(flags, chunk.DataFlags(r.Flags))
			}
		}
		return sim.Pass
	})
	for i := 0; i < 3; i++ {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("msg")))
	}
	require.NoError(t, p.A.Shutdown(p.Now))
	require.True(t, p.RunUntil(10*time.Second, func() bool { return p.A.State() == association.StateClosed }))
	require.Len(t, flags, 3)
	require.False(t, flags[0].Has(chunk.FlagImmediate))
	require.True(t, flags[2].Has(chunk.FlagImmediate), "flags %v", flags)
}
