package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// RFC 9260 Section 6.1 rule A: "At any given time, the data sender MUST NOT
// transmit new data to any destination transport address if its peer's
// rwnd indicates that the peer has no buffer space (i.e., rwnd is smaller
// than the size of the next DATA chunk; see Section 6.2.1). However,
// regardless of the value of rwnd (including if it is 0), the data sender
// can always have one DATA chunk in flight to the receiver if allowed by
// cwnd (see rule B, below). This rule allows the sender to probe for a
// change in rwnd that the sender missed due to the updated SACK chunk
// having been lost in transit from the data receiver to the data sender."
// and "A zero window probe SHOULD only be sent when all outstanding DATA
// chunks have been cumulatively acknowledged and no DATA chunks are in
// flight." Section 6.2: the receiver sends a window update when "the
// window can be increased by at least a quarter of the receive buffer".
// https://www.rfc-editor.org/rfc/rfc9260#section-6.1
func TestScenarioZeroWindow(t *testing.T) {
	const seed, n, size, rbuf = 110, 60, 1000, 8000
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgZ.ReceiveBuffer = rbuf
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	p.HoldZ = true // Z's user stops reading
	for i := range n {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(i, size)))
	}
	maxUnacked := 0
	var closedAt timer.Time // Z first advertised a zero window
	require.True(t, p.RunUntil(time.Minute, func() bool {
		if closedAt == 0 {
			for _, sp := range c.with(p.AddrZ, chunk.TypeSACK) {
				r, _ := sp.chunk(chunk.TypeSACK)
				var s chunk.SACK
				parseChunk(t, r, &s)
				if s.ARwnd == 0 {
					closedAt = sp.at
					break
				}
			}
		} else if p.Now > closedAt.Add(200*time.Millisecond) {
			// Once the data in flight when the window closed is resolved.
			maxUnacked = max(maxUnacked, p.A.Status().UnackData)
		}
		return p.Now > 30*timer.Time(time.Second)
	}))
	require.NotZero(t, closedAt, "seed %d: the window never closed", seed)
	require.Positive(t, p.A.Buffered(), "A is stalled with data queued")
	require.LessOrEqual(t, p.Z.Status().PendData, rbuf+cfgZ.WithDefaults().MTU)

	// The probes: after the closed window was seen, one DATA chunk at a
	// time, repeated on T3 with backoff, without counting errors.
	probes := c.since(closedAt.Add(2*scenarioLink.Delay)).with(p.AddrA, chunk.TypeData)
	require.GreaterOrEqual(t, len(probes), 3, "seed %d: probing goes on", seed)
	for _, sp := range probes {
		n := 0
		for _, ct := range sp.types() {
			if ct == chunk.TypeData {
				n++
			}
		}
		require.Equal(t, 1, n, "a probe is one DATA chunk")
	}
	require.LessOrEqual(t, maxUnacked, 1, "one DATA chunk in flight while the window is closed")
	gaps := intervals(c.since(closedAt.Add(2*scenarioLink.Delay)).times(p.AddrA, chunk.TypeData))
	for i := 1; i < len(gaps); i++ {
		require.GreaterOrEqual(t, gaps[i], gaps[i-1], "probe intervals back off")
	}
	require.Equal(t, association.StateEstablished, p.A.State())
	require.Zero(t, p.A.Paths()[0].ErrorCount, "window probes are not errors")
	require.Empty(t, messagesOf(p.DeliveredZ))

	// Z's user reads: a window update goes out at once and the transfer
	// completes, everything delivered once and in order.
	release := p.Now
	p.ReleaseZ()
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(messagesOf(p.DeliveredZ)) == n }),
		"seed %d: %d/%d delivered", seed, len(messagesOf(p.DeliveredZ)), n)
	sacks, at := sacksFrom(t, c, p.AddrZ, release)
	require.NotEmpty(t, sacks)
	require.Zero(t, at[0], "window update sent when the user read")
	require.GreaterOrEqual(t, sacks[0].ARwnd, uint32(rbuf/4))
	for i, m := range messagesOf(p.DeliveredZ) {
		require.Equal(t, numbered(i, size), m.Data, "seed %d: message %d", seed, i)
	}
	p.Run(time.Second)
	require.Zero(t, p.A.Outstanding())
	require.Len(t, messagesOf(p.DeliveredZ), n, "no duplicates")
}

// The receive buffer set below the out-of-order data held (Reconfigure, as
// api's Recbuf option does for a live association): the retransmission
// that fills the hole before that data overran the new buffer by more than
// an MTU and was dropped as "receive window full", again and again, and
// nothing held was dropped to make room: the association wedged (found by
// FuzzStates). RFC 9260 Section 6.2: "When the receiver's advertised
// window is 0, the receiver MUST drop any new incoming DATA chunk with a
// TSN larger than the largest TSN received so far. Also, if the new
// incoming DATA chunk holds a TSN value less than the largest TSN received
// so far, then the receiver SHOULD drop the largest TSN held for
// reordering and accept the new incoming DATA chunk." and "If a data
// receiver drops DATA chunks, it MUST NOT include them in Gap Ack Blocks
// in subsequent SACK chunks until they are received again via
// retransmission." The sender sends again what it saw acknowledged and
// then no longer (Section 6.2.1 rule D iii), and every message arrives
// once and in order.
// https://www.rfc-editor.org/rfc/rfc9260#section-6.2
func TestScenarioReceiveBufferShrunkBelowHeldData(t *testing.T) {
	const seed, n, size = 111, 12, 300
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgA.NoDelay = true
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	base := sendAndDeliver(t, p, []byte("first")).TSN
	dropTSN(p, p.AddrA, base+1, 1) // the packet of the first messages
	for i := range n {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(i, size)))
	}
	p.Run(100 * time.Millisecond)
	held := p.Z.Status().PendData
	require.Positive(t, held, "Z holds messages above the hole")
	require.Len(t, messagesOf(p.DeliveredZ), 1)
	require.Zero(t, p.A.Stats().Retransmissions, "the hole is still open")
	sacks, _ := sacksFrom(t, c, p.AddrZ, 0)
	top := highestReported(sacks[len(sacks)-1])
	require.Equal(t, base+n, top)

	cfg := p.Z.Config()
	cfg.ReceiveBuffer = int(chunk.MinARwnd)
	require.Less(t, cfg.ReceiveBuffer, held)
	require.NoError(t, p.Z.Reconfigure(p.Now, cfg))
	shrunk := p.Now
	require.True(t, p.RunUntil(time.Minute, func() bool { return p.Z.Stats().RenegedTSNs > 0 }),
		"nothing reneged; discards %v", p.Discards)
	// The SACK for the retransmission that filled the hole reports what Z
	// received less what it dropped.
	sacks, _ = sacksFrom(t, c, p.AddrZ, shrunk)
	require.NotEmpty(t, sacks)
	requireReneged(t, sacks[len(sacks)-1], top, p.Z.Stats().RenegedTSNs)

	require.True(t, p.RunUntil(2*time.Minute, func() bool { return len(messagesOf(p.DeliveredZ)) == 1+n }),
		"%d/%d delivered; discards %v", len(messagesOf(p.DeliveredZ))-1, n, p.Discards)
	p.Run(10 * time.Second)
	msgs := messagesOf(p.DeliveredZ)[1:]
	require.Len(t, msgs, n, "no duplicates")
	for i, m := range msgs {
		require.Equal(t, numbered(i, size), m.Data, "message %d", i)
	}
	require.Zero(t, p.A.Outstanding())
	require.Equal(t, association.StateEstablished, p.Z.State())
}

// Reconfigure with a receive buffer that lowers the partial delivery point
// (ReceiveBuffer/2 by default) below the bytes of a message held from its
// first fragment on starts its partial delivery (RFC 6458 Section
// 8.1.21): the first piece goes to the user at once. It stayed in
// reassembly instead, waiting for the next DATA chunk to be accepted,
// which the buffer that piece filled refused: the association wedged
// (found by FuzzStates).
func TestScenarioReceiveBufferShrunkBelowPartialDeliveryPoint(t *testing.T) {
	const seed, size = 112, 4000
	cfgA, cfgZ := scenarioConfigs(seed)
	p, _ := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	base := sendAndDeliver(t, p, []byte("first")).TSN
	dropTSN(p, p.AddrA, base+2, 1) // the second fragment
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(0, size)))
	p.Run(100 * time.Millisecond)
	require.Len(t, messagesOf(p.DeliveredZ), 1)
	require.Positive(t, p.Z.Status().PendData, "Z holds the first and the last fragment")

	cfg := p.Z.Config()
	cfg.ReceiveBuffer = int(chunk.MinARwnd)
	require.NoError(t, p.Z.Reconfigure(p.Now, cfg))
	p.Exchange()
	msgs := messagesOf(p.DeliveredZ)[1:]
	require.Len(t, msgs, 1, "the first piece is delivered at once")
	require.False(t, msgs[0].EndOfRecord)

	require.True(t, p.RunUntil(time.Minute, func() bool {
		msgs = messagesOf(p.DeliveredZ)[1:]
		return msgs[len(msgs)-1].EndOfRecord
	}), "discards %v", p.Discards)
	var data []byte
	for _, m := range msgs {
		data = append(data, m.Data...)
	}
	require.Equal(t, numbered(0, size), data)
}

// RFC 6458 Section 8.1.21: the partial delivery point is at most the
// receive buffer. One set beyond it is held to half the buffer: a message
// larger than the buffer, which could otherwise never reach the point,
// is delivered in pieces.
func TestScenarioPartialDeliveryPointBeyondBuffer(t *testing.T) {
	const seed, rbuf = 348, 16 << 10
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgZ.ReceiveBuffer = rbuf
	cfgZ.PartialDeliveryPoint = 4 * rbuf
	p, _ := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	msg := numbered(7, 3*rbuf)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, msg))
	var got []byte
	require.True(t, p.RunUntil(time.Minute, func() bool {
		got = got[:0]
		for _, m := range messagesOf(p.DeliveredZ) {
			got = append(got, m.Data...)
		}
		return len(got) == len(msg)
	}), "seed %d: %d of %d bytes delivered", seed, len(got), len(msg))
	require.Equal(t, msg, got)
	require.Greater(t, len(messagesOf(p.DeliveredZ)), 1, "in pieces")
}

// A reader that keeps up (Z's deliveries taken as they come), no loss,
// 20 ms RTT (scenarioLink): 20,000 small messages go through at one
// advertised window per round trip, the window for chunks of their size
// (free*size/(size+ChunkOverhead)), within half as much again and a
// second. Z acknowledges at once while its window fits less than two
// packets (RFC 9260 Section 6.2): the sender, unable to send the second
// packet that would trigger the SACK, waited the 200 ms SACK delay for
// each window (1-byte messages in 16 KiB took over a minute).
func TestScenarioSmallMessagesFastReader(t *testing.T) {
	const n = 20000
	for _, c := range []struct{ rbuf, size int }{{64 << 10, 1}, {16 << 10, 1}, {16 << 10, 10}, {64 << 10, 100}} {
		cfgA, cfgZ := scenarioConfigs(902)
		cfgZ.ReceiveBuffer, cfgA.NoDelay = c.rbuf, true
		p, _ := newScenarioPair(t, 902, cfgA, cfgZ)
		require.NoError(t, p.Handshake())
		read := 0
		p.OnDeliver = func(toZ bool, d association.Delivery) {
			if toZ && d.Event == nil {
				read++
			}
		}
		perRTT := max(c.rbuf*c.size/(c.size+association.ChunkOverhead)/c.size, 1)
		rounds := (n + perRTT - 1) / perRTT
		bound := time.Duration(rounds)*2*scenarioLink.Delay*3/2 + time.Second
		start, sent := p.Now, 0
		for read < n && p.Now.Sub(start) <= bound {
			for sent < n && p.A.Buffered() < 64<<10 {
				require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, make([]byte, c.size)))
				sent++
			}
			p.Run(time.Millisecond)
		}
		took := p.Now.Sub(start)
		t.Logf("rbuf %6d, %3d-byte messages: %v (bound %v)", c.rbuf, c.size, took, bound)
		require.Equal(t, n, read, "rbuf %d, %d-byte messages: all read within %v", c.rbuf, c.size, bound)
	}
}
