package association_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// Hostile peers against the receive buffer of one association: what a
// peer leaves behind in the receiver must be charged to the receive buffer
// (and so bounded by the window it advertises, RFC 9260 Section 6.2) or
// be small and bounded whatever the peer does.

// hostileReceiver is Z of an established pair with 65535 inbound streams,
// fed hand-built DATA straight from a hostile A: Z's replies go nowhere
// (they acknowledge TSNs A never sent) and Z's user reads everything.
type hostileReceiver struct {
	t    *testing.T
	p    *associationtest.Pair
	z    *association.Association
	tag  chunk.VerificationTag
	next chunk.TSN // next TSN to send
	ssn  [65535]chunk.SSN
	buf  []byte
	b    packet.Builder
	// delivered counts the messages and pieces Z's user read, each of
	// which onMessage sees if set; lastARwnd is from lastSACK, the last
	// SACK Z sent.
	delivered int
	onMessage func(association.Message)
	lastARwnd uint32
	lastSACK  chunk.SACK
}

// newHostileReceiver returns the receiver of an established pair with
// cfgZ, after one message of A's went through.
func newHostileReceiver(t *testing.T, seed uint64, cfgZ func(*association.Config)) *hostileReceiver {
	cfgA, cz := scenarioConfigs(seed)
	cfgA.OutboundStreams = 65535
	cfgZ(&cz)
	logSeedOnFailure(t, seed)
	p, err := associationtest.NewPair(seed, cfgA, cz, scenarioLink)
	require.NoError(t, err)
	require.NoError(t, p.Handshake())
	m := sendAndDeliver(t, p, []byte("first"))
	require.Equal(t, 65535, int(p.Z.Status().InStreams))
	h := &hostileReceiver{t: t, p: p, z: p.Z, next: m.TSN + 1, buf: make([]byte, 0, 1<<16)}
	h.tag, _ = p.Z.Tags()
	h.ssn[m.Stream] = m.SSN + 1
	return h
}

// streams sends one DATA chunk on each stream from first to last (in
// packets of 50), with flags and size bytes of user data, each its
// stream's next message if B is set, at TSNs step apart, and lets Z's
// last SACK go out.
func (h *hostileReceiver) streams(first, last int, flags chunk.DataFlags, size int, step chunk.TSN) {
	data := make([]byte, size)
	h.b.Reset(h.buf[:0], headerAZ(h.tag), 1<<16)
	for sid := first; sid <= last; sid++ {
		require.True(h.t, h.b.Add(&chunk.Data{TSN: h.next, StreamID: chunk.StreamID(sid),
			SSN: h.ssn[sid], Flags: flags, UserData: data}))
		h.next += step
		if flags.Has(chunk.FlagBeginning) {
			h.ssn[sid]++
		}
		if (sid-first)%50 == 49 || sid == last {
			_ = h.z.HandleDatagram(&association.Datagram{Now: h.p.Now, From: h.p.AddrA, Data: h.b.Finish()}) // DATA beyond the window is dropped
			h.drain()
			h.b.Reset(h.buf[:0], headerAZ(h.tag), 1<<16)
		}
	}
	h.flush()
}

// flush lets Z's delayed SACK go out.
func (h *hostileReceiver) flush() {
	h.p.Now = h.p.Now.Add(time.Second)
	h.z.HandleTimeout(h.p.Now)
	h.drain()
}

// drain reads what Z delivers and takes what Z sends.
func (h *hostileReceiver) drain() {
	for {
		d, ok := h.z.Poll()
		if !ok {
			break
		}
		h.delivered++
		if h.onMessage != nil && d.Event == nil {
			h.onMessage(d.Message)
		}
		h.z.Release(d.Message.Data)
	}
	for {
		out, ok := h.z.AppendPacket(h.p.Now, h.buf[:0])
		if !ok {
			return
		}
		pkt, err := packet.Parse(out.Data, packet.Options{})
		require.NoError(h.t, err)
		it := pkt.Chunks()
		for c, ok := it.Next(); ok; c, ok = it.Next() {
			if c.Type == chunk.TypeSACK {
				var s chunk.SACK
				_, err := s.Parse(c.Bytes)
				require.NoError(h.t, err)
				h.lastARwnd, h.lastSACK = s.ARwnd, s
			}
		}
	}
}

// heapInUse returns the bytes of live heap objects after a full
// collection.
func heapInUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// One message of one byte on each of 65535 streams (RFC 9260 Section
// 5.1.1: "MIS ... there is no negotiation ... up to 65535") leaves at most
// the streams' next SSNs behind once the user read them: two bytes and a
// bit a stream, 136 KiB in all. Before, every stream kept a record of its
// delivery state for the life of the association, uncharged to the
// receive buffer: 4.6 MiB. The bound is 512 KiB, and the window is fully
// open again afterwards: nothing of those streams is charged.
func TestHostileRcvbufOneMessagePerStream(t *testing.T) {
	h := newHostileReceiver(t, 301, func(*association.Config) {})
	before := heapInUse()
	h.streams(0, 65534, chunk.FlagBeginning|chunk.FlagEnd, 1, 1)
	retained := heapInUse() - before
	t.Logf("retained after one message on each of 65535 streams: %d bytes", retained)
	require.Equal(t, 65535, h.delivered)
	require.Equal(t, association.StateEstablished, h.z.State())
	require.Less(t, retained, int64(512<<10))
	require.Equal(t, advertisedWindow(h.z.Config().ReceiveBuffer, association.PayloadEstimate(h.z)), h.lastARwnd,
		"nothing left charged")
	runtime.KeepAlive(h)
}

// A peer that starts a partial delivery (RFC 6458 Section 8.1.21) on
// stream after stream, never finishing one, makes the receiver keep the
// state of each stream and its message though the user read every byte of
// it. With DATA, the fragments of a message have consecutive TSNs (RFC
// 9260 Section 6.9: "assign, in sequence, a separate TSN to each of the
// DATA chunks in the series"), so the peer leaves a TSN free after each
// first fragment. That state is charged to the receive buffer
// (association.StreamOverhead, 256 bytes, written out here so that the
// test pins it), and the window shrinks by that for each; after about
// ReceiveBuffer / 256 streams, or once the first fragments reach the end of
// the TSN window, the rest is dropped (RFC 9260 Section 6.2: "When the receiver's
// advertised window is 0, the receiver MUST drop any new incoming DATA
// chunk with a TSN larger than the largest TSN received so far"). Before,
// the window stayed open and all 1000 were held.
func TestHostileRcvbufPartialDeliveryOnEveryStream(t *testing.T) {
	const rbuf, point = 64 << 10, 100
	h := newHostileReceiver(t, 302, func(c *association.Config) {
		c.ReceiveBuffer = rbuf
		c.PartialDeliveryPoint = point
	})
	h.streams(1, 1000, chunk.FlagBeginning, point, 2)
	// The first fragments leave a TSN free after each: the TSN window
	// (ReceiveBuffer/(ChunkOverhead+1) TSNs ahead, association.Config)
	// binds before the window closes.
	limit := min((rbuf+h.z.Config().MTU)/256, rbuf/(association.ChunkOverhead+1)/2)
	require.Positive(t, h.delivered)
	require.LessOrEqual(t, h.delivered, limit+1, "streams under partial delivery")
	// The stream's record (StreamOverhead) and its message's, a record
	// of reassembly (ChunkOverhead).
	require.Equal(t, advertisedWindow(rbuf-(256+association.ChunkOverhead)*h.delivered, association.PayloadEstimate(h.z)), h.lastARwnd,
		"each stream under partial delivery is charged its records")
	require.Equal(t, association.StateEstablished, h.z.State())
}

// A peer that restarts the association again and again (RFC 9260 Section
// 5.2.4 action A: each time "A RESTART notification SHOULD be sent to the
// ULP") queued one event per restart, uncharged to the receive buffer,
// while the user did not poll: 300 restarts, 300 events. Now at most 64
// Restart events wait (as RemoteError events do); the others are counted
// in Stats.DroppedEvents. Once the user has read them, a restart is
// reported again.
func TestHostileRcvbufRestartEvents(t *testing.T) {
	const restarts = 300
	p, _ := establishedPair(t, 303)
	p.HoldZ = true
	for i := range restarts {
		restartA(t, p, uint64(3000+i))
		require.True(t, p.RunUntil(10*time.Second, p.Established), "restart %d", i)
	}
	require.Equal(t, 64, p.Z.Pending())
	require.Equal(t, uint64(restarts-64), p.Z.Stats().DroppedEvents)
	p.ReleaseZ()
	require.Len(t, assocStates(p.DeliveredZ), 1+64, "comm_up and 64 restarts")
	restartA(t, p, 4000)
	require.True(t, p.RunUntil(10*time.Second, p.Established))
	states := assocStates(p.DeliveredZ)
	require.Len(t, states, 1+65)
	require.Equal(t, association.Restart, states[len(states)-1], "reported again once read")
}

// A peer sending messages of one byte makes the receiver hold far more
// memory than their bytes: the chunk's record, the message's, its place in
// the queues. What the receiver holds must stay within about its receive
// buffer (RFC 9260 Section 6.2: the window it advertises is what it can
// hold), whether the messages wait in reassembly behind a missing SSN or
// complete in Poll for a user who does not read. Each is charged its byte
// and association.ChunkOverhead; the live heap they take is measured
// against the receive buffer (with 25 % slack for the sizes of the
// queues' backing arrays).
func TestHostileRcvbufTinyMessagesHeap(t *testing.T) {
	for i, behindGap := range []bool{true, false} {
		name := map[bool]string{true: "behind a missing SSN", false: "unread in Poll"}[behindGap]
		t.Run(name, func(t *testing.T) {
			const rbuf, total = 1 << 20, 40000
			h := newHostileReceiver(t, 304+uint64(i), func(*association.Config) {})
			require.Equal(t, rbuf, h.z.Config().ReceiveBuffer)
			ssn := h.ssn[0]
			if behindGap {
				ssn++ // this SSN never comes
			}
			before := heapInUse()
			for n := 0; n < total; {
				h.b.Reset(h.buf[:0], headerAZ(h.tag), 1<<16)
				for ; n < total && h.b.Add(&chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd,
					TSN: h.next, SSN: ssn, UserData: []byte{1}}); n++ {
					h.next++
					ssn++
				}
				_ = h.z.HandleDatagram(&association.Datagram{Now: h.p.Now, From: h.p.AddrA, Data: h.b.Finish()})
				for { // Z's SACKs go nowhere; nothing is polled
					if _, ok := h.z.AppendPacket(h.p.Now, h.buf[:0]); !ok {
						break
					}
				}
			}
			held := heapInUse() - before
			// Each message is one byte: PendData counts them.
			msgs := h.z.Status().PendData
			t.Logf("%s: %d messages held in %d bytes of heap (%d a message)", name,
				msgs, held, held/int64(max(1, msgs)))
			require.Equal(t, association.StateEstablished, h.z.State())
			require.Positive(t, msgs)
			require.Less(t, msgs, total, "the window closed before all were taken")
			require.LessOrEqual(t, held, int64(rbuf)*5/4)
			runtime.KeepAlive(h)
		})
	}
}

// send gives Z each chunk in a packet of its own and takes what Z sends.
func (h *hostileReceiver) send(cs ...*chunk.Data) {
	for _, d := range cs {
		h.b.Reset(h.buf[:0], headerAZ(h.tag), 1<<16)
		require.True(h.t, h.b.Add(d))
		_ = h.z.HandleDatagram(&association.Datagram{Now: h.p.Now, From: h.p.AddrA, Data: h.b.Finish()}) // DATA may be dropped
		h.drain()
	}
}

// A peer that fills the receive buffer with data above a hole of several
// DATA chunks (a hostile or a buggy one, or any peer after a burst loss at
// a full window: the buffer is charged association.ChunkOverhead per
// record that the peer does not count) wedged the association: the first
// chunk of the hole was taken over the buffer, the next ones overran it
// by more than an MTU and were dropped, and nothing held was dropped to
// make room, so the hole never closed while the peer retransmitted
// forever. The data above may be messages waiting for the SSN in the hole,
// or the rest of its message in fragments held apart (each charged
// ChunkOverhead: tiny ones fill the buffer with that charge; found by
// FuzzStates). RFC 9260 Section 6.2: "When the receiver's advertised
// window is 0, the receiver MUST drop any new incoming DATA chunk with a
// TSN larger than the largest TSN received so far. Also, if the new
// incoming DATA chunk holds a TSN value less than the largest TSN
// received so far, then the receiver SHOULD drop the largest TSN held for
// reordering and accept the new incoming DATA chunk." and "If a data
// receiver drops DATA chunks, it MUST NOT include them in Gap Ack Blocks
// in subsequent SACK chunks until they are received again via
// retransmission." Now the receiver keeps room for the TSNs missing
// below the highest it holds, each the cost of a chunk of the average
// size arriving: DATA above them is dropped once the rest of the buffer is
// taken, and a hole of chunks like the others is taken without reneging.
// When the chunks of the hole are larger than those above (tiny
// fragments), the room kept falls short, and the receiver reneges on the
// highest TSNs to take the hole. Either way the data it holds stays within
// the receive buffer and an MTU, its SACKs stop reporting what it
// dropped, and once the peer sends that again every message is delivered,
// once and in order.
// https://www.rfc-editor.org/rfc/rfc9260#section-6.2
func TestHostileRcvbufHoleBelowFullWindow(t *testing.T) {
	const rbuf, size, tiny = 64 << 10, 1200, 16
	for i, tc := range []struct {
		name  string
		above func(ssn chunk.SSN, hole []*chunk.Data) []*chunk.Data
		// renege: the chunks of the hole are larger than those above, for
		// which the receiver keeps room (holeReserve), and it reneges to
		// take them.
		renege bool
	}{
		{"messages", func(ssn chunk.SSN, hole []*chunk.Data) []*chunk.Data {
			// Messages ssn+1, ssn+2, ... until the window is closed and
			// beyond; the message in the hole ends it.
			hole[2].Flags = chunk.FlagEnd
			var out []*chunk.Data
			for k := 1; k <= rbuf/size+8; k++ {
				out = append(out, &chunk.Data{SSN: ssn + chunk.SSN(k),
					Flags: chunk.FlagBeginning | chunk.FlagEnd, UserData: numbered(k, size)})
			}
			return out
		}, false},
		{"tiny-fragments", func(ssn chunk.SSN, hole []*chunk.Data) []*chunk.Data {
			// The rest of the message in the hole, in tiny fragments.
			n := rbuf/(tiny+association.ChunkOverhead) + 8
			data := numbered(0, 3*size+n*tiny)[3*size:]
			var out []*chunk.Data
			for k := range n {
				out = append(out, &chunk.Data{SSN: ssn, UserData: data[k*tiny : (k+1)*tiny]})
			}
			out[n-1].Flags = chunk.FlagEnd
			return out
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHostileReceiver(t, 306+uint64(i), func(c *association.Config) { c.ReceiveBuffer = rbuf })
			mtu := h.z.Config().MTU
			base, ssn := h.next, h.ssn[0]
			var got []association.Message
			h.onMessage = func(m association.Message) {
				require.True(t, m.EndOfRecord, "whole messages")
				require.Equal(t, numbered(int(m.SSN-ssn), len(m.Data)), m.Data)
				got = append(got, m)
			}
			// The hole: the first three fragments of message ssn.
			var hole []*chunk.Data
			for k, f := range []chunk.DataFlags{chunk.FlagBeginning, 0, 0} {
				hole = append(hole, &chunk.Data{SSN: ssn, Flags: f,
					UserData: numbered(0, 3*size)[k*size : (k+1)*size]})
			}
			sent := append(hole, tc.above(ssn, hole)...)
			for k, d := range sent {
				d.TSN = base + chunk.TSN(k)
			}
			h.send(sent[3:]...)
			// Closed for the peer, which counts the hole as outstanding
			// (RFC 9260 Section 6.2.1 rule D ii).
			require.Less(t, h.lastARwnd, uint32(size+3*size), "the window is closed")
			require.Empty(t, got)
			top := highestReported(h.lastSACK)

			h.send(sent[:3]...)
			h.flush()
			require.True(t, h.lastSACK.CumTSNAck.GE(base+2), "the hole is taken")
			if tc.renege {
				require.Positive(t, h.z.Stats().RenegedTSNs)
			} else {
				require.Zero(t, h.z.Stats().RenegedTSNs, "the hole fits the room kept for it")
			}
			requireReneged(t, h.lastSACK, top, h.z.Stats().RenegedTSNs)
			require.LessOrEqual(t, h.z.Status().PendData, rbuf+mtu)

			// The peer sends again what is not acknowledged, until all is.
			last := base + chunk.TSN(len(sent)-1)
			for round := 0; h.lastSACK.CumTSNAck != last; round++ {
				require.Less(t, round, 100, "the transfer does not complete")
				s := h.lastSACK
				for _, d := range sent {
					if d.TSN.LE(s.CumTSNAck) || gapAcked(s, d.TSN) {
						continue
					}
					h.send(d)
					require.LessOrEqual(t, h.z.Status().PendData, rbuf+mtu)
				}
				h.flush()
			}
			messages := 0
			for _, d := range sent {
				if d.Flags.Has(chunk.FlagEnd) {
					messages++
				}
			}
			require.Len(t, got, messages)
			for k, m := range got {
				require.Equal(t, ssn+chunk.SSN(k), m.SSN, "in order, once")
			}
			require.Equal(t, association.StateEstablished, h.z.State())
		})
	}
}

// highestReported returns the highest TSN that s reports received.
func highestReported(s chunk.SACK) chunk.TSN {
	if len(s.GapBlocks) == 0 {
		return s.CumTSNAck
	}
	return s.CumTSNAck + chunk.TSN(s.GapBlocks[len(s.GapBlocks)-1].End)
}

// requireReneged checks s, a SACK sent after the receiver reneged on the
// reneged highest TSNs it held, up to top: "If a data receiver drops DATA
// chunks, it MUST NOT include them in Gap Ack Blocks in subsequent SACK
// chunks until they are received again via retransmission" (RFC 9260
// Section 6.2), and the TSNs below them are still reported.
func requireReneged(t *testing.T, s chunk.SACK, top chunk.TSN, reneged uint64) {
	t.Helper()
	want := top - chunk.TSN(reneged)
	if want.LT(s.CumTSNAck) {
		want = s.CumTSNAck
	}
	require.Equal(t, want, highestReported(s), "the highest TSN reported")
}

// gapAcked reports whether a Gap Ack Block of s reports tsn.
func gapAcked(s chunk.SACK, tsn chunk.TSN) bool {
	for _, g := range s.GapBlocks {
		if o := tsn.Sub(s.CumTSNAck); o >= uint32(g.Start) && o <= uint32(g.End) {
			return true
		}
	}
	return false
}

// Events waiting in Poll are bounded by kind (64 RemoteError events at
// most) and do not count against the receive window: a peer's ERROR chunks
// cannot close the window it is sent data through. With 64 RemoteError
// events and a one-byte message waiting, the window is the buffer less
// that message and its ChunkOverhead. Before, each event was charged
// ChunkOverhead too: 64 ERRORs closed a 16 KiB window.
func TestHostileRcvbufEventsLeaveTheWindow(t *testing.T) {
	const rbuf = 16 << 10
	h := newHostileReceiver(t, 779, func(c *association.Config) { c.ReceiveBuffer = rbuf })
	h.b.Reset(h.buf[:0], headerAZ(h.tag), 1<<16)
	for range 64 {
		require.True(t, h.b.Add(&chunk.OperationError{Causes: []chunk.Cause{&chunk.InvalidStreamIdentifierCause{StreamID: 1}}}))
	}
	require.True(t, h.b.Add(&chunk.Data{TSN: h.next, Flags: chunk.FlagBeginning | chunk.FlagEnd | chunk.FlagImmediate,
		SSN: h.ssn[0], UserData: []byte{1}}))
	h.next++
	h.ssn[0]++
	_ = h.z.HandleDatagram(&association.Datagram{Now: h.p.Now, From: h.p.AddrA, Data: h.b.Finish()})
	var arwnd uint32
	for { // Z's packets only: nothing is polled
		out, ok := h.z.AppendPacket(h.p.Now, h.buf[:0])
		if !ok {
			break
		}
		pkt, err := packet.Parse(out.Data, packet.Options{})
		require.NoError(t, err)
		it := pkt.Chunks()
		for c, ok := it.Next(); ok; c, ok = it.Next() {
			if c.Type == chunk.TypeSACK {
				var s chunk.SACK
				_, err := s.Parse(c.Bytes)
				require.NoError(t, err)
				arwnd = s.ARwnd
			}
		}
	}
	require.Equal(t, 65, h.z.Pending())
	require.Equal(t, advertisedWindow(rbuf-1-association.ChunkOverhead, association.PayloadEstimate(h.z)), arwnd)
}

// The a_rwnd a receiver advertises is what its peer may send, counted in
// user data only (RFC 9260 Section 6.2.1: the sender decrements rwnd by
// "the data size of the just transmitted DATA chunk"), while each chunk
// held also costs the receiver ChunkOverhead of its buffer. A window's
// worth of DATA chunks of the size that has been arriving, in order,
// toward a user who does not read, fits the buffer: none is dropped.
// Before, the window advertised the free bytes, and the last sixth of a
// window of full-size chunks was dropped as "receive window full", for
// the sender to find out on T3-rtx; then the window was computed for
// full-size chunks whatever arrived, and two thirds of a window of
// 100-byte chunks were dropped (each costs 356 bytes of buffer for 100
// of window).
func TestHostileRcvbufFullWindowFitsTheBuffer(t *testing.T) {
	const rbuf = 64 << 10
	for i, name := range []string{"full-size", "100-byte"} {
		t.Run(name, func(t *testing.T) {
			h := newHostileReceiver(t, 347+uint64(i)*1000, func(c *association.Config) { c.ReceiveBuffer = rbuf })
			size := fullSize(h.z.Config().MTU)
			if name == "100-byte" {
				size = 100
			}
			data := make([]byte, size)
			// Messages of that size read at once, until the receiver's
			// average is theirs, for a SACK with the open window.
			for range 64 {
				h.send(&chunk.Data{TSN: h.next, Flags: chunk.FlagBeginning | chunk.FlagEnd | chunk.FlagImmediate,
					SSN: h.ssn[0], UserData: data})
				h.next++
				h.ssn[0]++
			}
			require.Equal(t, size, association.PayloadEstimate(h.z))
			window := int(h.lastARwnd)
			require.Equal(t, advertisedWindow(rbuf, size), h.lastARwnd)
			sent, dropped := 0, 0
			for sent+size <= window {
				h.b.Reset(h.buf[:0], headerAZ(h.tag), 1<<16)
				require.True(t, h.b.Add(&chunk.Data{TSN: h.next, Flags: chunk.FlagBeginning | chunk.FlagEnd,
					SSN: h.ssn[0], UserData: data}))
				if err := h.z.HandleDatagram(&association.Datagram{Now: h.p.Now, From: h.p.AddrA, Data: h.b.Finish()}); err != nil {
					dropped++
				}
				h.next++
				h.ssn[0]++
				sent += size
				for { // Z's SACKs go nowhere; nothing is polled
					if _, ok := h.z.AppendPacket(h.p.Now, h.buf[:0]); !ok {
						break
					}
				}
			}
			require.Positive(t, sent/size)
			require.Zero(t, dropped, "%d of %d chunks of a %d-byte window dropped", dropped, sent/size, window)
			require.Equal(t, sent, h.z.Status().PendData)
		})
	}
}
