package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// Z is in the middle of a message larger than A's receive buffer when
// A's SSN/TSN Reset Request arrives: Z answers "In progress" until the
// message is through (RFC 6525 Section 5.2.7 H2). The answer says the
// reset is not performed: A releases what it held and holds nothing
// until its request goes again, so that its window does not close on the
// message (it did: the message never ended).
func TestReconfigHoldInProgressReleases(t *testing.T) {
	eachDataKind(t, func(t *testing.T, tweak func(a, z *association.Config)) {
		p, _, _ := twoWayPair(t, 1815, func(a, z *association.Config) {
			if tweak != nil {
				tweak(a, z)
			}
			a.ReceiveBuffer, a.ReceiveBufferMax = 16<<10, 16<<10
		})
		big := make([]byte, 200<<10)
		require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, big))
		p.Run(20 * time.Millisecond) // Z is mid-message
		require.NoError(t, p.A.ResetAssoc(p.Now))
		got := func() int {
			n := 0
			for _, m := range messagesOf(p.DeliveredA) {
				if m.Stream == 1 {
					n += len(m.Data)
				}
			}
			return n
		}
		ok := p.RunUntil(2*time.Minute, func() bool { return len(assocResets(p.DeliveredA)) == 1 && got() == len(big) })
		t.Logf("A state %v, delivered %d of %d, resets %d", p.A.State(), got(), len(big), len(assocResets(p.DeliveredA)))
		require.True(t, ok, "the message and the reset complete")
	})
}

// The peer performs A's SSN/TSN Reset Request, its answer is lost, it
// sends messages of the new sequence (SSN 0 on stream 0, which
// delivered "back" at SSN 0 before), and then Z, or A, shuts down. The
// shutdown waits for the answer, which tells the sequence of the chunks
// held. Before, with Z shutting down, A processed them in the old
// sequence (a protocol violation); with A shutting down, its SHUTDOWN
// went at once, Z's SHUTDOWN ACK closed the association and the chunks
// held were lost (FuzzStates input ccba37fbaae0133a).
func TestReconfigHoldShutdownWaitsForAnswer(t *testing.T) {
	for _, side := range []string{"Z", "A"} {
		t.Run(side+" shuts down", func(t *testing.T) {
			eachDataKind(t, func(t *testing.T, tweak func(a, z *association.Config)) {
				p, _, _ := twoWayPair(t, 1815, tweak)
				before := answerLostThenData(t, p)
				p.Run(50 * time.Millisecond)
				closer := p.Z
				if side == "A" {
					closer = p.A
				}
				require.NoError(t, closer.Shutdown(p.Now))
				p.Run(time.Minute)
				evs := p.DeliveredA[before:]
				logDeliveries(t, evs)
				require.Len(t, messagesOf(evs), 3, "the three messages of the new sequence")
				require.NotNil(t, evs[0].Event, "the reset event before them")
				require.Len(t, assocResets(evs), 1)
				require.Equal(t, []association.AssocChangeState{association.CommUp, association.ShutdownComp},
					assocStates(p.DeliveredA), "a graceful close")
			})
		})
	}
}

// Z performs A's SSN/TSN Reset Request, its answer is lost, Z sends
// messages of the new sequence and then its own SSN/TSN Reset Request.
// A (lower tag) does not yield to it while chunks are held: the answer
// to its retransmitted request tells their sequence (they were processed
// in the old one: a protocol violation).
func TestReconfigHoldNoYield(t *testing.T) {
	for seed := uint64(1815); seed < 1830; seed++ {
		p, _, _ := twoWayPair(t, seed, nil)
		tagA, _ := p.A.Tags()
		tagZ, _ := p.Z.Tags()
		if tagA >= tagZ {
			continue
		}
		t.Logf("seed %d", seed)
		before := answerLostThenData(t, p)
		p.Run(100 * time.Millisecond)
		require.NoError(t, p.Z.ResetAssoc(p.Now))
		p.Run(time.Minute)
		evs := p.DeliveredA[before:]
		t.Logf("A %v, Z %v, messages %d, resets %d", p.A.State(), p.Z.State(), len(messagesOf(evs)), len(assocResets(evs)))
		logDeliveries(t, evs)
		require.Equal(t, association.StateEstablished, p.A.State())
		require.Len(t, messagesOf(evs), 3)
		return
	}
	t.Skip("no seed with A's tag lower")
}

// While A's SSN/TSN Reset Request is in flight (Z answers it "In
// progress": Z has DATA outstanding), Z resets its outgoing stream 1
// after sending SSNs 2 and 3 on it. The chunks A holds up to Z's Sender's
// Last Assigned TSN are processed before that reset (they met a stream
// that expected SSN 0 again).
func TestReconfigHoldPeerStreamResetWaits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tweak func(a, z *association.Config)
	}{{"PR-SCTP", nil}, {"no PR-SCTP", func(a, z *association.Config) {
		a.PartialReliabilityDisabled, z.PartialReliabilityDisabled = true, true
	}}} {
		t.Run(tc.name, func(t *testing.T) {
			p, _, _ := twoWayPair(t, 1815, tc.tweak)
			for i := 0; i < 2; i++ {
				require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte{byte(i)}))
			}
			p.Run(time.Second)
			before := len(p.DeliveredA)
			require.Len(t, messagesOf(p.DeliveredA[before-2:]), 2)
			for i := 2; i < 4; i++ {
				require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte{byte(i)}))
			}
			require.NoError(t, p.A.ResetAssoc(p.Now))
			require.NoError(t, p.Z.ResetStreams(p.Now, []chunk.StreamID{1}))
			p.Run(time.Minute)
			require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte{4}))
			p.Run(time.Minute)
			evs := p.DeliveredA[before:]
			logDeliveries(t, evs)
			require.Equal(t, association.StateEstablished, p.A.State())
			require.Len(t, messagesOf(evs), 3, "SSNs 2 and 3 of stream 1, then 0 after its reset")
			require.NotNil(t, evs[2].Event, "the stream's reset after its messages")
		})
	}
}

// answerLostThenData has A send an SSN/TSN Reset Request whose first
// answer from Z is lost, then Z send three messages of the new sequence,
// on streams 0, 3 and 0 (stream 0 delivered "back" before, twoWayPair);
// it returns how many deliveries A had before them.
func answerLostThenData(t *testing.T, p *associationtest.Pair) int {
	t.Helper()
	dropped := false
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if ct, ok := sim.FirstChunkType(d.Data); ok && ct == chunk.TypeReConfig && d.From == p.AddrZ && !dropped {
			dropped = true
			return sim.Drop
		}
		return sim.Pass
	})
	require.NoError(t, p.A.ResetAssoc(p.Now))
	require.True(t, p.RunUntil(time.Second, func() bool { return dropped }))
	before := len(p.DeliveredA)
	for i, sid := range []chunk.StreamID{0, 3, 0} {
		require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: sid}, []byte{byte(i)}))
	}
	return before
}

// logDeliveries logs the events and messages of ds, for a failure.
func logDeliveries(t *testing.T, ds []association.Delivery) {
	t.Helper()
	for _, d := range ds {
		if d.Event != nil {
			t.Logf("event %T %+v", d.Event, d.Event)
		} else {
			t.Logf("message stream %d ssn %d mid %d data %v", d.Message.Stream, d.Message.SSN, d.Message.MID, d.Message.Data)
		}
	}
}

// stripChunks removes the chunks of type t from the SCTP packet b and
// reports whether any chunk is left.
func stripChunks(d *sim.Datagram, t chunk.Type) bool {
	b := d.Data
	out := append([]byte(nil), b[:12]...)
	for off := 12; off+4 <= len(b); {
		n := int(b[off+2])<<8 | int(b[off+3])
		if n < 4 {
			return true
		}
		end := min(off+(n+3)&^3, len(b))
		if chunk.Type(b[off]) != t {
			out = append(out, b[off:end]...)
		}
		off = end
	}
	packet.SetChecksum(out)
	d.Data = out
	return len(out) > 12
}

// hasChunkType reports whether the SCTP packet b carries a chunk of type t.
func hasChunkType(b []byte, t chunk.Type) bool {
	for off := 12; off+4 <= len(b); {
		if chunk.Type(b[off]) == t {
			return true
		}
		n := int(b[off+2])<<8 | int(b[off+3])
		if n < 4 {
			return false
		}
		off += (n + 3) &^ 3
	}
	return false
}

// Z shuts down while A's SSN/TSN Reset Request waits for A's DATA to be
// acknowledged. Z, in SHUTDOWN-SENT, discards RE-CONFIG (as Linux does).
// A, in SHUTDOWN-RECEIVED, holds nothing of Z's: its SHUTDOWN ACK does
// not wait for the answer that never comes (the graceful close became an
// abort minutes later).
func TestReconfigShutdownReceivedPeerDiscardsReconfig(t *testing.T) {
	p, _, _ := twoWayPair(t, 1815, nil)
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if d.From != p.AddrZ && p.Z.State() == association.StateShutdownSent && hasChunkType(d.Data, chunk.TypeReConfig) {
			if !stripChunks(d, chunk.TypeReConfig) {
				return sim.Drop
			}
		}
		return sim.Pass
	})
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("x")))
	p.Run(time.Millisecond) // the DATA is on its way, outstanding: the request waits for its SACK
	require.NoError(t, p.A.ResetAssoc(p.Now))
	require.NoError(t, p.Z.Shutdown(p.Now))
	start := p.Now
	p.RunUntil(20*time.Minute, func() bool { return p.A.State() == association.StateClosed })
	t.Logf("A closed after %v: %v", p.Now.Sub(start), assocStates(p.DeliveredA))
	require.Equal(t, []association.AssocChangeState{association.CommUp, association.ShutdownComp},
		assocStates(p.DeliveredA), "a graceful close")
	require.Less(t, p.Now.Sub(start), 10*time.Second)
}

// inProgressAnswers rewrites the Result of every Re-configuration
// Response Parameter in the datagram to "In progress" (6), as a peer
// whose send queue is never empty answers an SSN/TSN Reset Request.
func inProgressAnswers(d *sim.Datagram) {
	b := d.Data
	changed := false
	for off := 12; off+4 <= len(b); {
		n := int(b[off+2])<<8 | int(b[off+3])
		if n < 4 {
			return
		}
		if chunk.Type(b[off]) == chunk.TypeReConfig {
			for po := off + 4; po+12 <= off+n; {
				pt := int(b[po])<<8 | int(b[po+1])
				pl := int(b[po+2])<<8 | int(b[po+3])
				if pl < 4 {
					break
				}
				if pt == 16 {
					b[po+8], b[po+9], b[po+10], b[po+11] = 0, 0, 0, 6
					changed = true
				}
				po += (pl + 3) &^ 3
			}
		}
		off += (n + 3) &^ 3
	}
	if changed {
		packet.SetChecksum(b)
	}
}

// A shuts down with its SSN/TSN Reset Request in flight, nothing of A's
// outstanding or queued; the peer answers "In progress" each time. The
// SHUTDOWN waits for no answer "In progress" (A stayed in
// SHUTDOWN-PENDING for ever: "In progress" counts no error of the
// Re-configuration Timer, RFC 6525 Section 5.2.7 H2, and T5 starts only
// with the SHUTDOWN).
func TestReconfigShutdownPendingInProgress(t *testing.T) {
	p, _, _ := twoWayPair(t, 1815, nil)
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if d.From == p.AddrZ {
			inProgressAnswers(d)
		}
		return sim.Pass
	})
	require.NoError(t, p.A.ResetAssoc(p.Now))
	p.Run(time.Millisecond)
	require.NoError(t, p.A.Shutdown(p.Now))
	start := p.Now
	p.RunUntil(time.Hour, func() bool { return p.A.State() == association.StateClosed })
	t.Logf("after %v: A %v, Z %v, %v", p.Now.Sub(start), p.A.State(), p.Z.State(), assocStates(p.DeliveredA))
	require.Equal(t, []association.AssocChangeState{association.CommUp, association.ShutdownComp},
		assocStates(p.DeliveredA), "a graceful close")
}

// Z performs A's SSN/TSN Reset Request, its answer is lost, Z sends a
// message and shuts down, and in SHUTDOWN-SENT discards RE-CONFIG (as
// Linux does): A's SHUTDOWN ACK waits for the answer to one
// retransmission of its request, then A processes what it held in the
// sequence in place and the association closes gracefully.
func TestReconfigHoldShutdownPeerDiscardsReconfig(t *testing.T) {
	p, _, _ := twoWayPair(t, 1815, nil)
	dropped := false
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		switch {
		case d.From == p.AddrZ && !dropped && hasChunkType(d.Data, chunk.TypeReConfig):
			dropped = true
			return sim.Drop
		case d.From != p.AddrZ && p.Z.State() == association.StateShutdownSent && hasChunkType(d.Data, chunk.TypeReConfig):
			if !stripChunks(d, chunk.TypeReConfig) {
				return sim.Drop
			}
		}
		return sim.Pass
	})
	require.NoError(t, p.A.ResetAssoc(p.Now))
	require.True(t, p.RunUntil(time.Second, func() bool { return dropped }))
	before := len(p.DeliveredA)
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 3}, []byte("new")))
	p.Run(time.Millisecond)
	require.NoError(t, p.Z.Shutdown(p.Now))
	require.True(t, p.RunUntil(time.Minute, func() bool { return p.A.State() == association.StateClosed }))
	evs := p.DeliveredA[before:]
	logDeliveries(t, evs)
	require.Len(t, messagesOf(evs), 1)
	require.Equal(t, []association.AssocChangeState{association.CommUp, association.ShutdownComp},
		assocStates(p.DeliveredA), "a graceful close")
}

// eachDataKind runs f as a subtest with DATA, and with I-DATA (user
// message interleaving, RFC 8260) negotiated.
func eachDataKind(t *testing.T, f func(t *testing.T, tweak func(a, z *association.Config))) {
	t.Helper()
	for _, tc := range []struct {
		name  string
		tweak func(a, z *association.Config)
	}{{"DATA", nil}, {"I-DATA", interleave}} {
		t.Run(tc.name, func(t *testing.T) { f(t, tc.tweak) })
	}
}
