package endpoint_test

import (
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// FuzzHandleDatagram feeds arbitrary packets, from the known peer's IP on
// its UDP port or another one, to a server endpoint with one established
// association, and checks the invariants of RFC 9260 Sections 8.4, 8.5 and
// 9.1 and RFC 6951 Section 5.4:
//
//   - no panic, and at most one reply of the endpoint per packet;
//   - every reply is a valid packet from our port to the sender's port;
//   - "An endpoint MUST NOT respond to any received packet that contains
//     an ABORT chunk" (Section 9.1): nothing is sent to the sender unless
//     the association sends it;
//   - a packet whose tag is not the association's local tag (and that is
//     not a COOKIE ECHO, INIT or T-bit ABORT/SHUTDOWN COMPLETE, which have
//     their own checks) leaves the association's remote UDP port alone.
func FuzzHandleDatagram(f *testing.F) {
	f.Add(uint8(0), build(5000, 7, 1, dataChunk()))
	f.Add(uint8(1), build(5000, 7, 0, initChunk(9)))
	f.Add(uint8(1), build(5000, 7, 5, &chunk.ShutdownAck{}))
	f.Add(uint8(1), build(5000, 7, 5, &chunk.Abort{Flags: chunk.FlagT}))
	f.Add(uint8(0), build(5000, 7, 5, &chunk.CookieEcho{Cookie: make([]byte, 90)}))
	f.Fuzz(func(t *testing.T, sel uint8, b []byte) {
		st := newSetup(t, 30, nil)
		_, sid := st.connect(t)
		a, _ := st.s.Assoc(sid)
		local, _ := a.Tags()
		if sel&2 != 0 && len(b) >= 12 {
			// Make the tag right half of the time, so that the fuzzer
			// reaches the association, and fix the CRC32c.
			b = append([]byte(nil), b...)
			b[4], b[5], b[6], b[7] = byte(local>>24), byte(local>>16), byte(local>>8), byte(local)
			packet.SetChecksum(b)
		}
		from := addrC
		if sel&1 != 0 {
			from = netip.AddrPortFrom(addrC.Addr(), 40000)
		}
		_ = outputs(st.w.Now, st.s)
		_ = st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: from, To: addrS.Addr(), Data: b})

		p, perr := packet.Parse(b, packet.Options{})
		if perr == nil && a.State() != association.StateClosed && from.Port() != addrC.Port() {
			it := p.Chunks()
			first, _ := it.Next()
			special := first.Type == chunk.TypeInit || first.Type == chunk.TypeCookieEcho ||
				(first.Type == chunk.TypeAbort || first.Type == chunk.TypeShutdownComplete) &&
					chunk.TFlags(first.Flags).Reflected()
			if p.VerificationTag != local && !special {
				require.Equal(t, addrC, a.Paths()[0].Addr, "RFC 6951 Section 5.4")
			}
		}
		outs := outputs(st.w.Now, st.s)
		own := 0 // replies other than an ABORT of our own
		for _, o := range outs {
			rp, err := packet.Parse(o.Data, packet.Options{})
			require.NoError(t, err)
			if o.To == from && perr == nil && rp.DstPort == p.SrcPort && !onlyAbort(&rp) {
				own++
			}
		}
		if perr != nil {
			require.Empty(t, outs, "no reply to a malformed packet")
			return
		}
		// RFC 9260 Section 9.1: once an ABORT closed the association, "the
		// receiving endpoint MUST NOT send any SCTP packets in response";
		// if the association closed for its own reasons, its ABORT is all
		// it sends. (An ABORT the tag rule discards, or that comes after a
		// chunk that stops the processing, leaves the replies as they are.)
		if a.State() == association.StateClosed && containsAbort(&p) {
			require.Zero(t, own, "RFC 9260 Section 9.1")
		}
	})
}

func containsAbort(p *packet.Packet) bool {
	it := p.Chunks()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		if r.Type == chunk.TypeAbort {
			return true
		}
	}
	return false
}

// onlyAbort reports whether p carries nothing but an ABORT.
func onlyAbort(p *packet.Packet) bool {
	it := p.Chunks()
	r, _ := it.Next()
	return p.NumChunks == 1 && r.Type == chunk.TypeAbort
}
