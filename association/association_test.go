package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/stretchr/testify/require"
)

// An association takes at most 1 KiB, one size class of the Go heap
// (without the parts that an idle association does not allocate): an
// idle association at a server is about 1.9 KB in all (endpoint
// BenchmarkIdleAssociations), of which this is half.
func TestAssociationSize(t *testing.T) {
	require.LessOrEqual(t, association.AssociationSize, uintptr(1024),
		"keep the Association within 1 KiB: put state that most associations never use behind a pointer "+
			"allocated on first use, as hs and scratchBuf are")
}

// Every endpoint has an Acceptor, those that only connect too, made with
// their first association: its scratch space for INIT ACK chunks and
// cookies comes with the first INIT or COOKIE ECHO.
func TestAcceptorSize(t *testing.T) {
	require.LessOrEqual(t, association.AcceptorSize, uintptr(1024),
		"keep the Acceptor within 1 KiB: scratch space behind a pointer allocated on first use")
}

// An established association that carried no data holds no buffer for
// data transfer, no state of the handshake, no send queue, no reassembly,
// no control queue and room for one delivery: its CommUp event, polled.
// Each comes when needed: the handshake state while our INIT is in
// progress, the send queue with the first message sent, the reassembly
// with the first received, the buffers with the first DATA or SACK.
func TestIdleAssociationFootprint(t *testing.T) {
	p, err := associationtest.NewDefaultPair(1)
	require.NoError(t, err)
	require.False(t, association.FootprintOf(p.A).Handshake)
	require.NoError(t, p.Connect())
	require.True(t, association.FootprintOf(p.A).Handshake)
	require.True(t, p.RunUntil(time.Minute, p.Established))
	idle := association.Footprint{PendingCap: 1}
	require.Equal(t, idle, association.FootprintOf(p.A))
	require.Equal(t, idle, association.FootprintOf(p.Z))

	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("hello")))
	p.Run(time.Second)
	require.Len(t, p.DeliveredZ, 2, "CommUp and the message")
	a, z := association.FootprintOf(p.A), association.FootprintOf(p.Z)
	require.True(t, a.Scratch && a.SendQueue && !a.Reassembly, "%+v", a)
	require.True(t, z.Scratch && !z.SendQueue && z.Reassembly, "%+v", z)
}
