package association_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/stretchr/testify/require"
)

// slowReader is a transfer of numbered messages on stream 0 from A, which
// keeps its send queue full, to a user of Z that reads perMs messages per
// millisecond of virtual time (p.HoldZ: what Z's user has not read counts
// against its window). The datagram that carries the first DATA chunk
// sent once lossAfter messages were read is lost.
type slowReader struct {
	sizes     func(i int) int // the size of message i
	n         int             // messages to transfer
	perMs     int             // messages read per millisecond
	lossAfter int             // messages read before the loss
}

// slowReaderResult is what a slowReader transfer took: the virtual time
// from the first message sent to the last one read, the longest time the
// reader found nothing to read after its first message, and the discards
// and statistics of the pair at the end.
type slowReaderResult struct {
	total, idle time.Duration
	discards    map[string]int
	z           association.Stats
}

func (s slowReader) String() string {
	return fmt.Sprintf("%d messages read at %d/ms, one datagram lost after %d", s.n, s.perMs, s.lossAfter)
}

// run transfers the messages to a Z with a receive buffer of rbuf bytes
// (fixed: no autotuning), and checks that every message arrives once, in
// order and intact.
func (s slowReader) run(t *testing.T, seed uint64, rbuf int) slowReaderResult {
	t.Helper()
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgZ.ReceiveBuffer, cfgZ.ReceiveBufferMax = rbuf, rbuf
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	p.HoldZ = true
	start, lastRead := p.Now, p.Now
	var r slowReaderResult
	sent, read := 0, 0
	var dropped *int
	for read < s.n {
		require.Less(t, p.Now.Sub(start), 2*time.Minute, "%v: %d read; discards %v; A %+v; Z %+v",
			s, read, p.Discards, p.A.Stats(), p.Z.Stats())
		for sent < s.n && p.A.Buffered() < 64<<10 {
			require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(sent, s.sizes(sent))))
			sent++
		}
		if dropped == nil && read >= s.lossAfter {
			dropped = dropTSN(p, p.AddrA, nextTSN(t, c, p.AddrA), 1)
		}
		for k := 0; k < s.perMs; k++ {
			d, ok := p.Z.Poll()
			for ok && d.Event != nil {
				d, ok = p.Z.Poll()
			}
			if !ok {
				break
			}
			require.Equal(t, numbered(read, s.sizes(read)), d.Message.Data, "message %d", read)
			p.Z.Release(d.Message.Data)
			if read > 0 {
				r.idle = max(r.idle, p.Now.Sub(lastRead))
			}
			read++
			lastRead = p.Now
		}
		p.Run(time.Millisecond)
	}
	require.NotNil(t, dropped)
	require.Equal(t, 1, *dropped, "one datagram lost")
	_, ok := p.Z.Poll()
	require.False(t, ok, "no duplicate")
	r.total, r.discards, r.z = lastRead.Sub(start), p.Discards, p.Z.Stats()
	t.Logf("%v: %v, the reader idle for at most %v; Z discarded %v, reneged on %d TSNs",
		s, r.total, r.idle, r.discards, r.z.RenegedTSNs)
	return r
}

// A sender streaming small messages at full speed to a user that reads
// more slowly than they come, with one datagram lost while the receive
// buffer is full: the transfer goes at the reader's pace. Each 100-byte
// DATA chunk costs the receiver its 100 bytes and ChunkOverhead (256) of
// its buffer, while the sender counts only the 100 bytes against the
// window (RFC 9260 Section 6.2.1 rule B). A window computed for
// full-size chunks let the sender put three times the buffer in flight:
// the buffer filled with chunks held behind a hole, and the chunks that
// repaired it were dropped but for one MTU per retransmission: a stall of
// T3-rtx with back-off (seconds in `sctp perf -l 100`, minutes here). Now
// the receiver advertises what chunks of the size arriving take (RFC 9260
// Section 6.2: a_rwnd reflects "the updated receiver buffer space"), and
// a sender that respects it never overruns the buffer.
// https://www.rfc-editor.org/rfc/rfc9260#section-6.2
func TestScenarioSlowReaderSmallMessages(t *testing.T) {
	const seed, rbuf = 360, 128 << 10
	s := slowReader{sizes: func(int) int { return 100 }, n: 12000, perMs: 6, lossAfter: 3000}
	r := s.run(t, seed, rbuf)
	require.Less(t, r.total, time.Duration(s.n/s.perMs)*time.Millisecond+300*time.Millisecond, "%v", s)
	require.Zero(t, r.discards["receive window full"], "the window fits the buffer")
}

// The same when the messages shrink from 1200 bytes to 100 during the
// transfer: what the window advertised for 1200-byte chunks lets in takes
// three times its bytes in 100-byte chunks, until the receiver's average
// follows.
func TestScenarioSlowReaderMessagesShrink(t *testing.T) {
	const seed, rbuf = 361, 128 << 10
	s := slowReader{sizes: func(i int) int { return map[bool]int{true: 1200, false: 100}[i < 2000] },
		n: 10000, perMs: 3, lossAfter: 1900}
	r := s.run(t, seed, rbuf)
	require.Less(t, r.total, time.Duration(s.n/s.perMs)*time.Millisecond+300*time.Millisecond, "%v", s)
}
