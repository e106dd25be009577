package endpoint_test

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// Addresses of the tests: IP and UDP encapsulation port.
var (
	addrC = netip.MustParseAddrPort("10.0.0.1:9899") // client
	addrS = netip.MustParseAddrPort("10.0.0.2:9899") // server
)

// link is the default link of the tests: 10 ms each way, no loss.
var link = sim.LinkConfig{Delay: 10 * time.Millisecond}

// setup is a client endpoint (port 5000) and a listening server endpoint
// (port 7) in a World.
type setup struct {
	w    *endpointtest.World
	c, s *endpoint.Endpoint
	// delivered collects what was polled from c and s.
	dc, ds []endpointtest.Delivered
}

func newSetup(t testing.TB, seed uint64, mod func(c, s *endpoint.Config)) *setup {
	t.Helper()
	w, err := endpointtest.New(seed, link)
	require.NoError(t, err)
	cc, sc := endpointtest.Config(seed, 5000), endpointtest.Config(seed+1, 7)
	if mod != nil {
		mod(&cc, &sc)
	}
	c, err := endpoint.New(cc, w.Now)
	require.NoError(t, err)
	s, err := endpoint.New(sc, w.Now)
	require.NoError(t, err)
	s.Listen(true)
	w.Add(addrC, c)
	w.Add(addrS, s)
	return &setup{w: w, c: c, s: s}
}

// poll drains both endpoints.
func (st *setup) poll() {
	st.dc = append(st.dc, endpointtest.Drain(st.c)...)
	st.ds = append(st.ds, endpointtest.Drain(st.s)...)
}

// connect connects c to s and runs until both report CommUp; it returns
// the client's and the server's IDs.
func (st *setup) connect(t testing.TB) (endpoint.AssocID, endpoint.AssocID) {
	t.Helper()
	id, err := st.c.Connect(st.w.Now, []netip.AddrPort{addrS}, 7, nil)
	require.NoError(t, err)
	var sid endpoint.AssocID
	ok := st.w.RunUntil(time.Minute, func() bool {
		st.poll()
		for _, d := range st.ds {
			if ac, ok := d.Event.(*association.AssocChange); ok && ac.State == association.CommUp {
				sid = d.ID
			}
		}
		return sid != 0 && endpointtest.HasEvent(st.dc, id, association.CommUp)
	})
	require.True(t, ok, "handshake: drops %v", st.w.Drops)
	return id, sid
}

// messages returns the data of the messages in ds for id.
func messages(ds []endpointtest.Delivered, id endpoint.AssocID) []string {
	var out []string
	for _, d := range ds {
		if d.Event == nil && d.ID == id {
			out = append(out, string(d.Message.Data))
		}
	}
	return out
}

// send sends msg on the association id of ep.
func send(t testing.TB, now timer.Time, ep *endpoint.Endpoint, id endpoint.AssocID, msg string) {
	t.Helper()
	a, ok := ep.Assoc(id)
	require.True(t, ok)
	require.NoError(t, a.Send(now, association.SendInfo{Stream: 0, PPID: 42}, []byte(msg)))
}

// build returns an SCTP packet with the given header fields and chunks.
func build(src, dst uint16, tag chunk.VerificationTag, cs ...chunk.Chunk) []byte {
	var b packet.Builder
	b.Reset(nil, packet.Header{SrcPort: src, DstPort: dst, VerificationTag: tag}, 1<<16)
	for _, c := range cs {
		if !b.Add(c) {
			panic(fmt.Sprintf("chunk %v does not fit", c.Type()))
		}
	}
	return b.Finish()
}

// outputs drains the output of n.
func outputs(now timer.Time, n endpointtest.Node) []association.Outgoing {
	var out []association.Outgoing
	for {
		o, ok := n.AppendPacket(now, nil)
		if !ok {
			return out
		}
		out = append(out, o)
		if len(out) > 1000 {
			panic("endless output")
		}
	}
}

// parsed parses a packet that must be valid.
func parsed(t testing.TB, b []byte) (packet.Packet, packet.Raw) {
	t.Helper()
	p, err := packet.Parse(b, packet.Options{})
	require.NoError(t, err)
	it := p.Chunks()
	first, ok := it.Next()
	require.True(t, ok)
	return p, first
}
