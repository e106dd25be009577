package endpoint_test

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// crowd is n minimal peers (port 5000) of one listening one-to-many
// endpoint (port 7): a peer is an address of its own (crowdAddr) and the
// verification tag the server chose, and its packets are written by hand.
// So the heap holds the server and 4 bytes per peer, and the time spent is
// the server's and the packet codec's: what it measures is the server.
type crowd struct {
	s   *endpoint.Endpoint
	now timer.Time
	// tags[i] is the server's tag for peer i (0: not connected), what
	// peer i's packets carry.
	tags []chunk.VerificationTag
	ids  map[endpoint.AssocID]bool // associations up and not yet gone

	b        packet.Builder
	pkt, out []byte // the packet built, the server's output
	cookie   []byte
	// The chunks the peers send, reused.
	init    chunk.Init
	echo    chunk.CookieEcho
	hbAck   chunk.HeartbeatAck
	shutAck chunk.ShutdownAck
	abort   chunk.Abort
}

// crowdMax is the number of peers crowdAddr can address.
const crowdMax = 1 << 24

// crowdAddr returns the address of peer i: 10.i>>16.i>>8.i:9899.
func crowdAddr(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 9899)
}

// crowdIndex is the inverse of crowdAddr.
func crowdIndex(a netip.AddrPort) int {
	b := a.Addr().As4()
	return int(b[1])<<16 | int(b[2])<<8 | int(b[3])
}

// crowdTag is the tag of peer i's own end: what the server's packets to
// it carry.
func crowdTag(i int) chunk.VerificationTag { return chunk.VerificationTag(i + 1) }

// newCrowd returns a listening one-to-many server (no INIT rate limit: the
// peers are many sources at one instant) and room for n peers.
func newCrowd(tb testing.TB, n int, mod func(*endpoint.Config)) *crowd {
	tb.Helper()
	require.LessOrEqual(tb, n, crowdMax)
	cfg := endpointtest.Config(1, 7)
	cfg.InitRate = -1
	if mod != nil {
		mod(&cfg)
	}
	s, err := endpoint.New(cfg, 0)
	require.NoError(tb, err)
	s.Listen(true)
	return &crowd{s: s, tags: make([]chunk.VerificationTag, n), ids: make(map[endpoint.AssocID]bool, n),
		pkt: make([]byte, 0, 1<<16), out: make([]byte, 0, 1<<16), cookie: make([]byte, 0, 1<<10)}
}

// send hands the server a packet from peer i with the given tag and chunk.
func (c *crowd) send(tb testing.TB, i int, tag chunk.VerificationTag, ch chunk.Chunk) {
	c.b.Reset(c.pkt, packet.Header{SrcPort: 5000, DstPort: 7, VerificationTag: tag}, 1<<16)
	c.b.Add(ch)
	c.pkt = c.b.Finish()
	if err := c.s.HandleDatagram(&association.Datagram{Now: c.now, From: crowdAddr(i), Data: c.pkt}); err != nil {
		tb.Fatalf("peer %d, %v: %v", i, ch.Type(), err)
	}
}

// connect sets up the associations of peers lo to hi-1: INIT, INIT ACK,
// COOKIE ECHO, COOKIE ACK, and the CommUp events polled. At most
// endpoint.MaxPendingReplies INIT ACKs wait at once: call it with fewer
// peers.
func (c *crowd) connect(tb testing.TB, lo, hi int) {
	c.init = chunk.Init{ARwnd: 1 << 20, OutboundStreams: 10, InboundStreams: 10, InitialTSN: 1}
	for i := lo; i < hi; i++ {
		c.init.InitiateTag = crowdTag(i)
		c.send(tb, i, 0, &c.init)
	}
	c.answer(tb)
	c.poll(tb, association.CommUp)
}

// hello sends peer i's INIT and returns the Initiate Tag and the State
// Cookie of the server's INIT ACK, without answering it.
func (c *crowd) hello(tb testing.TB, i int) (chunk.VerificationTag, []byte) {
	tb.Helper()
	c.send(tb, i, 0, &chunk.Init{InitiateTag: crowdTag(i), ARwnd: 1 << 20, OutboundStreams: 10,
		InboundStreams: 10, InitialTSN: 1})
	o, ok := c.s.AppendPacket(c.now, c.out)
	require.True(tb, ok)
	require.Equal(tb, crowdAddr(i), o.To)
	_, first := parsed(tb, o.Data)
	require.Equal(tb, chunk.TypeInitAck, first.Type)
	v := first.Value()
	return chunk.VerificationTag(binary.BigEndian.Uint32(v)), append([]byte(nil), stateCookie(v[16:])...)
}

// closeAll closes every association: the even peers send an ABORT, then
// the server shuts the others down (Endpoint.Close) and they answer its
// SHUTDOWN with a SHUTDOWN ACK; the endpoint answers with SHUTDOWN
// COMPLETE and forgets them once their last event is polled.
func (c *crowd) closeAll(tb testing.TB) {
	for i, tag := range c.tags {
		if tag != 0 && i%2 == 0 {
			c.send(tb, i, tag, &c.abort)
			c.tags[i] = 0
		}
	}
	c.s.Close(c.now)
	c.answer(tb)
	c.poll(tb, association.CommLost, association.ShutdownComp)
}

// answer drains the server's output and answers it as the peers would:
// a COOKIE ECHO to an INIT ACK, a HEARTBEAT ACK to a HEARTBEAT, a SHUTDOWN
// ACK to a SHUTDOWN. It returns the number of HEARTBEAT chunks answered.
func (c *crowd) answer(tb testing.TB) (heartbeats int) {
	for {
		o, ok := c.s.AppendPacket(c.now, c.out)
		if !ok {
			return heartbeats
		}
		i := crowdIndex(o.To)
		p, err := packet.Parse(o.Data, packet.Options{})
		if err != nil || p.VerificationTag != crowdTag(i) {
			tb.Fatalf("peer %d got %v with tag %v", i, err, p.VerificationTag)
		}
		it := p.Chunks()
		first, _ := it.Next()
		switch first.Type {
		case chunk.TypeInitAck:
			v := first.Value()
			c.tags[i] = chunk.VerificationTag(binary.BigEndian.Uint32(v))
			c.cookie = append(c.cookie[:0], stateCookie(v[16:])...)
			c.echo.Cookie = c.cookie
			c.send(tb, i, c.tags[i], &c.echo)
		case chunk.TypeHeartbeat:
			var hb chunk.Heartbeat
			_, err := hb.Parse(first.Bytes)
			require.NoError(tb, err)
			c.cookie = append(c.cookie[:0], hb.Info...)
			c.hbAck.Info = c.cookie
			c.send(tb, i, c.tags[i], &c.hbAck)
			heartbeats++
		case chunk.TypeShutdown:
			c.send(tb, i, c.tags[i], &c.shutAck)
			c.tags[i] = 0
		case chunk.TypeCookieAck, chunk.TypeShutdownComplete:
		default:
			tb.Fatalf("peer %d got %v", i, first.Type)
		}
	}
}

// stateCookie returns the value of the State Cookie parameter among the
// parameters params of an INIT ACK (RFC 9260 Section 3.3.3.1), or nil.
func stateCookie(params []byte) []byte {
	for len(params) >= 4 {
		typ, n := binary.BigEndian.Uint16(params), int(binary.BigEndian.Uint16(params[2:]))
		if n < 4 || n > len(params) {
			return nil
		}
		if chunk.ParamType(typ) == chunk.ParamStateCookie {
			return params[4:n]
		}
		params = params[min(len(params), (n+3)&^3):]
	}
	return nil
}

// poll drains the server's deliveries, which must be AssocChange events
// with one of the states given: those of a new association record its ID,
// the others forget it.
func (c *crowd) poll(tb testing.TB, states ...association.AssocChangeState) {
	for {
		id, d, ok := c.s.Poll()
		if !ok {
			return
		}
		ac, ok := d.Event.(*association.AssocChange)
		if !ok || !slices.Contains(states, ac.State) {
			tb.Fatalf("association %d: unexpected delivery %v", id, fmt.Sprint(d.Event))
		}
		if ac.State == association.CommUp {
			c.ids[id] = true
		} else {
			delete(c.ids, id)
		}
	}
}
