package association_test

import (
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// A hostile peer that starts a message on stream after stream with I-DATA
// and never finishes one: each first fragment is held, a record and its
// bytes charged to the receive buffer, so that what Z holds stays within
// its receive buffer (RFC 9260 Section 6.2: the window closes and "the
// receiver MUST drop any new incoming DATA chunk with a TSN larger than
// the largest TSN received so far"), whether Z's user reads (the
// messages' beginnings then go to it in pieces, each stream under partial
// delivery charged its records) or not.
func TestIDataHostileManyMessagesNeverFinished(t *testing.T) {
	const rbuf, msgs, size = 64 << 10, 4000, 100
	for _, reads := range []bool{false, true} {
		t.Run(map[bool]string{false: "user does not read", true: "user reads"}[reads], func(t *testing.T) {
			cfgA, cfgZ := scenarioConfigs(8)
			cfgA.Interleaving, cfgZ.Interleaving = true, true
			cfgA.OutboundStreams = 65535
			cfgZ.ReceiveBuffer = rbuf
			p, _ := newScenarioPair(t, 8, cfgA, cfgZ)
			require.NoError(t, p.Handshake())
			tag, _ := p.Z.Tags()
			tsn := association.CumTSN(p.Z) + 1
			var b packet.Builder
			data := make([]byte, size)
			pieces, maxCost := 0, 0
			for i := range msgs {
				b.Reset(nil, headerAZ(tag), 1<<16)
				b.Add(&chunk.IData{TSN: tsn, StreamID: chunk.StreamID(1 + i), Flags: chunk.FlagBeginning, UserData: data})
				tsn++
				_ = p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: associationtest.AddrA, Data: b.Finish()}) // dropped once the window is full
				for reads {
					d, ok := p.Z.Poll()
					if !ok {
						break
					}
					require.Nil(t, d.Event)
					require.False(t, d.Message.EndOfRecord)
					pieces++
					p.Z.Release(d.Message.Data)
				}
				maxCost = max(maxCost, association.Cost(p.Z))
			}
			require.Equal(t, association.StateEstablished, p.Z.State())
			held, chunks, records := association.ReassemblyHeld(p.Z)
			t.Logf("held %d bytes in %d chunks, %d records; %d pieces read; largest cost %d of %d",
				held, chunks, records, pieces, maxCost, rbuf)
			// roomFor takes the chunk at the Cumulative TSN Ack Point + 1
			// within one MTU of overrun, counting its bytes (its record and
			// its stream's come on top), and relieve's last piece may add
			// a ChunkOverhead.
			overrun := p.Z.Config().MTU + 2*association.ChunkOverhead + association.StreamOverhead
			require.LessOrEqual(t, maxCost, rbuf+overrun, "beyond the receive buffer and the overruns allowed")
			require.Less(t, chunks, msgs/4, "the window closed")
			if reads {
				require.Positive(t, pieces, "partial deliveries started as the buffer filled")
			}
		})
	}
}
