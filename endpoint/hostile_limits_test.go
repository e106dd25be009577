package endpoint_test

import (
	"bytes"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// flooder is a hostile peer at one address (one IP, one UDP port): from
// start to until it sends an INIT every interval, each from a new SCTP
// source port (each a new association), to SCTP port 7; with echo it
// answers every INIT ACK with a COOKIE ECHO, so that every INIT the server
// answers becomes an association (the 20,541 associations from
// one IP in 3.4 s).
type flooder struct {
	addr      netip.AddrPort
	to        netip.AddrPort
	interval  time.Duration
	next      timer.Time
	until     timer.Time
	echo      bool
	port      uint16
	out       [][]byte
	sentInits int
	initAcks  int
	aborts    []chunk.Abort
}

func (f *flooder) HandleDatagram(d *association.Datagram) error {
	p, err := packet.Parse(d.Data, packet.Options{})
	if err != nil {
		return err
	}
	it := p.Chunks()
	first, _ := it.Next()
	switch first.Type {
	case chunk.TypeInitAck:
		f.initAcks++
		if !f.echo {
			return nil
		}
		var ack chunk.InitAck
		if _, err := ack.Parse(first.Bytes); err != nil {
			return err
		}
		ce := &chunk.CookieEcho{Cookie: append([]byte(nil), ack.StateCookie().Cookie...)}
		f.out = append(f.out, build(p.DstPort, p.SrcPort, ack.InitiateTag, ce))
	case chunk.TypeAbort:
		c, _, err := chunk.Parse(first.Bytes)
		if err != nil {
			return err
		}
		f.aborts = append(f.aborts, *c.(*chunk.Abort))
	}
	return nil
}

func (f *flooder) AppendPacket(_ timer.Time, buf []byte) (association.Outgoing, bool) {
	if len(f.out) == 0 {
		return association.Outgoing{}, false
	}
	b := f.out[0]
	f.out = f.out[1:]
	return association.Outgoing{To: f.to, Data: append(buf[:0], b...)}, true
}

func (f *flooder) NextDeadline() timer.Time {
	if f.next < f.until {
		return f.next
	}
	return timer.Never
}

func (f *flooder) HandleTimeout(now timer.Time) {
	for ; f.next <= now && f.next < f.until; f.next = f.next.Add(f.interval) {
		f.port++
		if f.port == 0 || f.port == 7 {
			f.port = 8
		}
		f.out = append(f.out, build(f.port, 7, 0, initChunk(chunk.VerificationTag(f.port))))
		f.sentInits++
	}
}

// liveHeap returns the bytes of live heap objects after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// connectDuring connects the client of st while the World runs, and
// returns whether it came up within a minute of virtual time.
func connectDuring(t *testing.T, st *setup) bool {
	t.Helper()
	id, err := st.c.Connect(st.w.Now, []netip.AddrPort{addrS}, 7, nil)
	require.NoError(t, err)
	return st.w.RunUntil(time.Minute, func() bool {
		st.poll()
		return endpointtest.HasEvent(st.dc, id, association.CommUp)
	})
}

// An INIT flood from one IP address that completes every handshake it
// gets (RFC 9260 Section 12.2.4.1 flooding, Section 12.2.4.3: "Policy
// limits are expected to be placed on the number of associations per
// adjoining SCTP node"): 1,000 INITs per second for 10 s from new SCTP
// ports. Bound: the source's INITs are answered at most DefaultInitBurst
// plus DefaultInitRate per second (1,536 associations, instead of one per
// INIT), every other INIT costs no reply; the associations stay under
// MaxAssociations, and so does the live heap (under 32 MiB, 21 KiB per
// association; about 9 KiB measured, the simulated network included); a
// client on another address connects in the middle of the flood as if
// there were none.
func TestHostileLimitsInitFloodOneSource(t *testing.T) {
	const (
		rate     = 1000
		duration = 10 * time.Second
	)
	st := newSetup(t, 91, func(_, s *endpoint.Config) { s.MaxAssociations = 4096 })
	f := &flooder{addr: netip.MustParseAddrPort("198.51.100.66:9899"), to: addrS,
		interval: time.Second / rate, until: timer.Time(duration), echo: true}
	st.w.Add(f.addr, f)
	heap0 := liveHeap()
	st.w.Run(duration / 2)
	require.True(t, connectDuring(t, st), "drops %v", st.w.Drops)
	st.w.Run(duration/2 + time.Second)

	bound := endpoint.DefaultInitBurst + endpoint.DefaultInitRate*int(duration/time.Second)
	require.Equal(t, rate*int(duration/time.Second), f.sentInits)
	require.LessOrEqual(t, f.initAcks, bound, "INIT ACKs to the flooder")
	require.Equal(t, f.sentInits-f.initAcks, st.w.Drops["INIT rate"], "every other INIT is dropped without reply")
	require.Equal(t, f.initAcks+1, st.s.Len(), "each INIT ACK it got became an association, and the client's")
	heap := int64(liveHeap()) - int64(heap0)
	t.Logf("%d INITs: %d associations, live heap +%d KiB", f.sentInits, st.s.Len(), heap>>10)
	require.Less(t, heap, int64(32<<20))
}

// INITs from 100,000 forged source addresses (20,000 a second for 5 s),
// none of which can complete a handshake: the endpoint keeps no state for
// them (RFC 9260 Section 5.1 B: the State Cookie holds it), the INIT rate
// limiter has a fixed size whatever the number of sources, and the
// endpoint's replies wait in a queue bounded by MaxPendingReplies. Bound:
// the live heap grows by less than 1 MiB (a table or a map per source
// would hold megabytes), no association is created, and a real client
// connects in the middle of the flood.
func TestHostileLimitsInitFloodManySources(t *testing.T) {
	const (
		sources  = 100_000
		perMilli = 20
	)
	st := newSetup(t, 92, nil)
	// The INIT ACKs to forged addresses go nowhere.
	st.w.OnSend = func(_ netip.AddrPort, out association.Outgoing) bool {
		return out.To == addrC || out.To == addrS
	}
	spoofed := func(i int) netip.AddrPort {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 18 + byte(i>>16), byte(i >> 8), byte(i)}), 9899)
	}
	sent := 0
	flood := func(d time.Duration) {
		end := st.w.Now.Add(d)
		for st.w.Now < end && sent < sources {
			for range perMilli {
				err := st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: spoofed(sent), To: addrS.Addr(), Data: build(5000, 7, 0, initChunk(chunk.VerificationTag(sent+1)))})

				require.NoError(t, err)
				sent++
			}
			st.w.Touch()
			st.w.Run(time.Millisecond)
		}
	}
	heap0 := liveHeap()
	flood(2 * time.Second)
	require.True(t, connectDuring(t, st), "drops %v", st.w.Drops)
	flood(time.Hour)
	require.Equal(t, sources, sent)
	require.Equal(t, 1, st.s.Len(), "the client's association only")
	heap := int64(liveHeap()) - int64(heap0)
	t.Logf("%d INITs from as many sources: live heap %+d KiB", sent, heap>>10)
	require.Less(t, heap, int64(1<<20))
}

// The cookie path: a COOKIE ECHO creates the association (RFC 9260
// Section 5.1 D), so MaxAssociations applies there as well as to the
// INIT. A peer without an INIT rate limit in its way, completing every
// handshake from one address, gets exactly MaxAssociations associations;
// the next INITs and COOKIE ECHOs get an ABORT with an "Out of Resource"
// cause (Section 5.1: "If an endpoint receives an INIT, INIT ACK, or
// COOKIE ECHO chunk but decides not to establish the new association due
// to ... lack of local resources, it SHOULD respond with an ABORT chunk"),
// and so does a valid cookie obtained while there was room, echoed once
// the endpoint is full.
func TestHostileLimitsCookieWhenFull(t *testing.T) {
	const limit = 100
	st := newSetup(t, 93, func(_, s *endpoint.Config) { s.MaxAssociations, s.InitRate = limit, -1 })
	// A valid cookie, taken while there is room.
	spare := netip.MustParseAddrPort("198.51.100.77:9899")
	require.NoError(t, st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: spare, To: addrS.Addr(), Data: build(4999, 7, 0, initChunk(0xabcd))}))
	outs := outputs(st.w.Now, st.s)
	require.Len(t, outs, 1)
	ack := initAckOf(t, outs[0].Data)
	cookie := &chunk.CookieEcho{Cookie: append([]byte(nil), ack.StateCookie().Cookie...)}

	f := &flooder{addr: netip.MustParseAddrPort("198.51.100.66:9899"), to: addrS,
		interval: time.Millisecond, until: timer.Time(time.Second), echo: true}
	st.w.Add(f.addr, f)
	st.w.Run(2 * time.Second)
	require.Equal(t, limit, st.s.Len())
	require.Equal(t, 1000, f.sentInits)
	require.Len(t, f.aborts, f.sentInits-limit, "every INIT or COOKIE ECHO beyond the limit is refused")
	for _, ab := range f.aborts {
		require.Equal(t, []chunk.Cause{&chunk.OutOfResourceCause{}}, ab.Causes)
	}

	err := st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: spare, To: addrS.Addr(), Data: build(4999, 7, ack.InitiateTag, cookie)})
	require.ErrorContains(t, err, "too many associations")
	require.Equal(t, limit, st.s.Len())
	outs = outputs(st.w.Now, st.s)
	require.Len(t, outs, 1)
	p, first := parsed(t, outs[0].Data)
	require.Equal(t, chunk.TypeAbort, first.Type)
	require.Equal(t, chunk.VerificationTag(0xabcd), p.VerificationTag, "the peer's tag from the cookie")
	c, _, err := chunk.Parse(first.Bytes)
	require.NoError(t, err)
	require.Equal(t, []chunk.Cause{&chunk.OutOfResourceCause{}}, c.(*chunk.Abort).Causes)
}

// A valid State Cookie, obtained while there was room, echoed again and
// again from forged sources once the endpoint is full or no longer
// listening, each copy carrying 0 or 1,000 DATA chunks. RFC 9260 Section
// 12.2.4.1: "avoiding commitment of limited resources before determining
// that the request for service is legitimate"; Section 5.1: an endpoint
// that "decides not to establish the new association due to ... lack of
// local resources ... SHOULD respond with an ABORT chunk". The cookie is
// verified (signature, lifetime) and the limits checked before any
// association is built, so a replay is never one: bound, per replay,
// at most 16 allocations whatever the DATA bundled (none of it is
// processed), one ABORT carrying the peer's tag from the cookie (with
// "Out of Resource" when full) to each new source, and from one source at
// most DefaultInitBurst ABORTs (the INIT rate limit, which the refusals
// share), the rest discarded silently.
func TestHostileLimitsCookieReplayWhenFull(t *testing.T) {
	for _, mode := range []string{"full", "not listening"} {
		allocs := map[int]float64{}
		for _, ndata := range []int{0, 1000} {
			st := newSetup(t, 601, func(_, s *endpoint.Config) { s.MaxAssociations = 1 })
			st.connect(t) // fills the endpoint
			spare := netip.MustParseAddrPort("198.51.100.77:9899")
			require.NoError(t, st.s.SetMaxAssociations(2))
			require.NoError(t, st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: spare, To: addrS.Addr(), Data: build(4999, 7, 0, initChunk(0xabcd))}))
			outs := outputs(st.w.Now, st.s)
			require.Len(t, outs, 1)
			ack := initAckOf(t, outs[0].Data)
			require.NoError(t, st.s.SetMaxAssociations(1))
			reason, causes := endpoint.DropFull, []chunk.Cause{&chunk.OutOfResourceCause{}}
			if mode == "not listening" {
				st.s.Listen(false)
				reason, causes = endpoint.DropNotListening, nil
			}
			cs := []chunk.Chunk{&chunk.CookieEcho{Cookie: append([]byte(nil), ack.StateCookie().Cookie...)}}
			for i := range ndata {
				cs = append(cs, &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: chunk.TSN(1 + i),
					SSN: chunk.SSN(i), UserData: make([]byte, 40)})
			}
			pkt := build(4999, 7, ack.InitiateTag, cs...)

			// replay hands pkt to the server from src and drains its
			// replies into scratch, without allocating: it counts them and
			// whether each is the same packet as the first one.
			var (
				err            error
				first, scratch = make([]byte, 0, 64), make([]byte, 0, 1500)
				replies, same  int
			)
			replay := func(src netip.AddrPort) {
				err = st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: src, To: addrS.Addr(), Data: pkt})
				for {
					o, ok := st.s.AppendPacket(st.w.Now, scratch[:0])
					if !ok {
						break
					}
					if replies == 0 {
						first = append(first[:0], o.Data...)
					}
					replies++
					if bytes.Equal(o.Data, first) {
						same++
					}
				}
			}
			i := 0
			allocs[ndata] = testing.AllocsPerRun(200, func() {
				i++
				replay(netip.AddrPortFrom(netip.AddrFrom4([4]byte{203, 0, byte(i >> 8), byte(i)}), 9899))
			})
			t.Logf("%s: %d-byte COOKIE ECHO replayed: %.0f allocations each", mode, len(pkt), allocs[ndata])
			require.LessOrEqual(t, allocs[ndata], 16.0, "allocations per replay")
			require.Equal(t, 1, st.s.Len(), "no association created")
			var de *endpoint.DropError
			require.ErrorAs(t, err, &de)
			require.Equal(t, reason, de.Reason)
			require.Equal(t, i, replies, "one ABORT to each new source")
			require.Equal(t, replies, same, "all alike")
			p, c := parsed(t, first)
			require.Equal(t, chunk.TypeAbort, c.Type)
			require.Equal(t, chunk.VerificationTag(0xabcd), p.VerificationTag, "the peer's tag from the cookie")
			ab, _, err := chunk.Parse(c.Bytes)
			require.NoError(t, err)
			require.Equal(t, causes, ab.(*chunk.Abort).Causes)

			// From one source, the refusals draw on its INIT allowance.
			replies = 0
			flooder := netip.MustParseAddrPort("198.51.100.66:9899")
			for range 2 * endpoint.DefaultInitBurst {
				replay(flooder)
			}
			require.Equal(t, endpoint.DefaultInitBurst, replies, "ABORTs to one source")
			require.ErrorAs(t, err, &de)
			require.Equal(t, endpoint.DropInitRate, de.Reason, "the rest are discarded silently")
			require.Equal(t, 1, st.s.Len())
		}
		require.LessOrEqual(t, allocs[1000], allocs[0], "%s: the bundled DATA costs nothing", mode)
	}
}
