package association_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
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
