package sim

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// sctpPacket returns a minimal SCTP packet whose first chunk has type t:
// a 12-byte common header (RFC 9260 Section 3.1) and a 4-byte chunk
// header. The checksum is not filled in; the network does not care.
func sctpPacket(t chunk.Type, id byte) []byte {
	b := make([]byte, 16)
	b[0], b[1], b[2], b[3] = 0x26, 0xab, 0x26, 0xab // ports 9899
	b[11] = id
	b[12] = byte(t)
	b[15] = 4 // chunk length
	return b
}

func TestFilterDropsCookieEcho(t *testing.T) {
	// The example of the package doc, written out by hand: drop every
	// packet whose first chunk (the byte at offset 12, after the common
	// header of RFC 9260 Section 3) is a COOKIE ECHO (type 10).
	n := New(1)
	remove := n.AddFilter(func(d *Datagram) Verdict {
		if len(d.Data) > 12 && d.Data[12] == 10 {
			return Drop
		}
		return Pass
	})
	n.Send(0, addrA, addrB, sctpPacket(chunk.TypeInit, 1))
	n.Send(0, addrA, addrB, sctpPacket(chunk.TypeCookieEcho, 2))
	n.Send(0, addrA, addrB, sctpPacket(chunk.TypeData, 3))
	got := drainAll(t, n)
	require.Len(t, got, 2)
	require.Equal(t, byte(1), got[0].Data[11])
	require.Equal(t, byte(3), got[1].Data[11])
	require.Equal(t, uint64(1), n.Stats().DroppedFilter)
	require.Equal(t, uint64(1), n.LinkStats(addrA, addrB).DroppedFilter)

	remove()
	remove() // idempotent
	n.Send(0, addrA, addrB, sctpPacket(chunk.TypeCookieEcho, 4))
	require.Len(t, drainAll(t, n), 1)
	requireBalanced(t, n.Stats())
}

func TestDropFirstChunk(t *testing.T) {
	n := New(1)
	n.AddFilter(DropFirstChunk(chunk.TypeCookieEcho, 1)) // "drop the next COOKIE ECHO"
	for i := range 3 {
		n.Send(0, addrA, addrB, sctpPacket(chunk.TypeCookieEcho, byte(i)))
	}
	n.Send(0, addrA, addrB, []byte{1, 2, 3}) // too short for a chunk: passes
	got := drainAll(t, n)
	require.Len(t, got, 3)
	require.Equal(t, byte(1), got[0].Data[11])

	all := New(1)
	all.AddFilter(DropFirstChunk(chunk.TypeSACK, 0))
	for range 5 {
		all.Send(0, addrA, addrB, sctpPacket(chunk.TypeSACK, 0))
	}
	all.Send(0, addrA, addrB, sctpPacket(chunk.TypeData, 0))
	require.Len(t, drainAll(t, all), 1)

	ct, ok := FirstChunkType(sctpPacket(chunk.TypeHeartbeat, 0))
	require.True(t, ok)
	require.Equal(t, chunk.TypeHeartbeat, ct)
	_, ok = FirstChunkType(make([]byte, 15))
	require.False(t, ok)
}

func TestFilterOrderAndRemoveFromInside(t *testing.T) {
	n := New(1)
	var calls []string
	var removeFirst func()
	removeFirst = n.AddFilter(func(d *Datagram) Verdict {
		calls = append(calls, "first")
		removeFirst() // a one-shot filter
		return Pass
	})
	n.AddFilter(func(d *Datagram) Verdict {
		calls = append(calls, "second")
		return Drop
	})
	n.AddFilter(func(d *Datagram) Verdict {
		calls = append(calls, "third") // never reached: the chain stops at Drop
		return Pass
	})
	n.Send(0, addrA, addrB, []byte{1})
	n.Send(0, addrA, addrB, []byte{2})
	require.Equal(t, []string{"first", "second", "second"}, calls)
	require.Len(t, n.filters, 2)
}

func TestFilterDelayLeavesFIFO(t *testing.T) {
	n := New(1)
	require.NoError(t, n.SetLink(addrA, addrB, LinkConfig{Delay: time.Millisecond}))
	n.AddFilter(func(d *Datagram) Verdict {
		if idOf(*d) == 0 {
			return Delay(10 * time.Millisecond)
		}
		return Delay(0) // Pass
	})
	n.AddFilter(func(d *Datagram) Verdict {
		if idOf(*d) == 0 {
			return Delay(5 * time.Millisecond) // delays add up
		}
		return Pass
	})
	n.Send(0, addrA, addrB, payload(0, 8))
	n.Send(0, addrA, addrB, payload(1, 8))
	got := drainAll(t, n)
	require.Equal(t, uint64(1), idOf(got[0]), "a held datagram is overtaken")
	require.Equal(t, timer.Time(time.Millisecond), got[0].At)
	require.Equal(t, timer.Time(16*time.Millisecond), got[1].At)
	require.Equal(t, uint64(1), n.Stats().Delayed)
	require.Equal(t, "pass", Delay(-1).String())
	require.Equal(t, "drop", Drop.String())
	require.Equal(t, "delay(5ms)", Delay(5*time.Millisecond).String())
}

func TestFilterRewritesAddress(t *testing.T) {
	// A filter that rewrites the source simulates a NAT rebinding; the
	// datagram then travels on the rewritten link.
	n := New(1)
	require.NoError(t, n.SetLink(addrC, addrB, LinkConfig{Delay: 3 * time.Millisecond}))
	n.AddFilter(func(d *Datagram) Verdict {
		d.From = addrC
		d.Data[0] = 0xee
		return Pass
	})
	n.Send(0, addrA, addrB, []byte{1, 2})
	got := drainAll(t, n)
	require.Len(t, got, 1)
	require.Equal(t, addrC, got[0].From)
	require.Equal(t, []byte{0xee, 2}, got[0].Data)
	require.Equal(t, timer.Time(3*time.Millisecond), got[0].At)
	require.Equal(t, uint64(1), n.LinkStats(addrC, addrB).Delivered)
	require.Equal(t, Stats{}, n.LinkStats(addrA, addrB))
}
