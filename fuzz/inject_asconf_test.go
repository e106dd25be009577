package fuzz

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
)

// asconfRequests builds ASCONF parameters from b, 6 bytes each: a kind
// (Add, Delete, Set Primary IP Address, the Adaptation Layer Indication
// or an unknown type), the last byte of an address (10.0.0.x, one of
// 192.0.2.x that nobody answers, or the wildcard) and a correlation ID.
func asconfRequests(b []byte) []chunk.Param {
	var ps []chunk.Param
	for ; len(b) >= 6 && len(ps) < 64; b = b[6:] {
		var addr netip.Addr
		switch b[1] % 3 {
		case 0:
			addr = netip.AddrFrom4([4]byte{10, 0, 0, b[2]})
		case 1:
			addr = netip.AddrFrom4([4]byte{192, 0, 2, b[2]})
		default:
			addr = netip.IPv4Unspecified()
		}
		ap, cid := chunk.AddressParam(addr), binary.BigEndian.Uint32(b[2:])
		switch b[0] % 5 {
		case 0:
			ps = append(ps, &chunk.AddIPAddress{CorrelationID: cid, Address: ap})
		case 1:
			ps = append(ps, &chunk.DeleteIPAddress{CorrelationID: cid, Address: ap})
		case 2:
			ps = append(ps, &chunk.SetPrimaryAddress{CorrelationID: cid, Address: ap})
		case 3:
			ps = append(ps, &chunk.AdaptationLayerIndication{Indication: cid})
		default:
			ps = append(ps, &chunk.UnknownParam{Type: chunk.ParamType(0xC000 | uint16(b[1])<<4), Value: b[2:6]})
		}
	}
	return ps
}

// FuzzInjectASCONF injects ASCONF chunks (and arbitrary chunks after
// them) into a running association, with Z's verification tag and a
// valid CRC32c, from A's address: what an off-path attacker who saw one
// packet can send. The Sequence Number is the one Z expects plus delta.
// With AUTH (sel bit 0 clear) the attacker has no key: Z changes nothing
// (RFC 5061 Section 5.2 D5), no address is added, no packet goes
// anywhere but to A. Without AUTH (sel bit 0: ASCONFNoAuth at both ends,
// the insecure mode) the attacker may add and remove addresses, within
// MaxPaths, but nothing other than HEARTBEATs goes to an address before
// it is confirmed (RFC 9260 Section 5.4), none of which are: the victims
// never answer. With AUTH, Z delivers exactly what A sent, stays up, and
// a probe sent after the injection arrives at each end; without, the
// attacker may also end the association: A aborts on the ASCONF-ACK of
// an ASCONF it did not send (RFC 5061 Section 5.3 F0), as it must.
func FuzzInjectASCONF(f *testing.F) {
	f.Add(uint8(0), int8(0), []byte{0, 1, 7, 0, 0, 1, 2, 1, 7, 0, 0, 2}, []byte(nil))
	f.Add(uint8(1), int8(0), []byte{0, 1, 7, 0, 0, 1, 2, 1, 7, 0, 0, 2}, []byte(nil))
	f.Add(uint8(1), int8(0), []byte{1, 2, 0, 0, 0, 1, 1, 0, 1, 0, 0, 2}, []byte(nil))
	f.Add(uint8(1), int8(1), []byte{0, 1, 9, 0, 0, 1}, []byte(nil))
	f.Add(uint8(1), int8(0), []byte{3, 0, 0, 0, 0, 1, 4, 5, 0, 0, 0, 2, 0, 0, 3, 0, 0, 3}, appendChunks(nil, &chunk.Abort{}))
	f.Add(uint8(1), int8(-1), []byte{1, 0, 1, 0, 0, 1}, []byte(nil))
	f.Fuzz(func(t *testing.T, sel uint8, delta int8, reqs, chunks []byte) {
		if len(chunks) > 2048 || len(reqs) > 512 {
			return
		}
		cfgA, cfgZ := fuzzConfig(31, 5000, 5001), fuzzConfig(32, 5001, 5000)
		cfgA.LocalAddrs = []netip.Addr{associationtest.AddrA.Addr()}
		cfgZ.LocalAddrs = []netip.Addr{associationtest.AddrZ.Addr()}
		for _, c := range []*association.Config{&cfgA, &cfgZ} {
			c.ASCONF = true
			if sel&1 != 0 {
				c.ASCONFNoAuth, c.Auth.Disabled = true, true
			}
		}
		if sel&1 == 0 {
			// Z asks for every chunk type it can to be authenticated:
			// the chunks injected after the ASCONF are then as powerless
			// as it. (A chunk type it does not list, an ABORT with its
			// tag, is processed without AUTH, RFC 4895 Section 6.3, and
			// ends the association: CI input 9f6b0705fa844d88.)
			cfgZ.Auth.Chunks = authAllChunks()
		}
		p, err := associationtest.NewPair(9, cfgA, cfgZ, sim.LinkConfig{Delay: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		var firstTSN uint32
		seen := false
		p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
			if d.To.Addr() != associationtest.AddrA.Addr() && d.To.Addr() != associationtest.AddrZ.Addr() {
				if ty, ok := sim.FirstChunkType(d.Data); !ok || ty != chunk.TypeHeartbeat || sel&1 == 0 {
					t.Fatalf("%v to %v, not an address of the association", ty, d.To)
				}
			}
			if ty, ok := sim.FirstChunkType(d.Data); ok && ty == chunk.TypeData && !seen && d.From == associationtest.AddrA {
				firstTSN, seen = binary.BigEndian.Uint32(d.Data[packet.HeaderLen+4:]), true
			}
			return sim.Pass
		})
		if err := p.Handshake(); err != nil {
			t.Fatal(err)
		}
		if !p.A.ASCONF() || !p.Z.ASCONF() {
			t.Fatal("ASCONF not negotiated")
		}
		var got int
		gotA, ended := false, false
		p.OnDeliver = func(toZ bool, d association.Delivery) {
			switch {
			case toZ && d.Event == nil:
				got++
			case !toZ && d.Event == nil && string(d.Message.Data) == string(probe):
				gotA = true
			case toZ:
				if ac, ok := d.Event.(*association.AssocChange); ok && ac.State != association.CommUp {
					if sel&1 == 0 {
						t.Fatalf("Z: %v after an injected ASCONF", ac.State)
					}
					ended = true
				}
				if pc, ok := d.Event.(*association.PaddrChange); ok && sel&1 == 0 {
					t.Fatalf("Z: %v %v from an unauthenticated ASCONF", pc.State, pc.Addr)
				}
			}
		}
		if err := p.A.Send(p.Now, association.SendInfo{}, []byte("first")); err != nil {
			t.Fatal(err)
		}
		p.Exchange()
		tag, _ := p.Z.Tags()
		h := packet.Header{SrcPort: 5000, DstPort: 5001, VerificationTag: tag}
		a := &chunk.ASCONF{Serial: firstTSN + uint32(int32(delta)), Address: chunk.AddressParam(associationtest.AddrA.Addr()),
			Params: asconfRequests(reqs)}
		b := a.Append(h.Append(nil))
		b = append(b, chunks...)
		packet.SetChecksum(b)
		_ = p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, To: p.AddrZ.Addr(), Data: b})
		if n := len(p.Z.Paths()); n > association.MaxPaths || sel&1 == 0 && n != 1 {
			t.Fatalf("Z has %d paths", n)
		}
		sent := 1
		if p.A.Send(p.Now, association.SendInfo{}, probe) == nil {
			sent++
		}
		_ = p.Z.Send(p.Now, association.SendInfo{}, probe)
		// Without AUTH, a SHUTDOWN injected with the tag is the peer's
		// as far as Z can tell: Z answers it with SHUTDOWN ACKs, which A,
		// established, discards (RFC 9260 Section 9.2 has no rule for
		// them), until T2-shutdown gives up after Association.Max.Retrans
		// backed-off tries (Section 9.2) and the association ends:
		// minutes (input shutdown-injected-without-auth).
		if !p.RunUntil(15*time.Minute, func() bool { return got >= sent && gotA || ended }) {
			t.Fatalf("wedged: Z got %d of %d messages, A the probe %v; Z %v; discards %v", got, sent, gotA, p.Z.State(), p.Discards)
		}
		if !ended && (got != sent || p.Z.State() != association.StateEstablished) {
			t.Fatalf("Z delivered %d of %d, %v", got, sent, p.Z.State())
		}
	})
}
