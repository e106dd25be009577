//go:build linux

package interop

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/pion/sctp"
)

// pionPRCase is an unreliable data channel as pion configures one
// (Stream.SetReliabilityParams), and the policy we send with to pion.
type pionPRCase struct {
	name      string
	unordered bool
	relType   byte   // sctp.ReliabilityTypeRexmit or ReliabilityTypeTimed
	relValue  uint32 // retransmissions or milliseconds
	ours      api.PrInfo
}

// pionPRCases: WebRTC's maxRetransmits 0 and maxPacketLifeTime, ordered
// and unordered. pion/sctp v1.12.1 measures a message's lifetime from
// its latest transmission, and checks it right after (it sets the
// chunk's since to now before checkPartialReliabilityStatus): a Timed
// value above 0 never abandons anything, 0 abandons a chunk at its first
// transmission as Rexmit 0 does. So pion sends with Timed 0, and we with
// a lifetime of 20 ms.
var pionPRCases = []pionPRCase{
	{name: "rexmit0", relType: sctp.ReliabilityTypeRexmit, ours: api.PrInfo{Policy: api.PrRtx}},
	{name: "rexmit0-unordered", unordered: true, relType: sctp.ReliabilityTypeRexmit, ours: api.PrInfo{Policy: api.PrRtx}},
	{name: "timed", relType: sctp.ReliabilityTypeTimed, ours: api.PrInfo{Policy: api.PrTTL, Value: 20}},
	{name: "timed-unordered", unordered: true, relType: sctp.ReliabilityTypeTimed, ours: api.PrInfo{Policy: api.PrTTL, Value: 20}},
}

const (
	pionPRCount  = 1500
	pionPRLength = 1500 // two DATA chunks each with pion's 1228-byte fragments
)

// checkNumbered checks the messages received, made by pionNumbered: each
// intact and received once, in the order sent when ordered, and returns
// their number.
func checkNumbered(t *testing.T, got [][]byte, ordered bool) int {
	t.Helper()
	seen := make(map[int]bool, len(got))
	last := -1
	for k, m := range got {
		if len(m) < 4 {
			t.Fatalf("message %d: %d bytes", k, len(m))
		}
		i := int(binary.LittleEndian.Uint32(m))
		if i < 0 || i >= pionPRCount || !bytes.Equal(m, pionNumbered(i, pionPRLength)) {
			t.Fatalf("message %d (%d bytes): not one sent intact", k, len(m))
		}
		if seen[i] {
			t.Fatalf("message %d: message %d again", k, i)
		}
		if ordered && i < last {
			t.Fatalf("message %d: message %d after %d on an ordered stream", k, i, last)
		}
		seen[i], last = true, i
	}
	return len(got)
}

// pion sends on an unreliable stream to us while our UDP socket drops 5%
// of the datagrams carrying pion's DATA (seeded): pion abandons what its
// policy gives up and tells us with FORWARD TSN; we deliver each message
// intact and once, in order on an ordered stream, fewer than sent; pion's
// graceful shutdown completes.
func TestPionUnreliableToUs(t *testing.T) {
	needNetns(t)
	for _, c := range pionPRCases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			seed := testSeed(t)
			capOpt, capFile := ourCapture(t)
			n := newNodeOn(t, []api.Option{api.LocalUDPPort(udpPort()), api.Port(pionPort), api.RemoteUDPPort(udpPort()), capOpt})
			n.listen()
			f := newPRFaults(t, n, udpencap.In, 50, seed)
			a := pionClient(ctx, t, n)
			id := n.accepted(ctx)
			s, err := a.OpenStream(1, sctp.PayloadTypeWebRTCBinary)
			if err != nil {
				t.Fatal(err)
			}
			s.SetReliabilityParams(c.unordered, c.relType, c.relValue)
			f.on.Store(true)
			for i := range pionPRCount {
				if _, err := s.WriteSCTP(pionNumbered(i, pionPRLength), sctp.PayloadTypeWebRTCBinary); err != nil {
					t.Fatalf("pion write %d: %v", i, err)
				}
			}
			shut := make(chan error, 1)
			go func() { shut <- a.Shutdown(ctx) }()
			ctrs := f.countersAtShutdown(ctx, t, n, id)
			n.waitState(ctx, id, api.ShutdownComp)
			if err := <-shut; err != nil {
				t.Errorf("pion shutdown: %v", err)
			}
			_ = n.s.Close() // flushes the capture
			checkPRCapture(t, capFile, int(n.addr().Port()), "0", "3", "192")
			var got [][]byte
			for _, m := range n.received() {
				if m.id == id && m.stream == 1 {
					got = append(got, m.data)
				}
			}
			delivered := checkNumbered(t, got, !c.unordered)
			dropped, fwdIn, _ := f.wire()
			t.Logf("counters pion/sctp %s → gensctp (seed %d, %d of pion's DATA datagrams dropped): "+
				"pion sent %d messages, abandoned %d (not delivered), FORWARD-TSNs sent %d (that reached us on the wire); "+
				"gensctp delivered %d, FORWARD-TSNs received %d (PrStatus)",
				c.name, seed, dropped, pionPRCount, pionPRCount-delivered, fwdIn, delivered, ctrs.pr.ForwardTSNsReceived)
			if dropped == 0 || delivered >= pionPRCount {
				t.Errorf("%d datagrams dropped, %d of %d messages delivered: want some dropped and abandoned", dropped, delivered, pionPRCount)
			}
			if ctrs.pr.ForwardTSNsReceived == 0 || ctrs.pr.ForwardTSNsReceived != uint64(fwdIn) {
				t.Errorf("we count %d FORWARD TSNs received, %d reached us: want the same, not 0", ctrs.pr.ForwardTSNsReceived, fwdIn)
			}
		})
	}
}

// pionReadAll accepts pion's streams and reads every message of stream
// sid until the association ends, and returns them.
func pionReadAll(a *sctp.Association, sid uint16) [][]byte {
	var mu sync.Mutex
	var got [][]byte
	var wg sync.WaitGroup
	for {
		s, err := a.AcceptStream()
		if err != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1<<16)
			for {
				k, _, err := s.ReadSCTP(buf)
				if err != nil {
					return
				}
				if s.StreamIdentifier() == sid {
					mu.Lock()
					got = append(got, append([]byte(nil), buf[:k]...))
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return got
}

// We send on a stream with the partial reliability of pion's unreliable
// channels (PrRtx 0, PrTTL 20 ms) to pion while our UDP socket drops 5% of the
// datagrams carrying our DATA (seeded): we abandon messages (PrStatus
// counts them) and send FORWARD TSN, which pion follows: it gets each
// message intact and once, in order on an ordered stream, all those we
// did not abandon and fewer than sent; our graceful shutdown completes.
func TestUsUnreliableToPion(t *testing.T) {
	needNetns(t)
	for _, c := range pionPRCases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			seed := testSeed(t)
			pionUDP := udpPort()
			capOpt, capFile := ourCapture(t)
			n := newNodeOn(t, []api.Option{api.LocalUDPPort(udpPort()), api.Port(pionPort), api.RemoteUDPPort(pionUDP),
				api.SCTPEvents(api.EventSubscribe{SendFailureEvent: api.False}), capOpt})
			f := newPRFaults(t, n, udpencap.Out, 50, seed)
			a, id := pionServer(ctx, t, n, pionUDP)
			read := make(chan [][]byte, 1)
			go func() { read <- pionReadAll(a, 1) }()
			f.on.Store(true)
			info := api.SndRcvInfo{AssocID: id, Stream: 1, PPID: uint32(sctp.PayloadTypeWebRTCBinary), PrInfo: c.ours}
			if c.unordered {
				info.Flags = api.Unordered
			}
			for i := range pionPRCount {
				if err := n.s.SendInfoContext(ctx, info, pionNumbered(i, pionPRLength)); err != nil {
					t.Fatalf("send %d: %v", i, err)
				}
			}
			n.shutdown(id)
			ctrs := f.countersAtShutdown(ctx, t, n, id)
			n.waitState(ctx, id, api.ShutdownComp)
			_ = n.s.Close() // flushes the capture
			var got [][]byte
			select {
			case got = <-read:
			case <-ctx.Done():
				t.Fatalf("pion's streams did not end after our shutdown: %v", ctx.Err())
			}
			checkPRCapture(t, capFile, pionUDP, "0", "3", "192")
			delivered := checkNumbered(t, got, !c.unordered)
			dropped, _, fwdOut := f.wire()
			ab := ctrs.pr.Total()
			t.Logf("counters gensctp %s → pion/sctp (seed %d, %d of our DATA datagrams dropped): "+
				"gensctp sent %d messages, abandoned %d (%d sent, %d unsent; PrStatus), FORWARD-TSNs sent %d (PrStatus; %d on the wire); "+
				"pion received %d messages",
				c.name, seed, dropped, pionPRCount, ab.Sent+ab.Unsent, ab.Sent, ab.Unsent, ctrs.pr.ForwardTSNsSent, fwdOut, delivered)
			if dropped == 0 || ab.Sent == 0 || delivered >= pionPRCount {
				t.Errorf("%d datagrams dropped, %d messages abandoned after they were sent, pion got %d of %d: want some of each, fewer received",
					dropped, ab.Sent, delivered, pionPRCount)
			}
			if uint64(delivered) < pionPRCount-(ab.Sent+ab.Unsent) {
				t.Errorf("pion got %d messages, fewer than the %d we did not abandon", delivered, pionPRCount-(ab.Sent+ab.Unsent))
			}
			if ctrs.pr.ForwardTSNsSent == 0 || ctrs.pr.ForwardTSNsSent != uint64(fwdOut) {
				t.Errorf("we count %d FORWARD TSNs sent, %d went out: want the same, not 0", ctrs.pr.ForwardTSNsSent, fwdOut)
			}
		})
	}
}

// We close a stream on pion, as a WebRTC data channel closes (RFC 8831
// Section 6.7), the other way round from TestPionStreamClose: our
// ResetStreams (an Outgoing SSN Reset Request, RFC 6525 Section 5.1.2)
// makes pion's stream read io.EOF and our user get the outgoing reset
// event; pion's user closes its side in turn, and we get the incoming
// reset event. The stream is then reusable both ways, its SSNs from 0
// again (RFC 6525 Section 5.2.2), and the capture shows the RE-CONFIG
// chunks, well formed.
func TestWeCloseStreamOnPion(t *testing.T) {
	needNetns(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pionUDP := udpPort()
	capOpt, capFile := ourCapture(t)
	n := newNodeOn(t, []api.Option{api.LocalUDPPort(udpPort()), api.Port(pionPort), api.RemoteUDPPort(pionUDP), capOpt,
		api.SCTPEvents(api.EventSubscribe{StreamResetEvent: api.True})})
	a, id := pionServer(ctx, t, n, pionUDP)
	accepted := make(chan *sctp.Stream, 2)
	go func() {
		for {
			s, err := a.AcceptStream()
			if err != nil {
				return
			}
			accepted <- s
		}
	}()
	ppid := uint32(sctp.PayloadTypeWebRTCBinary)
	n.send(ctx, id, 1, ppid, []byte("first"))
	n.send(ctx, id, 1, ppid, []byte("second"))
	s := acceptPion(ctx, t, accepted)
	readPion(t, s, "first")
	readPion(t, s, "second")

	if err := n.s.ResetStreams(id, 1); err != nil {
		t.Fatalf("ResetStreams: %v", err)
	}
	n.wait(ctx, "the outgoing stream reset event", streamReset(n, id, association.StreamResetOutgoing))
	buf := make([]byte, 64)
	_ = s.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := s.Read(buf); !errors.Is(err, io.EOF) {
		t.Fatalf("pion's stream read %v after our reset, want io.EOF", err)
	}
	if err := s.Close(); err != nil { // what pion's data channel does on io.EOF
		t.Fatalf("pion close: %v", err)
	}
	n.wait(ctx, "the incoming stream reset event", streamReset(n, id, association.StreamResetIncoming))

	// Reused: pion accepts stream 1 anew and reads our message, SSN 0;
	// its answer arrives with SSN 0.
	n.send(ctx, id, 1, ppid, []byte("again"))
	s2 := acceptPion(ctx, t, accepted)
	readPion(t, s2, "again")
	if _, err := s2.WriteSCTP([]byte("back"), sctp.PayloadTypeWebRTCBinary); err != nil {
		t.Fatal(err)
	}
	n.wait(ctx, "pion's answer on the reused stream", func() bool {
		return slices.ContainsFunc(n.msgs, func(m nodeMsg) bool { return string(m.data) == "back" })
	})
	for _, m := range n.received() {
		if string(m.data) == "back" && (m.stream != 1 || m.ssn != 0) {
			t.Errorf("pion's answer on stream %d SSN %d, want stream 1 SSN 0", m.stream, m.ssn)
		}
	}
	n.shutdown(id)
	n.waitState(ctx, id, api.ShutdownComp)
	_ = n.s.Close() // flushes the capture
	checkPRCapture(t, capFile, pionUDP, "130")
}

// streamReset returns a condition of n.wait: the stream reset event with
// flags for stream 1 of association id.
func streamReset(n *node, id api.AssocID, flags association.StreamResetFlags) func() bool {
	return func() bool {
		return slices.ContainsFunc(n.events, func(e nodeEvent) bool {
			ev, ok := e.ev.(*api.StreamResetEvent)
			return ok && e.id == id && ev.Flags == flags && slices.Equal(ev.Streams, []uint16{1})
		})
	}
}

// acceptPion returns the next stream pion accepted.
func acceptPion(ctx context.Context, t *testing.T, accepted <-chan *sctp.Stream) *sctp.Stream {
	t.Helper()
	select {
	case s := <-accepted:
		return s
	case <-ctx.Done():
		t.Fatalf("pion accepted no stream: %v", ctx.Err())
	}
	return nil
}

// readPion reads one message from s and compares it with want.
func readPion(t *testing.T, s *sctp.Stream, want string) {
	t.Helper()
	buf := make([]byte, 64)
	_ = s.SetReadDeadline(time.Now().Add(5 * time.Second))
	k, err := s.Read(buf)
	if err != nil || string(buf[:k]) != want {
		t.Fatalf("pion read %q, %v; want %q", buf[:k], err, want)
	}
}
