package association_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/stretchr/testify/require"
)

// Our Add Outgoing and Add Incoming Streams Requests (RFC 6525 Sections
// 5.1.5, 5.1.6 and 5.2.7 H6).

// values returns the events evs point to, for comparing runs.
func values[T any](evs []*T) []T {
	out := make([]T, len(evs))
	for i, e := range evs {
		out[i] = *e
	}
	return out
}

// streamChanges returns the StreamChangeEvents of ds.
func streamChanges(ds []association.Delivery) []*association.StreamChangeEvent {
	return eventsOf[*association.StreamChangeEvent](ds)
}

// A adds 3 outgoing streams over a lossy link (requests and answers
// lost, seeded): the new streams are refused until Z grants them, then
// the StreamChangeEvent has the new count, and a message on the last new
// stream arrives with SSN 0. Each seed runs the same way twice.
func TestReconfigAddOutStreamsLossy(t *testing.T) {
	requests := runTwice(t, 1820, 1828, addOutStreamsRun)
	require.Greater(t, requests, 8, "some requests or answers were lost and the request sent again")
}

// addOutStreamsRun runs TestReconfigAddOutStreamsLossy with seed and
// returns what Z delivered on the new stream with the time of the event,
// and the number of RE-CONFIG chunks A sent.
func addOutStreamsRun(t *testing.T, seed uint64) ([]string, int) {
	t.Helper()
	p, c := lossyPair(t, seed)
	out, in := p.A.Streams()
	require.NoError(t, p.A.AddStreams(p.Now, 3, 0))
	require.ErrorIs(t, p.A.AddStreams(p.Now, 1, 0), association.ErrReconfigInProgress)
	require.ErrorIs(t, p.A.Send(p.Now, association.SendInfo{Stream: chunk.StreamID(out)}, []byte("x")), association.ErrInvalidStream)
	require.True(t, p.RunUntil(2*time.Minute, func() bool { return len(streamChanges(p.DeliveredA)) == 1 }))
	at := p.Now
	require.Equal(t, &association.StreamChangeEvent{InStreams: in, OutStreams: out + 3}, streamChanges(p.DeliveredA)[0])
	o, _ := p.A.Streams()
	require.Equal(t, out+3, o)
	_, zin := p.Z.Streams()
	require.Equal(t, out+3, zin)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: chunk.StreamID(out + 2)}, []byte("new")))
	require.True(t, p.RunUntil(2*time.Minute, func() bool { return len(onStream(p.DeliveredZ, chunk.StreamID(out+2))) == 1 }))
	return append(onStream(p.DeliveredZ, chunk.StreamID(out+2)), fmt.Sprint(at)), c.count(p.AddrA, chunk.TypeReConfig)
}

// Z configured to deny additions of streams (RFC 6525 Section 6.3.1):
// AddStreams for both directions sends one RE-CONFIG chunk with an Add
// Outgoing and an Add Incoming Streams Request (Section 3.1), each
// answered Denied: two StreamChangeEvents flagged ReconfigDenied, the
// counts unchanged, the streams unusable.
func TestReconfigAddStreamsDenied(t *testing.T) {
	p, aFirst := hostilePair(t, 1830, func(_, z *association.Config) {
		z.ResetRequestsDenied = association.ChangeAssocRequests
	})
	c := capturePackets(p)
	out, in := p.A.Streams()
	require.NoError(t, p.A.AddStreams(p.Now, 2, 5))
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(streamChanges(p.DeliveredA)) == 2 }))
	require.Equal(t, []chunk.Param{
		&chunk.AddOutgoingStreams{ReqSeq: uint32(aFirst), NumNewStreams: 2},
		&chunk.AddIncomingStreams{ReqSeq: uint32(aFirst) + 1, NumNewStreams: 5},
	}, reconfSent(t, c, p.AddrA))
	for _, ev := range streamChanges(p.DeliveredA) {
		require.Equal(t, &association.StreamChangeEvent{Flags: association.ReconfigDenied, InStreams: in, OutStreams: out}, ev)
	}
	o, i := p.A.Streams()
	require.Equal(t, [2]uint16{out, in}, [2]uint16{o, i})
	require.ErrorIs(t, p.A.Send(p.Now, association.SendInfo{Stream: chunk.StreamID(out)}, []byte("x")), association.ErrInvalidStream)
	require.NoError(t, p.A.AddStreams(p.Now, 1, 0), "the request is over")
}

// AddStreams for incoming streams against forged answers: the peer adds
// them with an Add Outgoing Streams Request of its own (RFC 6525 Section
// 5.2.6), which A performs ("Success - Performed") and takes as the
// answer to its request: one StreamChangeEvent with the new count, and
// the request is over (no retransmission). When a "Performed" response
// comes first, the event waits for the peer's request; a denial ends the
// request at once.
func TestReconfigAddInStreamsForged(t *testing.T) {
	for _, respFirst := range []bool{false, true} {
		p, aFirst, zFirst := twoWayPair(t, 1831, nil)
		c := capturePackets(p)
		p.Net.AddFilter(dropFrom(p.AddrA))
		out, in := p.A.Streams()
		require.NoError(t, p.A.AddStreams(p.Now, 0, 4))
		p.Exchange()
		require.Equal(t, []chunk.Param{&chunk.AddIncomingStreams{ReqSeq: uint32(aFirst), NumNewStreams: 4}}, reconfSent(t, c, p.AddrA))
		if respFirst {
			hand(p, p.A, &chunk.ReConfig{Params: []chunk.Param{&chunk.ReconfigResponse{RespSeq: uint32(aFirst), Result: chunk.ReconfigSuccessPerformed}}})
			p.Exchange()
			require.Empty(t, streamChanges(p.DeliveredA), "the streams are not there yet")
		}
		c.pkts = nil
		hand(p, p.A, &chunk.ReConfig{Params: []chunk.Param{&chunk.AddOutgoingStreams{ReqSeq: uint32(zFirst), NumNewStreams: 4}}})
		p.Exchange()
		require.Equal(t, []*association.StreamChangeEvent{{InStreams: in + 4, OutStreams: out}}, streamChanges(p.DeliveredA))
		p.Run(10 * time.Second)
		require.Equal(t, []chunk.Param{&chunk.ReconfigResponse{RespSeq: uint32(zFirst), Result: chunk.ReconfigSuccessPerformed}},
			reconfSent(t, c, p.AddrA), "the answer to Z's request, and no request again")
		require.NoError(t, p.A.AddStreams(p.Now, 1, 0), "the request is over")
	}
	p, aFirst, _ := twoWayPair(t, 1832, nil)
	p.Net.AddFilter(dropFrom(p.AddrA))
	out, in := p.A.Streams()
	require.NoError(t, p.A.AddStreams(p.Now, 0, 4))
	p.Exchange()
	hand(p, p.A, &chunk.ReConfig{Params: []chunk.Param{&chunk.ReconfigResponse{RespSeq: uint32(aFirst), Result: chunk.ReconfigDenied}}})
	p.Exchange()
	require.Equal(t, []*association.StreamChangeEvent{{Flags: association.ReconfigDenied, InStreams: in, OutStreams: out}},
		streamChanges(p.DeliveredA))
}

// AddStreams errors: nothing to add, beyond 65535 outgoing streams or
// beyond MaxInboundStreams incoming ones, a request in flight, no
// RE-CONFIG negotiated, not established; a refused call leaves no
// request behind.
func TestReconfigAddStreamsErrors(t *testing.T) {
	p, _ := hostilePair(t, 1833, nil)
	out, in := p.A.Streams()
	require.ErrorIs(t, p.A.AddStreams(p.Now, 0, 0), association.ErrNoStreamsToAdd)
	require.ErrorIs(t, p.A.AddStreams(p.Now, 0xffff-out+1, 0), association.ErrTooManyStreams)
	require.ErrorIs(t, p.A.AddStreams(p.Now, 0, association.DefaultMaxInboundStreams-in+1), association.ErrTooManyStreams)
	require.NoError(t, p.A.AddStreams(p.Now, 0xffff-out, 0))
	require.ErrorIs(t, p.A.AddStreams(p.Now, 1, 0), association.ErrReconfigInProgress)
	require.ErrorIs(t, p.A.ResetAssoc(p.Now), association.ErrReconfigInProgress)
	q, _ := hostilePair(t, 1834, func(_, z *association.Config) { z.ReconfigDisabled = true })
	require.ErrorIs(t, q.A.AddStreams(q.Now, 1, 0), association.ErrReconfigNotSupported)
	require.NoError(t, q.A.Shutdown(q.Now))
	require.ErrorIs(t, q.A.AddStreams(q.Now, 1, 0), association.ErrNotEstablished)
}

// A adds 2 outgoing and 3 incoming streams in one request over a lossy
// link (seeded): Z grants the outgoing ones and adds the incoming ones
// with an Add Outgoing Streams Request of its own (RFC 6525 Section
// 5.2.6); each end gets a StreamChangeEvent per direction, the counts
// match crosswise, and a message on each new last stream arrives with
// SSN 0. Each seed runs the same way twice.
func TestReconfigAddStreamsBothLossy(t *testing.T) {
	runTwice(t, 1860, 1866, addStreamsBothRun)
}

// addStreamsBothRun runs TestReconfigAddStreamsBothLossy with seed and
// returns the events of both ends with the time they were all there.
func addStreamsBothRun(t *testing.T, seed uint64) ([]string, int) {
	t.Helper()
	p, _ := lossyPair(t, seed)
	out, in := p.A.Streams()
	require.NoError(t, p.A.AddStreams(p.Now, 2, 3))
	require.True(t, p.RunUntil(5*time.Minute, func() bool {
		return len(streamChanges(p.DeliveredA)) == 2 && len(streamChanges(p.DeliveredZ)) == 2
	}))
	at := p.Now
	for _, ev := range append(streamChanges(p.DeliveredA), streamChanges(p.DeliveredZ)...) {
		require.Zero(t, ev.Flags)
	}
	last := func(evs []*association.StreamChangeEvent) [2]uint16 {
		e := evs[len(evs)-1]
		return [2]uint16{e.OutStreams, e.InStreams}
	}
	require.Equal(t, [2]uint16{out + 2, in + 3}, last(streamChanges(p.DeliveredA)))
	require.Equal(t, [2]uint16{in + 3, out + 2}, last(streamChanges(p.DeliveredZ)))
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: chunk.StreamID(out + 1)}, []byte("a")))
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: chunk.StreamID(in + 2)}, []byte("z")))
	require.True(t, p.RunUntil(5*time.Minute, func() bool {
		return len(messagesOf(p.DeliveredA)) == 1 && len(messagesOf(p.DeliveredZ)) == 1
	}))
	require.Equal(t, []string{"a@0"}, onStream(p.DeliveredZ, chunk.StreamID(out+1)))
	require.Equal(t, []string{"z@0"}, onStream(p.DeliveredA, chunk.StreamID(in+2)))
	return []string{fmt.Sprint(values(streamChanges(p.DeliveredA)), values(streamChanges(p.DeliveredZ)), at)}, 0
}

// A retransmission of the peer's Add Outgoing Streams Request answered
// before (duplicated or delayed by the network) comes in while our Add
// Incoming Streams Request is in flight: it is answered again with the
// result remembered (RFC 6525 Section 5.2.1) and does not answer ours,
// which ended flagged ReconfigFailed with the streams never added (found
// by FuzzStates, input f9adeb33d7028cfb). The peer's next request does.
func TestReconfigAddInStreamsOldRequestRepeated(t *testing.T) {
	p, _, zFirst := twoWayPair(t, 1833, nil)
	c := capturePackets(p)
	old := &chunk.ReConfig{Params: []chunk.Param{&chunk.AddOutgoingStreams{ReqSeq: uint32(zFirst), NumNewStreams: 1}}}
	hand(p, p.A, old)
	p.Exchange()
	out, in := p.A.Streams()
	require.Len(t, streamChanges(p.DeliveredA), 1, "Z's first request performed")
	p.Net.AddFilter(dropFrom(p.AddrA))
	require.NoError(t, p.A.AddStreams(p.Now, 0, 2))
	p.Exchange()
	c.pkts = nil
	hand(p, p.A, old)
	p.Exchange()
	require.Equal(t, []chunk.Param{&chunk.ReconfigResponse{RespSeq: uint32(zFirst), Result: chunk.ReconfigSuccessPerformed}},
		reconfSent(t, c, p.AddrA), "the old answer again")
	require.Len(t, streamChanges(p.DeliveredA), 1, "no event: our request is still in flight")
	require.ErrorIs(t, p.A.AddStreams(p.Now, 1, 0), association.ErrReconfigInProgress)
	hand(p, p.A, &chunk.ReConfig{Params: []chunk.Param{&chunk.AddOutgoingStreams{ReqSeq: uint32(zFirst) + 1, NumNewStreams: 2}}})
	p.Exchange()
	evs := streamChanges(p.DeliveredA)
	require.Equal(t, &association.StreamChangeEvent{InStreams: in + 2, OutStreams: out}, evs[len(evs)-1])
	require.NoError(t, p.A.AddStreams(p.Now, 1, 0), "the request is over")
}

// Both ends add streams at once: Z's Add Incoming Streams Request is
// lost or late, and A's own Add Outgoing Streams Request ends it at Z
// (addInByRequest). Z's next request, an Outgoing SSN Reset Request,
// is then numbered past a number A still expects: A answers "Error - Bad
// Sequence Number", and Z fills the number with an Add Incoming Streams
// Request for no stream, sent before the reset again (RFC 6525 Section
// 5.2.1). Whichever of the filler and the late request reaches A first
// has the number, the other gets its answer: the stream counts of the
// two ends agree, the reset is done, and messages pass on the last
// stream each way. Sending the reset one number lower instead made the
// late request's answer its own (FuzzStates input ea80b5940bac721e).
func TestReconfigAddIncomingLostThenBadSequence(t *testing.T) {
	for _, v := range []sim.Verdict{sim.Drop, sim.Delay(3 * time.Second)} {
		t.Run(v.String(), func(t *testing.T) { addIncomingLostThenBadSequence(t, v) })
	}
}

// addIncomingLostThenBadSequence runs TestReconfigAddIncomingLostThenBadSequence
// with Z's first RE-CONFIG given the verdict v.
func addIncomingLostThenBadSequence(t *testing.T, v sim.Verdict) {
	p, _, _ := twoWayPair(t, 1872, nil)
	p.Net.AddFilter(firstWith(p.AddrZ, chunk.TypeReConfig, v))
	require.NoError(t, p.Z.AddStreams(p.Now, 0, 1))
	require.NoError(t, p.A.AddStreams(p.Now, 1, 0))
	require.True(t, p.RunUntil(time.Second, func() bool { return len(streamChanges(p.DeliveredZ)) == 1 }), "%v", v)
	require.NoError(t, p.Z.ResetStreams(p.Now, nil))
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(resetEvents(p.DeliveredZ)) > 0 }), "%v", v)
	require.Equal(t, association.StreamResetOutgoing, resetEvents(p.DeliveredZ)[0].Flags, "%v", v)
	p.Run(10 * time.Second)
	aOut, aIn := p.A.Streams()
	zOut, zIn := p.Z.Streams()
	require.Equal(t, [2]uint16{aOut, aIn}, [2]uint16{zIn, zOut}, "%v", v)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: chunk.StreamID(aOut - 1)}, []byte("a")))
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: chunk.StreamID(zOut - 1)}, []byte("z")))
	require.True(t, p.RunUntil(time.Minute, func() bool {
		return len(onStream(p.DeliveredZ, chunk.StreamID(aOut-1))) == 1 && len(onStream(p.DeliveredA, chunk.StreamID(zOut-1))) == 1
	}), "%v", v)
	require.Equal(t, association.StateEstablished, p.A.State())
	require.Equal(t, association.StateEstablished, p.Z.State())
}

// The same, with Z's next request an Add Outgoing and Add Incoming Streams
// Request, both parameters answered "Error - Bad Sequence Number": the
// second answer comes before the filler's, and does not end the request
// (FuzzStates input aad13286ee986a97): both directions get their stream.
func TestReconfigAddIncomingLostThenBothBadSequence(t *testing.T) {
	p, _, _ := twoWayPair(t, 1873, nil)
	p.Net.AddFilter(firstWith(p.AddrZ, chunk.TypeReConfig, sim.Drop))
	require.NoError(t, p.Z.AddStreams(p.Now, 0, 1))
	require.NoError(t, p.A.AddStreams(p.Now, 1, 0))
	require.True(t, p.RunUntil(time.Second, func() bool { return len(streamChanges(p.DeliveredZ)) == 1 }))
	zOut0, zIn0 := p.Z.Streams()
	require.NoError(t, p.Z.AddStreams(p.Now, 1, 1))
	require.True(t, p.RunUntil(time.Minute, func() bool {
		o, i := p.Z.Streams()
		return o == zOut0+1 && i == zIn0+1
	}))
	p.Run(10 * time.Second)
	for _, ev := range streamChanges(p.DeliveredZ) {
		require.Zero(t, ev.Flags, "no part refused: %+v", ev)
	}
	aOut, aIn := p.A.Streams()
	zOut, zIn := p.Z.Streams()
	require.Equal(t, [2]uint16{aOut, aIn}, [2]uint16{zIn, zOut})
}
