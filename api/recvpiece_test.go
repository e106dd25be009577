package api

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
	"github.com/pion/transport/v3/vnet"
	"github.com/stretchr/testify/require"
)

// recvBuf receives one delivery into b within the test's bounds.
func recvBuf(t *testing.T, s *Socket, b []byte) Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := s.RecvBuffer(ctx, b)
	require.NoError(t, err)
	return d
}

// randomBytes returns n bytes drawn from r.
func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// msgID tells apart the messages whose parts RecvBuffer interleaves.
type msgID struct {
	assoc  AssocID
	stream uint16
}

// assembler puts together the parts RecvBuffer returns, per association
// and stream, and keeps the messages completed.
type assembler struct {
	open  map[msgID][]byte
	whole map[msgID][][]byte
	parts int // parts with Partial set
}

func newAssembler() *assembler {
	return &assembler{open: map[msgID][]byte{}, whole: map[msgID][][]byte{}}
}

// add takes one delivery of RecvBuffer (messages only).
func (a *assembler) add(t *testing.T, d Delivery) {
	t.Helper()
	require.Equal(t, KindData, d.Kind)
	require.True(t, d.HasInfo)
	id := msgID{d.Info.AssocID, d.Info.Stream}
	a.open[id] = append(a.open[id], d.Data...)
	if d.Partial {
		a.parts++
		return
	}
	a.whole[id] = append(a.whole[id], a.open[id])
	delete(a.open, id)
}

// count returns the number of messages completed.
func (a *assembler) count() int {
	n := 0
	for _, ms := range a.whole {
		n += len(ms)
	}
	return n
}

// A message that fits is received into the caller's buffer (Data aliases
// it, no part flagged); a larger one over several calls, every part but
// the last Partial, the next call continuing the same message even when
// another one waits behind it.
func TestRecvBufferIntoCallersBuffer(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv, SCTPNodelay(true))
	ac := connect(t, cli, srv)
	recvEvent[*AssocChange](t, srv)
	r := rand.New(rand.NewPCG(3, 4))
	small, large, after := randomBytes(r, 1200), randomBytes(r, 5000), randomBytes(r, 10)
	for i, m := range [][]byte{small, large, after} {
		require.NoError(t, cli.SendInfo(SndRcvInfo{AssocID: ac.AssocID, Stream: uint16(i), PPID: 7}, m))
	}
	b := make([]byte, 2048)
	d := recvBuf(t, srv, b)
	require.Equal(t, small, d.Data)
	require.Same(t, &b[0], &d.Data[0], "received into the caller's buffer")
	require.False(t, d.Partial)
	require.Equal(t, uint32(7), d.Info.PPID)

	var got []byte
	parts := 0
	for {
		d := recvBuf(t, srv, b[:1000])
		require.Equal(t, uint16(1), d.Info.Stream, "the next call continues the message")
		got = append(got, d.Data...)
		parts++
		if !d.Partial {
			break
		}
		require.Len(t, d.Data, 1000)
	}
	require.Equal(t, large, got)
	require.Equal(t, 5, parts)
	require.Equal(t, after, recvBuf(t, srv, b).Data)

	_, err := srv.RecvBuffer(testCtx(t), nil)
	require.ErrorIs(t, err, ErrEmptyBuffer)
	st, err := srv.Stats()
	require.NoError(t, err)
	require.Equal(t, uint64(3), st.RecvCnt, "one count per message, however many parts")
}

// A message past the partial delivery point comes piece by piece as the
// association delivers it, copied once into the caller's buffer: nothing
// is gathered, and MaxMessageSize, a bound of gathering, does not apply.
func TestRecvBufferPartialDelivery(t *testing.T) {
	noLeak(t)
	srv := server(t, Recbuf(8192), MaxMessageSize(10000)) // partial delivery point 4096
	cli := clientOf(t, srv, SCTPNodelay(true))
	ac := connect(t, cli, srv)
	id := recvEvent[*AssocChange](t, srv).AssocID
	r := rand.New(rand.NewPCG(5, 6))
	msg := randomBytes(r, 200000)
	go func() { _ = cli.Send(ac.AssocID, 0, msg) }() // blocks while the window is full
	b := make([]byte, 64<<10)
	a := newAssembler()
	for a.count() == 0 {
		a.add(t, recvBuf(t, srv, b))
		require.Zero(t, gathered(t, srv, id), "no piece gathered")
	}
	require.Equal(t, msg, a.whole[msgID{id, 0}][0])
	require.Greater(t, a.parts, 1, "delivered in pieces")
	_, err := srv.PeerNames(id)
	require.NoError(t, err, "the association is still up")

	// Recv still delivers it whole.
	require.NoError(t, cli.Send(ac.AssocID, 0, msg[:9000]))
	require.Equal(t, msg[:9000], recvData(t, srv).Data)
}

// On a one-to-many socket, the pieces of messages of several associations
// and streams, ordered and unordered, come interleaved (as at fragment
// interleave level 2): each piece says whose it is, and every message
// comes out whole once put together.
func TestRecvBufferInterleaved(t *testing.T) {
	noLeak(t)
	srv := server(t, Recbuf(16384)) // partial delivery point 8192
	r := rand.New(rand.NewPCG(7, 8))
	type sent struct {
		cli  *Socket
		info SndRcvInfo
		data []byte
	}
	var msgs []sent
	peers := map[uint16]AssocID{} // client SCTP port: association at srv
	for range 2 {
		cli := clientOf(t, srv, SCTPNodelay(true))
		ac := connect(t, cli, srv)
		srvAC := recvEvent[*AssocChange](t, srv)
		peers[cli.Port()] = srvAC.AssocID
		for stream := range uint16(2) {
			info := SndRcvInfo{AssocID: ac.AssocID, Stream: stream}
			if stream == 1 {
				info.Flags = Unordered
			}
			msgs = append(msgs, sent{cli, info, randomBytes(r, 60000+int(stream)*7000)})
		}
	}
	errc := make(chan error, len(msgs))
	for _, m := range msgs {
		go func() { errc <- m.cli.SendInfo(m.info, m.data) }()
	}
	a := newAssembler()
	b := make([]byte, 3000)
	for a.count() < len(msgs) {
		d := recvBuf(t, srv, b)
		if d.Kind == KindData {
			a.add(t, d)
		}
	}
	for range msgs {
		require.NoError(t, <-errc)
	}
	for _, m := range msgs {
		id := msgID{peers[m.cli.Port()], m.info.Stream}
		require.Len(t, a.whole[id], 1)
		require.Equal(t, m.data, a.whole[id][0], "%+v", id)
	}
	require.Greater(t, a.parts, len(msgs))
}

// A message RecvBuffer began returning goes on in pieces when Recv takes
// the rest: Recv cannot return it whole any more.
func TestRecvBufferThenRecv(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv, SCTPNodelay(true))
	ac := connect(t, cli, srv)
	recvEvent[*AssocChange](t, srv)
	msg := bytes.Repeat([]byte("0123456789"), 300)
	require.NoError(t, cli.Send(ac.AssocID, 0, msg))
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("next")))
	d := recvBuf(t, srv, make([]byte, 1000))
	require.True(t, d.Partial)
	require.Equal(t, msg[:1000], d.Data)
	d = recv(t, srv)
	require.False(t, d.Partial, "the end of the message")
	require.Equal(t, msg[1000:], d.Data)
	d = recv(t, srv)
	require.False(t, d.Partial)
	require.Equal(t, "next", string(d.Data))
}

// Events come between the pieces of a message (here: another
// association's comm_up while the first one's message stalls halfway),
// and a partial delivery that cannot complete (its peer aborts) ends with
// an error-class PdapiEvent: RecvBuffer returns the pieces it got, then
// the error; the socket goes on with the other association.
func TestRecvBufferEventsBetweenPieces(t *testing.T) {
	noLeak(t)
	n := newVNet(t)
	stalled := stallData(n, 3)       // the UDP port of the peer whose message stalls
	srv := n.server(t, Recbuf(4096)) // partial delivery point 2048
	cli1 := n.client(t, srv, Linger(true, 0))
	stalled.Store(uint32(cli1.UDPPort()))
	ac1 := n.connect(t, cli1, srv)
	id1 := recvEvent[*AssocChange](t, srv).AssocID
	require.NoError(t, cli1.Send(ac1.AssocID, 0, make([]byte, 20000)))

	b := make([]byte, 1<<16)
	got := 0
	for got < 2048 { // the partial delivery started
		d := recvBuf(t, srv, b)
		require.Equal(t, KindData, d.Kind)
		require.True(t, d.Partial)
		got += len(d.Data)
	}
	cli2 := n.client(t, srv)
	ac2 := n.connect(t, cli2, srv)
	d := recvBuf(t, srv, b)
	for d.Kind == KindData { // the rest of what got through
		require.True(t, d.Partial)
		d = recvBuf(t, srv, b)
	}
	require.Equal(t, CommUp, d.Event.(*AssocChange).State, "an event between the pieces")
	id2 := d.Event.(*AssocChange).AssocID

	require.NoError(t, cli1.Close()) // aborts: the message never completes
	var pd *PdapiEvent
	for pd == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		d, err := srv.RecvBuffer(ctx, b)
		cancel()
		var ee *EventError
		if errors.As(err, &ee) {
			pd, _ = ee.Event.(*PdapiEvent)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, KindData, d.Kind, "only pieces of the stalled message before the error")
		require.True(t, d.Partial)
	}
	require.Equal(t, id1, pd.AssocID)
	require.Equal(t, CommLost, recvEvent[*AssocChange](t, srv).State)
	require.NoError(t, srv.do(func(timer.Time) error {
		require.Empty(t, srv.pieced, "no message of the lost association left in pieces")
		return nil
	}))

	require.NoError(t, cli2.Send(ac2.AssocID, 0, []byte("still here")))
	d = recvBuf(t, srv, b)
	require.Equal(t, "still here", string(d.Data))
	require.Equal(t, id2, d.Info.AssocID)
	require.False(t, d.Partial)
}

// dropDataAt makes n's router drop, once, the DATA chunk that first
// carries byte at of what the UDP port *port sends (user data bytes
// counted in TSN order from its first DATA chunk), with the packet it is
// in: a hole in one message that others sent after it overtake.
func dropDataAt(n *testNet, at int) (port *atomic.Uint32) {
	port = new(atomic.Uint32)
	var mu sync.Mutex
	var sum int
	var next uint32 // the TSN after the highest seen
	dropped := false
	n.router.AddChunkFilter(func(c vnet.Chunk) bool {
		src, err := netip.ParseAddrPort(c.SourceAddr().String())
		if err != nil || uint32(src.Port()) != port.Load() {
			return true
		}
		mu.Lock()
		defer mu.Unlock()
		pkt := c.UserData()
		keep := true
		for off := 12; off+4 <= len(pkt); {
			l := int(binary.BigEndian.Uint16(pkt[off+2:]))
			if l < 4 || off+l > len(pkt) {
				break
			}
			if pkt[off] == 0 && l >= 16 {
				if tsn := binary.BigEndian.Uint32(pkt[off+4:]); next == 0 || tsn == next {
					if !dropped && sum <= at && at < sum+l-16 {
						dropped, keep = true, false
					}
					sum += l - 16
					next = tsn + 1
				}
			}
			off += (l + 3) &^ 3
		}
		return keep
	})
	return port
}

// A message whose middle is lost is overtaken by a message of another
// stream sent after it: RecvBuffer returns the first piece of the
// stalled message, then the other one, then the rest (fragment
// interleave level 2).
func TestRecvBufferStreamsInterleave(t *testing.T) {
	noLeak(t)
	n := newVNet(t)
	port := dropDataAt(n, 10500)
	srv := n.server(t, Recbuf(16384)) // partial delivery point 8192
	cli := n.client(t, srv, SCTPNodelay(true))
	port.Store(uint32(cli.UDPPort()))
	ac := n.connect(t, cli, srv)
	up := recvEvent[*AssocChange](t, srv) // the server's id of the association
	r := rand.New(rand.NewPCG(11, 12))
	first, second := randomBytes(r, 12000), randomBytes(r, 2000)
	require.NoError(t, cli.Send(ac.AssocID, 0, first))
	require.NoError(t, cli.SendInfo(SndRcvInfo{AssocID: ac.AssocID, Stream: 1, Flags: Unordered}, second))
	b := make([]byte, 1<<16)
	var streams []uint16
	a := newAssembler()
	for a.count() < 2 {
		d := recvBuf(t, srv, b)
		streams = append(streams, d.Info.Stream)
		a.add(t, d)
	}
	i := slices.Index(streams, 1)
	require.Positive(t, i, "a piece of the first message before the second")
	require.Contains(t, streams[i+1:], uint16(0), "the rest of the first after the second")
	require.Equal(t, first, a.whole[msgID{up.AssocID, 0}][0])
	require.Equal(t, second, a.whole[msgID{up.AssocID, 1}][0])
}

// Conn.Read copies straight from the association's buffers: a message
// delivered in pieces is read piece by piece, and a message of another
// stream that overtakes it (its middle was lost) is held back until it
// ends, so that the bytes of two messages never mix.
func TestConnReadPiecesNotMixed(t *testing.T) {
	noLeak(t)
	n := newVNet(t)
	port := dropDataAt(n, 10500)
	l, err := Listen("sctp", netip.AddrPortFrom(n.hostB, 0).String(), LocalUDPPort(0), Network(n.netB),
		Recbuf(16384)) // partial delivery point 8192
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	accepted := make(chan *Conn, 1)
	go func() {
		c, _ := l.AcceptSCTP(testCtx(t))
		accepted <- c
	}()
	a := l.Addr().(*Addr)
	c1, err := Dial(testCtx(t), "sctp", a.String(), IP(n.hostA), Network(n.netA), RemoteUDPPort(a.UDPPort),
		SCTPNodelay(true))
	require.NoError(t, err)
	c2 := <-accepted
	require.NotNil(t, c2)
	t.Cleanup(func() { abort(c1, c2) })
	port.Store(uint32(c1.Socket().UDPPort()))

	r := rand.New(rand.NewPCG(9, 10))
	first, second := randomBytes(r, 12000), randomBytes(r, 2000)
	require.NoError(t, c1.Socket().Send(0, 0, first))
	require.NoError(t, c1.Socket().Send(0, 1, second))
	var all []byte
	b := make([]byte, 1500)
	for len(all) < len(first)+len(second) {
		n, err := c2.Read(b)
		require.NoError(t, err)
		all = append(all, b[:n]...)
	}
	require.Equal(t, append(first, second...), all, "the first message, then the second")
}

// The buffer of a message handed back in a SendFailed event that the
// socket does not deliver (send_failure events off) goes back to the
// endpoint's pool, as acknowledged messages' do.
func TestSendFailedUnwantedBufferReused(t *testing.T) {
	noLeak(t)
	slow := server(t, Recbuf(1500)) // never read: its window closes at once
	cli := clientOf(t, slow, SCTPEvents(EventSubscribe{SendFailureEvent: False}))
	ac1 := connect(t, cli, slow)
	// Another association on the same shard of the client's stack keeps
	// the endpoint of that shard busy: its pool is not drained. (Each
	// shard has an endpoint and a pool of its own.)
	shard := func(id AssocID) int { return endpoint.ShardOfAssoc(id, cli.stk.Shards()) }
	for i := 0; ; i++ {
		require.Less(t, i, 64, "no association on the shard of the first")
		other := server(t, LocalUDPPort(slow.UDPPort())) // another SCTP port there
		if shard(connect(t, cli, other).AssocID) == shard(ac1.AssocID) {
			break
		}
	}
	// The first message fills slow's window and is acknowledged; its
	// buffer goes back to the pool and the next Send takes it again: the
	// messages after it hold n-1 buffers (waiting for the acknowledgement
	// first makes that so whatever the timing).
	const n = 20
	require.NoError(t, cli.Send(ac1.AssocID, 0, make([]byte, 1200)))
	require.Eventually(t, func() bool {
		acked := false
		_ = cli.do(func(timer.Time) error {
			a, ok := cli.share.ep.Assoc(ac1.AssocID)
			acked = ok && a.Outstanding() == 0 && a.Buffered() == 0
			return nil
		})
		return acked
	}, 10*time.Second, time.Millisecond, "the first message is acknowledged")
	for range n - 1 {
		require.NoError(t, cli.Send(ac1.AssocID, 0, make([]byte, 1200)))
	}
	// The peer's window may still take another message or two (their
	// buffers go back at once and are taken again): count the messages
	// the association holds when it is aborted, sent or not.
	var free, held int
	require.NoError(t, cli.do(func(timer.Time) error {
		a, ok := cli.share.ep.Assoc(ac1.AssocID)
		require.True(t, ok)
		held = a.Status().UnackData + a.Buffered()/1200
		free = cli.share.ep.Buffers(ac1.AssocID).Retained()
		a.Abort(cli.stk.Now(), nil)
		return nil
	}))
	require.Greater(t, held, n/2, "the messages wait for the peer's window")
	require.Equal(t, CommLost, recvEvent[*AssocChange](t, cli).State)
	require.NoError(t, cli.do(func(timer.Time) error {
		require.Equal(t, free+held*2048, cli.share.ep.Buffers(ac1.AssocID).Retained(), "every message's buffer is back")
		return nil
	}))
}
