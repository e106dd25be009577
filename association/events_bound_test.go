package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// Events do not count against the receive window, and the peer decides
// how many ERROR chunks it sends (RFC 9260 Section 3.3.10: each is
// reported to the upper layer). While the user does not poll, at most 64
// RemoteError events wait; the rest are counted in DroppedRemoteErrors.
// Once the user has read them, new ones are reported again.
func TestRemoteErrorsBounded(t *testing.T) {
	p, _ := establishedPair(t, 91)
	p.HoldZ = true
	zTag, _ := p.Z.Tags()
	for i := 0; i < 500; i++ {
		forge(p, p.AddrA, p.AddrZ, headerAZ(zTag), &chunk.OperationError{Causes: []chunk.Cause{
			&chunk.InvalidStreamIdentifierCause{StreamID: chunk.StreamID(i)}}})
	}
	p.Run(time.Second)
	require.Equal(t, 64, p.Z.Pending())
	require.Equal(t, uint64(500-64), p.Z.Stats().DroppedRemoteErrors)
	p.ReleaseZ()
	errs := eventsOf[*association.RemoteError](p.DeliveredZ)
	require.Len(t, errs, 64)
	require.Equal(t, chunk.CauseInvalidStreamIdentifier, errs[0].Error)
	forge(p, p.AddrA, p.AddrZ, headerAZ(zTag), &chunk.OperationError{})
	p.Run(time.Second)
	require.Len(t, eventsOf[*association.RemoteError](p.DeliveredZ), 65, "reported again once read")
	require.Equal(t, association.StateEstablished, p.Z.State())
}

// RFC 9260 Section 3.2: chunk types whose high bits are 11 are skipped
// and "report[ed] ... in an ERROR chunk using the 'Unrecognized Chunk
// Type' error cause". A packet of 2000 such 4-byte chunks gets at most 16
// reports, fewer bytes than it had: the association is no amplifier. And
// before the peer's tag is known (COOKIE-WAIT) nothing is reported, so
// that no report that can never be sent holds up the INIT retransmissions.
func TestUnrecognizedChunkReportsBounded(t *testing.T) {
	p, c := establishedPair(t, 92)
	zTag, _ := p.Z.Tags()
	var cs []chunk.Chunk
	for i := 0; i < 2000; i++ {
		cs = append(cs, &chunk.Unknown{ChunkType: 0xca})
	}
	start := p.Now
	forge(p, p.AddrA, p.AddrZ, headerAZ(zTag), cs...)
	p.Run(time.Second)
	reports, bytes := 0, 0
	for _, sp := range c.since(start).with(p.AddrZ, chunk.TypeError) {
		bytes += len(sp.pkt.Bytes())
		it := sp.pkt.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			if r.Type == chunk.TypeError {
				reports++
			}
		}
	}
	require.Positive(t, reports)
	require.LessOrEqual(t, reports, 16)
	require.Less(t, bytes, 2000*4)
	require.Equal(t, association.StateEstablished, p.Z.State())

	// COOKIE-WAIT: the INIT is lost; a packet with A's tag and such chunks
	// queues nothing, and T1-init still retransmits the INIT.
	cfgA, cfgZ := scenarioConfigs(93)
	q, qc := newScenarioPair(t, 93, cfgA, cfgZ)
	q.Net.SetDown(q.AddrA, q.AddrZ, true)
	require.NoError(t, q.Connect())
	q.Exchange()
	aTag, _ := q.A.Tags()
	forge(q, q.AddrZ, q.AddrA, headerZA(aTag), cs[:100]...)
	q.Run(10 * time.Second)
	require.Equal(t, association.StateCookieWait, q.A.State())
	require.GreaterOrEqual(t, qc.count(q.AddrA, chunk.TypeInit), 3, "INIT retransmitted")
	require.Zero(t, qc.count(q.AddrA, chunk.TypeError))
}

// A peer sending DATA chunks of one byte must not make the receiver hold
// more than its receive buffer's worth of memory. Fragments of a message
// whose first fragment is missing are kept apart, each costing its byte
// and association.ChunkOverhead, so the window closes after about
// ReceiveBuffer / (1 + ChunkOverhead) of them (RFC 9260 Section 6.2:
// beyond the window, new DATA is dropped); the rest is dropped and not
// acknowledged. Fragments received in order are gathered in one buffer and
// charged their bytes (and one record): the message reaches the partial
// delivery point (RFC 9260 Section 6.9: "If the data receiver runs out of
// buffer space while still waiting for more fragments to complete the
// reassembly of the message, it SHOULD dispatch part of its inbound
// message through a partial delivery API") instead of filling the buffer
// with bookkeeping, its pieces join while they wait in Poll, and every
// fragment is taken.
func TestTinyChunksBoundedByTheReceiveBuffer(t *testing.T) {
	const rbuf, frags = 64 << 10, 40000 // more than the partial delivery point, ReceiveBuffer/2
	for i, firstMissing := range []bool{true, false} {
		t.Run(map[bool]string{true: "first fragment missing", false: "in order"}[firstMissing], func(t *testing.T) {
			seed := uint64(94 + i)
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgZ.ReceiveBuffer = rbuf
			p, c := newScenarioPair(t, seed, cfgA, cfgZ)
			require.NoError(t, p.Handshake())
			m := sendAndDeliver(t, p, []byte("first"))
			zTag, _ := p.Z.Tags()
			// Z's SACKs acknowledge TSNs A never sent: keep them from A,
			// which would rightly abort (RFC 9260 Section 6.2.1).
			p.Net.SetDown(p.AddrZ, p.AddrA, true)
			next := m.TSN + 1
			for pkt := 0; pkt < frags/1000; pkt++ {
				var cs []chunk.Chunk
				for i := 0; i < 1000; i++ {
					var fl chunk.DataFlags
					if pkt == 0 && i == 0 {
						fl = chunk.FlagBeginning
					}
					if fl == 0 || !firstMissing {
						cs = append(cs, &chunk.Data{Flags: fl, TSN: next, StreamID: m.Stream,
							SSN: m.SSN + 1, UserData: []byte{byte(i)}})
					}
					next++
				}
				forge(p, p.AddrA, p.AddrZ, headerAZ(zTag), cs...)
			}
			start := p.Now
			p.Run(time.Second)
			sacks := c.since(start).with(p.AddrZ, chunk.TypeSACK)
			require.NotEmpty(t, sacks)
			last := sackOf(t, sacks[len(sacks)-1])
			require.Equal(t, association.StateEstablished, p.Z.State())
			if !firstMissing {
				require.Equal(t, m.TSN+frags, last.CumTSNAck, "every fragment taken")
				got := 0
				for _, d := range messagesOf(p.DeliveredZ)[1:] {
					require.False(t, d.EndOfRecord, "pieces of a message without its last fragment")
					got += len(d.Data)
				}
				require.Equal(t, frags, got+p.Z.Status().PendData, "partially delivered")
				require.Less(t, len(messagesOf(p.DeliveredZ)), 100, "pieces joined")
				return
			}
			accepted := p.Z.Status().PendData // one byte each
			// A byte and 256 of bookkeeping a fragment
			// (association.ChunkOverhead, written out so that the test pins
			// it), and the record of their run.
			limit := (rbuf + p.Z.Config().MTU) / (1 + 256)
			require.Positive(t, accepted)
			require.LessOrEqual(t, accepted, limit+1, "chunks held")
			require.Equal(t, m.TSN, last.CumTSNAck)
		})
	}
}

// The SendFailed events waiting in Poll are bounded by the receive
// buffer (Config.ReceiveBuffer), as the kernels charge notifications to
// the socket's receive buffer: a user that keeps sending messages that
// expire and never reads its events holds at most the receive buffer of
// their data, and ReceiveBuffer/ChunkOverhead events. Past it an event
// comes without its data (DataDropped, DetailStats.SendFailedDataDropped);
// past the count, it is dropped (DetailStats.SendFailedDropped).
// Every message abandoned is counted (AbandonedMessages). Once read, they
// carry their data again.
func TestSendFailedBounded(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(94)
	cfgZ.ReceiveBuffer, cfgZ.SendBuffer = 64<<10, 64<<10
	p, _ := newScenarioPair(t, 94, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	p.HoldZ = true
	msg := make([]byte, 1000)
	// Each round fills Z's send buffer with messages that live 1 ms:
	// what the congestion window does not let go at once expires.
	for range 40 {
		for p.Z.Send(p.Now, association.SendInfo{TimeToLive: time.Millisecond}, msg) == nil {
		}
		p.Run(100 * time.Millisecond)
	}
	st := p.Z.Stats()
	require.Greater(t, st.AbandonedMessages, uint64(4*cfgZ.ReceiveBuffer/len(msg)), "abandoned: several receive buffers")
	require.LessOrEqual(t, p.Z.Pending(), 1+cfgZ.ReceiveBuffer/association.ChunkOverhead)
	require.Positive(t, st.SendFailedDataDropped)
	require.Positive(t, st.SendFailedDropped)

	p.ReleaseZ()
	fails := eventsOf[*association.SendFailed](p.DeliveredZ)
	held, withData := 0, 0
	for _, f := range fails {
		held += len(f.Data)
		require.Equal(t, f.Data == nil, f.DataDropped)
		require.Equal(t, time.Millisecond, f.Info.TimeToLive)
		if f.Data != nil {
			withData++
			require.Equal(t, msg, f.Data)
		}
	}
	require.LessOrEqual(t, held, cfgZ.ReceiveBuffer)
	require.Positive(t, withData)
	require.Equal(t, st.AbandonedMessages, uint64(len(fails))+st.SendFailedDropped)
	require.Equal(t, st.SendFailedDataDropped, uint64(len(fails)-withData))

	// Read, the budget is free again.
	for p.Z.Send(p.Now, association.SendInfo{TimeToLive: time.Millisecond}, msg) == nil {
	}
	p.Run(time.Second)
	later := eventsOf[*association.SendFailed](p.DeliveredZ)[len(fails):]
	require.NotEmpty(t, later)
	for _, f := range later {
		require.Equal(t, msg, f.Data)
	}
	require.Equal(t, association.StateEstablished, p.Z.State())
}

// The peer decides how many Add Streams and SSN/TSN Reset Requests it
// sends (RFC 6525 Sections 5.2.4-5.2.6), each reported to the user: while
// the user does not poll, at most 64 of their StreamChangeEvents,
// AssocResetEvents and StreamResetEvents wait, the rest counted in
// DroppedEvents (FuzzStates input 3bb4d759ec406690: one event per
// request, without bound).
func TestReconfigEventsBounded(t *testing.T) {
	p, first := hostilePair(t, 93, nil)
	p.HoldZ = true
	_, in0 := p.Z.Streams()
	for i := range 100 {
		hand(p, p.Z, &chunk.ReConfig{Params: []chunk.Param{&chunk.AddOutgoingStreams{ReqSeq: uint32(first) + uint32(2*i), NumNewStreams: 1}}})
		hand(p, p.Z, assocReset(first+chunk.TSN(2*i+1)))
	}
	p.Run(time.Second)
	require.Equal(t, 64, p.Z.Pending())
	require.Equal(t, uint64(200-64), p.Z.Stats().DroppedEvents)
	p.ReleaseZ()
	require.Len(t, eventsOf[*association.StreamChangeEvent](p.DeliveredZ), 32)
	require.Len(t, eventsOf[*association.AssocResetEvent](p.DeliveredZ), 32)
	_, in := p.Z.Streams()
	require.Equal(t, in0+100, in, "every request performed, its event dropped or not")
	require.Equal(t, association.StateEstablished, p.Z.State())
}
