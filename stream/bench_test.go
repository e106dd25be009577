package stream

import (
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// sendLoad keeps a SendQueue with a backlog of messages on 8 streams and
// moves one message through it per step.
type sendLoad struct {
	q    *SendQueue
	msgs []OutMessage
	i    int
}

// newSchedLoad is newSendLoad with scheduler s and interleaving on or
// off, for stepPackets. Every stream has the same priority or weight,
// 3, so that each drains as fast as it fills.
func newSchedLoad(size, backlog int, s Scheduler, interleave bool) *sendLoad {
	l := newSendLoad(size, backlog)
	l.q.SetScheduler(s)
	l.q.SetInterleave(interleave)
	for sid := range chunk.StreamID(8) {
		if err := l.q.SetStreamValue(sid, 3); err != nil {
			panic(err)
		}
	}
	return l
}

func newSendLoad(size, backlog int) *sendLoad {
	l := &sendLoad{q: NewSendQueue(8), msgs: make([]OutMessage, 2*backlog)}
	data := make([]byte, size)
	for i := range l.msgs {
		l.msgs[i] = OutMessage{Stream: chunk.StreamID(i % 8), Data: data}
	}
	for range backlog {
		l.enqueue()
	}
	return l
}

func (l *sendLoad) enqueue() {
	if err := l.q.Enqueue(&l.msgs[l.i]); err != nil {
		panic(err)
	}
	l.i = (l.i + 1) % len(l.msgs)
}

// step enqueues one message and hands out fragments of maxPayload bytes
// until one message has gone out.
func (l *sendLoad) step(maxPayload int) int {
	l.enqueue()
	n := 0
	for {
		f, ok := l.q.Next(maxPayload)
		if !ok {
			panic("empty")
		}
		n += len(f.Data)
		if f.Flags.Has(chunk.FlagEnd) {
			return n
		}
	}
}

// stepPackets is step with a packet a fragment: StartPacket before each
// Next (step is kept as it was, to compare the default path across
// versions).
func (l *sendLoad) stepPackets(maxPayload int) int {
	l.enqueue()
	n := 0
	for end := false; !end; {
		l.q.StartPacket()
		f, ok := l.q.Next(maxPayload)
		if !ok {
			panic("empty")
		}
		n += len(f.Data)
		end = f.Flags.Has(chunk.FlagEnd)
	}
	return n
}

func BenchmarkSendQueue(b *testing.B) {
	for _, bc := range []struct {
		name string
		size int
	}{{"1200B", 1200}, {"64KiB", 64 << 10}} {
		b.Run(bc.name, func(b *testing.B) {
			l := newSendLoad(bc.size, 64)
			b.ReportAllocs()
			b.SetBytes(int64(bc.size))
			for b.Loop() {
				l.step(1200)
			}
		})
	}
}

func BenchmarkSendQueueScheduler(b *testing.B) {
	for s := range numSchedulers {
		for _, interleave := range []bool{false, true} {
			name := s.String()
			if interleave {
				name += "-interleave"
			}
			b.Run(name, func(b *testing.B) {
				l := newSchedLoad(64<<10, 64, s, interleave)
				b.ReportAllocs()
				b.SetBytes(64 << 10)
				for b.Loop() {
					l.stepPackets(1200)
				}
			})
		}
	}
}

// recvLoad feeds Reassembly with messages of one size, fragmented into
// 1200-byte DATA chunks, round robin over 8 streams, ordered unless the
// chunks have the U bit.
type recvLoad struct {
	r      *Reassembly
	chunks []chunk.Data
	tsn    chunk.TSN
	ssn    [8]chunk.SSN
	sid    int
	swap   bool
}

func newRecvLoad(size int, swap, unordered bool) *recvLoad {
	l := &recvLoad{r: NewReassembly(8), tsn: 0xfffffff0, swap: swap}
	data := make([]byte, size)
	for off := 0; off < size; off += 1200 {
		end := min(off+1200, size)
		var f chunk.DataFlags
		if off == 0 {
			f |= chunk.FlagBeginning
		}
		if end == size {
			f |= chunk.FlagEnd
		}
		if unordered {
			f |= chunk.FlagUnordered
		}
		l.chunks = append(l.chunks, chunk.Data{Flags: f, UserData: data[off:end]})
	}
	return l
}

// step adds one message, pops and releases it, and returns its length.
func (l *recvLoad) step() int {
	sid := chunk.StreamID(l.sid)
	l.sid = (l.sid + 1) % 8
	for i := range l.chunks {
		j := i
		if l.swap { // fragments arrive in swapped pairs
			j = i ^ 1
			if j >= len(l.chunks) {
				j = i
			}
		}
		c := &l.chunks[j]
		c.StreamID, c.SSN = sid, l.ssn[sid]
		if err := l.r.Add(l.tsn+chunk.TSN(j), c); err != nil {
			panic(err)
		}
	}
	l.tsn += chunk.TSN(len(l.chunks))
	l.ssn[sid]++
	m, ok := l.r.Pop()
	if !ok || !m.EndOfMessage {
		panic("not delivered")
	}
	l.r.Release(m.Data)
	return len(m.Data)
}

func BenchmarkReassembly(b *testing.B) {
	for _, bc := range []struct {
		name string
		size int
		swap bool
	}{{"1200B", 1200, false}, {"64KiB", 64 << 10, false}, {"64KiB-reordered", 64 << 10, true}} {
		b.Run(bc.name, func(b *testing.B) {
			l := newRecvLoad(bc.size, bc.swap, false)
			b.ReportAllocs()
			b.SetBytes(int64(bc.size))
			for b.Loop() {
				l.step()
			}
		})
	}
}

// Enqueue and Next allocate nothing once the queues have grown.
func TestSendQueueAllocs(t *testing.T) {
	for _, size := range []int{1200, 64 << 10} {
		l := newSendLoad(size, 64)
		for range 1000 {
			l.step(1200)
		}
		require.Zero(t, testing.AllocsPerRun(1000, func() { l.step(1200) }), "size %d", size)
	}
	for s := range numSchedulers {
		for _, interleave := range []bool{false, true} {
			l := newSchedLoad(5000, 64, s, interleave)
			for range 1000 {
				l.stepPackets(1200)
			}
			require.Zero(t, testing.AllocsPerRun(1000, func() { l.stepPackets(1200) }), "%v interleave %v", s, interleave)
		}
	}
}

// Add, Pop and Release allocate nothing in steady state, whole or
// fragmented, in order or not, ordered or not, though each stream's state
// is freed between its messages.
func TestReassemblyAllocs(t *testing.T) {
	for _, tc := range []struct {
		size      int
		swap      bool
		unordered bool
	}{{1200, false, false}, {64 << 10, false, false}, {64 << 10, true, false}, {5000, true, false},
		{5000, true, true}} {
		l := newRecvLoad(tc.size, tc.swap, tc.unordered)
		for range 1000 {
			l.step()
		}
		require.Zero(t, testing.AllocsPerRun(1000, func() { l.step() }), "%+v", tc)
		require.Zero(t, l.r.BusyStreams(), "%+v", tc)
	}
}
