package association_test

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// usrsctpWindow makes the SACKs Z sends advertise what a usrsctp receiver
// advertises: its free receive buffer, each chunk it holds charged 256
// bytes on top of its data, without scaling the window down for the size
// of the chunks arriving (Z's advertised). Z's a_rwnd for chunks of avg
// bytes of user data is free*avg/(avg+256); the rewritten one is free.
// Z still drops what does not fit its buffer, as usrsctp does.
func usrsctpWindow(p *associationtest.Pair, avg int) {
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if d.From != p.AddrZ {
			return sim.Pass
		}
		b := d.Data
		for off := packet.HeaderLen; off+4 <= len(b); {
			n := int(binary.BigEndian.Uint16(b[off+2:]))
			if n < 4 || off+n > len(b) {
				break
			}
			if chunk.Type(b[off]) == chunk.TypeSACK && n >= 16 {
				w := uint64(binary.BigEndian.Uint32(b[off+8:]))
				binary.BigEndian.PutUint32(b[off+8:], uint32(w*uint64(avg+256)/uint64(avg)))
			}
			off += (n + 3) &^ 3
		}
		packet.SetChecksum(b)
		return sim.Pass
	})
}

// TestScenarioSmallMessagesToUsrsctpReceiver sends 100-byte messages to a
// receiver that advertises its buffer the way usrsctp does (usrsctpWindow):
// a window that 100-byte chunks, each charged 256 bytes of the buffer,
// fill at 28 % of what it says. Charging each chunk outstanding
// PeerChunkOverhead, as usrsctp's own sender does, keeps A within what Z
// holds: no DATA chunk is dropped, none is sent again, no T3-rtx expires,
// and the transfer runs at the pace of the window. Subtracting only the
// user data (RFC 9260 Section 6.2.1 rule B) overran Z: it dropped the
// chunks beyond its buffer, advertised a zero window over a hole, and A
// waited for T3-rtx (one second) to fill it, again and again: the 9 MB/s
// of gensctp sending to usrsctp's tsctp on loopback (issue 18).
func TestScenarioSmallMessagesToUsrsctpReceiver(t *testing.T) {
	const size, total = 100, 20000
	elapsed, sa, sz := smallMessagesTo(t, true, size, total)
	t.Logf("%d messages in %v: T3 expirations %d, retransmissions %d, dropped by Z %d",
		total, elapsed, sa.T3Expirations, sa.Retransmissions, sz.DroppedDataChunks)
	require.True(t, sa.PeerChargesChunks, "A saw that Z charges its buffer per chunk")
	require.Zero(t, sz.DroppedDataChunks, "Z dropped DATA chunks beyond its buffer")
	require.Zero(t, sa.Retransmissions)
	require.Zero(t, sa.T3Expirations)
	require.Less(t, elapsed, time.Second, "the transfer stalled")
}

// A gensctp receiver advertises what chunks of the size arriving take:
// its window never shrinks by more than the data it acknowledges, and the
// sender does not charge it per chunk (the whole window stays usable).
func TestScenarioSmallMessagesNoChargeToGensctp(t *testing.T) {
	elapsed, sa, sz := smallMessagesTo(t, false, 100, 20000)
	t.Logf("20000 messages in %v", elapsed)
	require.False(t, sa.PeerChargesChunks)
	require.Zero(t, sz.DroppedDataChunks)
	require.Zero(t, sa.T3Expirations)
}

// smallMessagesTo sends total messages of size bytes from A to Z (a
// usrsctp-like receiver when usrsctp) with a 128 KiB receive buffer and
// a reader that takes 25 messages every 100 µs (25 MB/s, usrsctp's pace
// on loopback: slower than A can send, so that the window matters), on a
// link of 100 µs, and returns how long it took and both sides' counters.
func smallMessagesTo(t *testing.T, usrsctp bool, size, total int) (time.Duration, association.Stats, association.Stats) {
	t.Helper()
	const seed = 181
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgZ.ReceiveBuffer = 128 << 10 // tsctp's a_rwnd on Debian
	link := sim.LinkConfig{Delay: 100 * time.Microsecond}
	logSeedOnFailure(t, seed)
	p, err := associationtest.NewPair(seed, cfgA, cfgZ, link)
	require.NoError(t, err)
	require.NoError(t, p.Handshake())
	if usrsctp {
		usrsctpWindow(p, size)
	}
	p.HoldZ = true
	const tick, perTick = 100 * time.Microsecond, 25
	got, sent := 0, 0
	msg := make([]byte, size)
	start := p.Now
	next := p.Now.Add(tick)
	limit := p.Now.Add(time.Minute)
	for got < total {
		require.True(t, p.Now.Before(limit), "delivered %d of %d", got, total)
		for sent < total && p.A.Buffered() < 64<<10 {
			require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, msg))
			sent++
		}
		p.Exchange()
		if e := p.NextEvent(); e.Before(next) {
			p.Advance(e)
			continue
		}
		p.Now = next
		next = next.Add(tick)
		for range perTick {
			d, ok := p.Z.Poll()
			if !ok {
				break
			}
			if d.Event == nil {
				got++
				p.Z.Release(d.Message.Data)
			}
		}
		p.A.HandleTimeout(p.Now)
		p.Z.HandleTimeout(p.Now)
	}
	return p.Now.Sub(start), p.A.Stats(), p.Z.Stats()
}
