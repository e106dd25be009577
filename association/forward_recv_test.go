package association_test

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// The receiver side of PR-SCTP (RFC 3758 Section 3.6), with FORWARD TSN
// chunks forged from A to Z on a pair that negotiated it; Z's replies do
// not reach A (lastSACKOfZ), whose own TSNs they do not match.

// ordered returns an ordered DATA chunk on stream 0.
func ordered(tsn chunk.TSN, ssn chunk.SSN, flags chunk.DataFlags, data string) *chunk.Data {
	return &chunk.Data{Flags: flags, TSN: tsn, SSN: ssn, UserData: []byte(data)}
}

const be = chunk.FlagBeginning | chunk.FlagEnd

// texts returns the data of the messages delivered.
func texts(ds []association.Delivery) []string {
	var out []string
	for _, m := range messagesOf(ds) {
		out = append(out, string(m.Data))
	}
	return out
}

// A FORWARD TSN skips the TSNs up to its New Cumulative TSN and the point
// advances over what was received after it; the incomplete message below
// it goes, the ordered messages held behind the skipped SSNs are
// delivered in order, and a SACK goes at once with the new point.
func TestPRSCTPReceiveForwardTSN(t *testing.T) {
	p, cum := hostilePair(t, 1201, nil)
	c := capturePackets(p)
	// SSN 1 (cum+1) and the end of SSN 3 (cum+4) were abandoned.
	hand(p, p.Z, ordered(cum+2, 2, be, "two"), ordered(cum+3, 3, chunk.FlagBeginning, "thr"),
		ordered(cum+5, 4, be, "four"))
	require.Equal(t, []string{"first"}, texts(p.DeliveredZ))
	hand(p, p.Z, &chunk.ForwardTSN{NewCumTSN: cum + 4, Streams: []chunk.ForwardTSNStream{{StreamID: 0, SSN: 3}}})
	s := lastSACKOfZ(t, p, c)
	require.Equal(t, cum+5, s.CumTSNAck, "the point moved to cum+4, then over cum+5")
	require.Empty(t, s.GapBlocks)
	require.Equal(t, []string{"first", "two", "four"}, texts(p.DeliveredZ))
	require.Equal(t, uint64(1), p.Z.PRStatus().ForwardTSNsReceived)
	// The skipped TSNs are duplicates now, as the RFC says.
	hand(p, p.Z, ordered(cum+1, 1, be, "late"))
	require.Equal(t, []string{"first", "two", "four"}, texts(p.DeliveredZ))
	require.Equal(t, association.StateEstablished, p.Z.State())
}

// A FORWARD TSN that skips a message under partial delivery ends it with
// a partial_delivery_aborted event, after the pieces the user got; the
// stream then goes on.
func TestPRSCTPReceiveForwardTSNAbortsPartialDelivery(t *testing.T) {
	p, cum := hostilePair(t, 1202, func(_, z *association.Config) { z.PartialDeliveryPoint = 100 })
	c := capturePackets(p)
	big := string(make([]byte, 150))
	hand(p, p.Z, ordered(cum+1, 1, chunk.FlagBeginning, big))
	hand(p, p.Z, ordered(cum+3, 2, be, "after"))
	lastSACKOfZ(t, p, c) // Z's deliveries are polled
	require.Len(t, messagesOf(p.DeliveredZ), 2, "first, and a piece of SSN 1")
	require.False(t, messagesOf(p.DeliveredZ)[1].EndOfRecord)
	hand(p, p.Z, &chunk.ForwardTSN{NewCumTSN: cum + 2, Streams: []chunk.ForwardTSNStream{{StreamID: 0, SSN: 1}}})
	s := lastSACKOfZ(t, p, c)
	require.Equal(t, cum+3, s.CumTSNAck)
	evs := eventsOf[*association.PDAPIEvent](p.DeliveredZ)
	require.Len(t, evs, 1)
	require.Equal(t, association.PartialDeliveryAborted, evs[0].Indication)
	last := p.DeliveredZ[len(p.DeliveredZ)-1]
	require.Equal(t, "after", string(last.Message.Data), "the event comes before what it unblocked")
}

// A FORWARD TSN at or behind the point changes nothing and is answered by
// a SACK at once ("such a duplicate may indicate the previous SACK was
// lost in the network").
func TestPRSCTPReceiveStaleForwardTSN(t *testing.T) {
	p, cum := hostilePair(t, 1203, nil)
	c := capturePackets(p)
	for _, newCum := range []chunk.TSN{cum, cum - 5} {
		hand(p, p.Z, &chunk.ForwardTSN{NewCumTSN: newCum})
		s := lastSACKOfZ(t, p, c)
		require.Equal(t, cum, s.CumTSNAck)
	}
	require.Equal(t, association.StateEstablished, p.Z.State())
	msg := sendAndDeliver(t, p, []byte("still"))
	require.Equal(t, cum+1, msg.TSN)
}

// A FORWARD TSN further ahead than the receive window allows a sender to
// have sent is a protocol violation: the association aborts rather than
// skip TSNs never sent.
func TestPRSCTPReceiveForwardTSNBeyondWindow(t *testing.T) {
	p, cum := hostilePair(t, 1204, nil)
	c := capturePackets(p)
	far := cum + chunk.TSN(p.Z.Config().ReceiveBuffer) + 1<<15 + 1
	hand(p, p.Z, &chunk.ForwardTSN{NewCumTSN: far})
	require.Equal(t, association.StateClosed, p.Z.State())
	p.Exchange()
	aborts := c.with(p.AddrZ, chunk.TypeAbort)
	require.Len(t, aborts, 1)
	soleCause[*chunk.ProtocolViolationCause](t, aborts[0], chunk.TypeAbort)
	// Just within the bound, it is taken.
	q, cum2 := hostilePair(t, 1205, nil)
	hand(q, q.Z, &chunk.ForwardTSN{NewCumTSN: cum2 + chunk.TSN(q.Z.Config().ReceiveBuffer) + 1<<15})
	require.Equal(t, association.StateEstablished, q.Z.State())
}

// rawChunk is a chunk given as its encoding, for malformed ones.
type rawChunk []byte

func (r rawChunk) Type() chunk.Type { return chunk.Type(r[0]) }
func (r rawChunk) Len() int         { return (len(r) + 3) &^ 3 }
func (r rawChunk) Append(b []byte) []byte {
	return append(append(b, r...), make([]byte, r.Len()-len(r))...)
}

// A FORWARD TSN whose length leaves a stream entry truncated is
// malformed: the packet is discarded with an error that says so
// (chunk.ErrLength), and the association goes on.
func TestPRSCTPReceiveMalformedForwardTSN(t *testing.T) {
	p, cum := hostilePair(t, 1206, nil)
	raw := rawChunk{byte(chunk.TypeForwardTSN), 0, 0, 10, 0, 0, 0, 0, 0, 1}
	binary.BigEndian.PutUint32(raw[4:], uint32(cum+1))
	tag, _ := p.Z.Tags()
	err := p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, Data: packetOf(headerAZ(tag), raw)})
	require.ErrorIs(t, err, chunk.ErrLength)
	var de *association.DiscardError
	require.True(t, errors.As(err, &de))
	require.Equal(t, chunk.TypeForwardTSN, de.Chunk)
	require.Equal(t, association.StateEstablished, p.Z.State())
	require.Equal(t, cum+1, sendAndDeliver(t, p, []byte("next")).TSN)
}

// Without PR-SCTP negotiated, a FORWARD TSN is an unknown chunk, as
// before: its type's action bits (11: skip it and report it) send an
// ERROR with the Unrecognized Chunk Type cause, and nothing moves.
func TestPRSCTPReceiveForwardTSNNotNegotiated(t *testing.T) {
	p, cum := hostilePair(t, 1207, func(a, _ *association.Config) { a.PartialReliabilityDisabled = true })
	require.False(t, p.Z.PartialReliability())
	c := capturePackets(p)
	hand(p, p.Z, &chunk.ForwardTSN{NewCumTSN: cum + 3})
	p.Exchange()
	errs := c.with(p.AddrZ, chunk.TypeError)
	require.Len(t, errs, 1)
	uc := soleCause[*chunk.UnrecognizedChunkTypeCause](t, errs[0], chunk.TypeError)
	require.Equal(t, byte(chunk.TypeForwardTSN), uc.Chunk[0])
	require.Zero(t, p.Z.PRStatus().ForwardTSNsReceived)
	require.Equal(t, cum+1, sendAndDeliver(t, p, []byte("next")).TSN)
}

// A FORWARD TSN before any DATA arrived (the first messages were all
// abandoned) still moves the stream's SSN: the next message, with the SSN
// after the skipped one, is delivered, not held for the skipped one.
func TestPRSCTPReceiveForwardTSNBeforeData(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(1208)
	p, c := newScenarioPair(t, 1208, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	r, _ := c.with(p.AddrA, chunk.TypeInit)[0].chunk(chunk.TypeInit)
	var in chunk.Init
	parseChunk(t, r, &in)
	first := in.InitialTSN
	hand(p, p.Z, &chunk.ForwardTSN{NewCumTSN: first, Streams: []chunk.ForwardTSNStream{{StreamID: 1, SSN: 0}}})
	hand(p, p.Z, &chunk.Data{Flags: be, TSN: first + 1, StreamID: 1, SSN: 1, UserData: []byte("second")})
	lastSACKOfZ(t, p, c)
	require.Equal(t, []string{"second"}, texts(p.DeliveredZ))
}

// The rest of a message whose beginning a FORWARD TSN skipped, arriving
// after it, is acknowledged and dropped, and its SSN counts as skipped
// even when the FORWARD TSN did not list the stream: the next message of
// the stream is delivered.
func TestPRSCTPReceiveRestOfSkippedMessage(t *testing.T) {
	p, cum := hostilePair(t, 1209, nil)
	c := capturePackets(p)
	hand(p, p.Z, &chunk.ForwardTSN{NewCumTSN: cum + 1}) // SSN 1 began at cum+1
	hand(p, p.Z, ordered(cum+2, 1, 0, "mid"), ordered(cum+3, 1, chunk.FlagEnd, "end"),
		ordered(cum+4, 2, be, "next"))
	s := lastSACKOfZ(t, p, c)
	require.Equal(t, cum+4, s.CumTSNAck)
	require.Equal(t, []string{"first", "next"}, texts(p.DeliveredZ))
	require.Zero(t, p.Z.Status().PendData)
}

// A FORWARD TSN that leaves out the stream of a message it skipped whole
// does not stall the stream: the next message, coming at the next TSN
// expected with a later SSN, shows the SSNs between skipped.
func TestPRSCTPReceiveUnlistedSkippedMessage(t *testing.T) {
	p, cum := hostilePair(t, 1210, nil)
	c := capturePackets(p)
	hand(p, p.Z, &chunk.ForwardTSN{NewCumTSN: cum + 1}) // SSN 1, not listed
	hand(p, p.Z, ordered(cum+2, 2, be, "next"))
	lastSACKOfZ(t, p, c)
	require.Equal(t, []string{"first", "next"}, texts(p.DeliveredZ))
}

// PRStatus.ForwardTSNsReceived counts the FORWARD TSN chunks Z accepted,
// out-of-date ones included, and none of those it discarded: malformed,
// beyond the receive window (the association aborts), or after the
// peer's SHUTDOWN. A test that compares it with the chunks on the wire
// compares those that reached an association taking them.
func TestPRSCTPForwardTSNsReceivedCounts(t *testing.T) {
	p, cum := hostilePair(t, 1211, nil)
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("back")))
	require.True(t, p.RunUntil(10*time.Second, func() bool { return len(messagesOf(p.DeliveredA)) == 1 }))
	received := func() uint64 { return p.Z.PRStatus().ForwardTSNsReceived }
	hand(p, p.Z, &chunk.ForwardTSN{NewCumTSN: cum + 1})
	require.Equal(t, uint64(1), received(), "one that moves the point")
	hand(p, p.Z, &chunk.ForwardTSN{NewCumTSN: cum + 1})
	require.Equal(t, uint64(2), received(), "an out-of-date one, answered with a SACK")
	raw := rawChunk{byte(chunk.TypeForwardTSN), 0, 0, 10, 0, 0, 0, 0, 0, 1}
	binary.BigEndian.PutUint32(raw[4:], uint32(cum+2))
	tag, _ := p.Z.Tags()
	require.Error(t, p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, Data: packetOf(headerAZ(tag), raw)}))
	require.Equal(t, uint64(2), received(), "a malformed one")

	// After the peer's SHUTDOWN (acknowledging Z's only message), Z takes
	// no FORWARD TSN, as it takes no DATA.
	hand(p, p.Z, &chunk.Shutdown{CumTSNAck: messagesOf(p.DeliveredA)[0].TSN})
	require.Equal(t, association.StateShutdownAckSent, p.Z.State())
	hand(p, p.Z, &chunk.ForwardTSN{NewCumTSN: cum + 2})
	require.Equal(t, uint64(2), received(), "one after the peer's SHUTDOWN")

	// One beyond the receive window aborts the association, uncounted.
	q, cum2 := hostilePair(t, 1212, nil)
	hand(q, q.Z, &chunk.ForwardTSN{NewCumTSN: cum2 + chunk.TSN(q.Z.Config().ReceiveBuffer) + 1<<15 + 1})
	require.Equal(t, association.StateClosed, q.Z.State())
	require.Zero(t, q.Z.PRStatus().ForwardTSNsReceived)
}
