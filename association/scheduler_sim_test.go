package association_test

import (
	"cmp"
	"fmt"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/stream"
	"github.com/stretchr/testify/require"
)

// shareStreams are the streams of the share scenarios and the size of
// their messages: small messages that share packets, messages of a
// packet, and messages of three fragments.
var shareStreams = [...]struct {
	id   chunk.StreamID
	size int
}{{0, 100}, {1, 1000}, {2, 4000}}

const (
	// shareQueued is what each stream queues, shareWindow what is
	// measured: the first bytes Z receives, while every stream still has
	// data queued.
	shareQueued = 600 << 10
	shareWindow = 400 << 10
)

// shareResult is what shareRun measured, per stream: the bytes among the
// first shareWindow bytes delivered to Z, among the first shareWindow
// bytes of user data A sent (new, not retransmitted), and until Z had
// its share the DATA or I-DATA chunks A sent and its
// packets of new data with chunks of that stream only; and A's packets
// of new data with chunks of several streams. A packet with a
// retransmission counts in neither: the retransmissions go first,
// whatever their streams, and new data fills the rest (RFC 9260 Section
// 6.1 rule C), which the scheduler does not decide. The shares of
// bandwidth are measured on what A sent: what Z delivers of an ordered
// stream waits, after a loss, for the retransmission (head-of-line
// blocking), longer for a stream of larger messages.
type shareResult struct {
	bytes, sent, chunks, packets [len(shareStreams)]int
	mixed                        int
	tsns                         map[chunk.TSN]bool // sent so far
}

// shareRun queues shareQueued bytes on each shareStreams stream of A,
// message by message in turn, with scheduler sched and the per-stream
// values, sends them to Z (with I-DATA if idata) over a 20 Mbit/s link
// with 10 ms of delay and 1 % loss, and measures the shares.
func shareRun(t *testing.T, seed uint64, sched stream.Scheduler, values []association.StreamValue, idata bool) shareResult {
	t.Helper()
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgA.Interleaving, cfgZ.Interleaving = idata, idata
	cfgA.SendBuffer = 4 * shareQueued
	cfgZ.ReceiveBuffer = 4 * shareQueued
	cfgA.Scheduler, cfgA.StreamValues = sched, values
	link := sim.LinkConfig{Delay: 10 * time.Millisecond, Bandwidth: 20e6, Loss: 0.01}
	logSeedOnFailure(t, seed)
	p, err := associationtest.NewPair(seed, cfgA, cfgZ, link)
	require.NoError(t, err)
	c := capturePackets(p)
	require.NoError(t, p.Handshake())
	var queued [len(shareStreams)]int
	for more := true; more; {
		more = false
		for i, s := range shareStreams {
			if queued[i] < shareQueued {
				require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: s.id}, make([]byte, s.size)))
				queued[i] += s.size
				more = true
			}
		}
	}
	r := shareResult{tsns: map[chunk.TSN]bool{}}
	total := 0
	p.OnDeliver = func(toZ bool, d association.Delivery) {
		if toZ && d.Event == nil && total < shareWindow {
			r.bytes[d.Message.Stream] += len(d.Message.Data)
			total += len(d.Message.Data)
		}
	}
	require.True(t, p.RunUntil(time.Minute, func() bool { return total >= shareWindow }), "seed %d", seed)
	for _, s := range c.pkts {
		if s.from == p.AddrsA[0] {
			r.count(t, s)
		}
	}
	return r
}

// count adds the DATA and I-DATA chunks of s.
func (r *shareResult) count(t *testing.T, s sentPacket) {
	streams := map[chunk.StreamID]bool{}
	rtx := false
	it := s.pkt.Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		var d chunk.Data
		var id chunk.IData
		var sid chunk.StreamID
		var tsn chunk.TSN
		var n int
		switch c.Type {
		case chunk.TypeData:
			_, err := d.Parse(c.Bytes)
			require.NoError(t, err)
			sid, tsn, n = d.StreamID, d.TSN, len(d.UserData)
		case chunk.TypeIData:
			_, err := id.Parse(c.Bytes)
			require.NoError(t, err)
			sid, tsn, n = id.StreamID, id.TSN, len(id.UserData)
		default:
			continue
		}
		streams[sid] = true
		r.chunks[sid]++
		if !r.tsns[tsn] && r.sent[0]+r.sent[1]+r.sent[2] < shareWindow {
			r.sent[sid] += n
		}
		rtx = rtx || r.tsns[tsn]
		r.tsns[tsn] = true
	}
	switch {
	case rtx || len(streams) == 0:
	case len(streams) == 1:
		for sid := range streams {
			r.packets[sid]++
		}
	default:
		r.mixed++
	}
}

// The share of the bytes sent that each stream gets under each scheduler
// (RFC 8260 Section 3), measured at the receiver over the first
// shareWindow bytes (sent by A for the schedulers that share bandwidth:
// see shareResult), with every stream backlogged: messages of 100, 1000
// and 4000 bytes on streams 0, 1 and 2, queued in turn (so first come,
// first served is round robin here). Round robin shares by messages
// (100:1000:4000); round robin per packet by packets (about 12 messages
// of 100 bytes, one of 1000, or one message of 4000 bytes over three
// packets, a turn); priority serves only the highest priority; fair
// bandwidth shares equally; weighted fair queueing by weights. With
// I-DATA, the schedulers but first come, first served pick a stream for
// each chunk: round robin then gives every stream the same number of
// I-DATA chunks ("a fair scheduling based on the number of I-DATA
// chunks", RFC 8260 Section 3.2), and round robin per packet the same
// number of packets. Each run is deterministic: a second run of the seed
// measures the same.
func TestSchedulerShares(t *testing.T) {
	vals := func(v0, v1, v2 uint16) []association.StreamValue {
		return []association.StreamValue{{Stream: 0, Value: v0}, {Stream: 1, Value: v1}, {Stream: 2, Value: v2}}
	}
	for i, tc := range []struct {
		sched  stream.Scheduler
		values []association.StreamValue
		idata  bool
		unit   string     // what is shared: bytes delivered (""), sent, chunks or packets
		want   [3]float64 // relative shares
	}{
		{stream.FirstComeFirstServed, nil, false, "", [3]float64{100, 1000, 4000}},
		{stream.RoundRobin, nil, false, "", [3]float64{100, 1000, 4000}},
		{stream.RoundRobinPacket, nil, false, "", [3]float64{1200, 1000, 4000}},
		{stream.Priority, vals(2, 0, 1), false, "", [3]float64{0, 1, 0}},
		{stream.Priority, vals(1, 1, 0), false, "", [3]float64{0, 0, 1}},
		{stream.FairBandwidth, nil, false, "sent", [3]float64{1, 1, 1}},
		{stream.WeightedFairQueueing, nil, false, "sent", [3]float64{1, 1, 1}},
		{stream.WeightedFairQueueing, vals(1, 2, 4), false, "sent", [3]float64{1, 2, 4}},
		{stream.WeightedFairQueueing, vals(6, 1, 1), false, "sent", [3]float64{6, 1, 1}},
		{stream.FirstComeFirstServed, nil, true, "", [3]float64{100, 1000, 4000}},
		{stream.RoundRobin, nil, true, "chunks", [3]float64{1, 1, 1}},
		{stream.RoundRobinPacket, nil, true, "packets", [3]float64{1, 1, 1}},
		{stream.Priority, vals(2, 0, 1), true, "", [3]float64{0, 1, 0}},
		{stream.FairBandwidth, nil, true, "sent", [3]float64{1, 1, 1}},
		{stream.WeightedFairQueueing, vals(1, 2, 4), true, "sent", [3]float64{1, 2, 4}},
	} {
		name := fmt.Sprintf("%v%v", tc.sched, tc.values)
		if tc.idata {
			name += "-I-DATA"
		}
		t.Run(name, func(t *testing.T) {
			seed := uint64(900 + i)
			r := shareRun(t, seed, tc.sched, tc.values, tc.idata)
			again := shareRun(t, seed, tc.sched, tc.values, tc.idata)
			r.tsns, again.tsns = nil, nil
			require.Equal(t, r, again, "seed %d: deterministic", seed)
			got := r.bytes
			switch tc.unit {
			case "sent":
				got = r.sent
			case "chunks":
				got = r.chunks
			case "packets":
				got = r.packets
			}
			sum := tc.want[0] + tc.want[1] + tc.want[2]
			line := ""
			for s, w := range tc.want {
				share := float64(got[s]) / float64(got[0]+got[1]+got[2])
				line += fmt.Sprintf(" stream %d %.1f%% (want %.1f%%)", s, 100*share, 100*w/sum)
				require.InDelta(t, w/sum, share, 0.03, "seed %d stream %d: %v", seed, s, got)
			}
			t.Logf("%s: %s%s; bytes sent %v, delivered %v", name, cmp.Or(tc.unit, "bytes"), line, r.sent, r.bytes)
			if tc.sched == stream.RoundRobinPacket {
				// RFC 8260 Section 3.3: "It bundles only DATA or I-DATA
				// chunks referring to the same stream in a packet."
				require.Zero(t, r.mixed, "seed %d: packets with DATA of several streams", seed)
			} else if tc.sched != stream.Priority {
				require.NotZero(t, r.mixed, "seed %d: the other schedulers bundle streams", seed)
			}
		})
	}
}
