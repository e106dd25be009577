package fuzz

import (
	"encoding/binary"
	"slices"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
)

// authAllChunks are every chunk type a CHUNKS parameter may list (RFC
// 4895 Section 3.2: all but INIT, INIT ACK, SHUTDOWN COMPLETE and AUTH).
func authAllChunks() []chunk.Type {
	var ts []chunk.Type
	for t := range 256 {
		switch chunk.Type(t) {
		case chunk.TypeInit, chunk.TypeInitAck, chunk.TypeShutdownComplete, chunk.TypeAuth:
		default:
			ts = append(ts, chunk.Type(t))
		}
	}
	return ts
}

// FuzzInjectAuth injects into a running association whose receiver Z
// asked its peer to authenticate every chunk type it may list a packet
// carrying Z's verification tag and a valid CRC32c (what an off-path
// attacker who saw one packet can send): an AUTH chunk with any Shared Key
// Identifier, HMAC Identifier and HMAC (or none, or a truncated one, with
// sel bit 0), then arbitrary chunks. The attacker has no key (with sel
// bit 1, both ends share an endpoint-pair key 1, made active on A). RFC
// 4895 Section 6.3: whatever the packet says, Z delivers exactly the
// messages A sent, stays up, and a probe sent after the injection
// arrives at each end.
func FuzzInjectAuth(f *testing.F) {
	data := appendChunks(nil, &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: 1000, UserData: []byte("forged")})
	f.Add(uint8(0), uint16(0), uint16(chunk.HMACSHA256), make([]byte, 32), data)
	f.Add(uint8(0), uint16(0), uint16(chunk.HMACSHA1), make([]byte, 20), appendChunks(nil, &chunk.Abort{}))
	f.Add(uint8(2), uint16(1), uint16(chunk.HMACSHA256), make([]byte, 32), appendChunks(nil, &chunk.Shutdown{CumTSNAck: 3}))
	f.Add(uint8(0), uint16(7), uint16(chunk.HMACSHA1), make([]byte, 20), data)
	f.Add(uint8(0), uint16(0), uint16(2), make([]byte, 32), data)
	f.Add(uint8(0), uint16(0), uint16(chunk.HMACSHA256), make([]byte, 3), data)
	f.Add(uint8(1), uint16(0), uint16(0), []byte(nil), appendChunks(nil, &chunk.SACK{CumTSNAck: 5, ARwnd: 1 << 20},
		&chunk.Heartbeat{Info: []byte{1, 2, 3, 4}}))
	f.Add(uint8(0), uint16(0), uint16(chunk.HMACSHA256), make([]byte, 32), appendChunks(nil,
		&chunk.ReConfig{Params: []chunk.Param{&chunk.SSNTSNResetRequest{ReqSeq: 1}}}, &chunk.Abort{}))
	f.Fuzz(func(t *testing.T, sel uint8, keyID, hmacID uint16, mac, chunks []byte) {
		if len(chunks) > 2048 || len(mac) > 256 {
			return
		}
		cfgA, cfgZ := fuzzConfig(21, 5000, 5001), fuzzConfig(22, 5001, 5000)
		cfgZ.Auth.Chunks = authAllChunks()
		if sel&2 != 0 {
			keys := association.AuthKeys(nil).Set(1, []byte("endpoint pair shared key"))
			cfgA.Auth.Keys, cfgA.Auth.ActiveKey, cfgZ.Auth.Keys = keys, 1, keys
		}
		p, err := associationtest.NewPair(9, cfgA, cfgZ, sim.LinkConfig{Delay: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Handshake(); err != nil {
			t.Fatal(err)
		}
		var sent, got [][]byte
		gotA := false
		p.OnDeliver = func(toZ bool, d association.Delivery) {
			switch {
			case toZ && d.Event == nil:
				got = append(got, d.Message.Data)
			case !toZ && d.Event == nil && string(d.Message.Data) == string(probe):
				gotA = true
			case toZ:
				if ac, ok := d.Event.(*association.AssocChange); ok && ac.State != association.CommUp {
					t.Fatalf("Z: %v after an injected packet", ac.State)
				}
			}
		}
		for i := range 4 {
			msg := make([]byte, 4+i*700)
			binary.BigEndian.PutUint32(msg, uint32(i))
			if p.A.Send(p.Now, association.SendInfo{Stream: chunk.StreamID(i % 2)}, msg) == nil {
				sent = append(sent, msg)
			}
		}
		p.Exchange()

		tag, _ := p.Z.Tags()
		h := packet.Header{SrcPort: 5000, DstPort: 5001, VerificationTag: tag}
		b := h.Append(nil)
		if sel&1 == 0 {
			b = (&chunk.Auth{SharedKeyID: keyID, HMACID: hmacID, HMAC: mac}).Append(b)
		}
		b = append(b, chunks...)
		packet.SetChecksum(b)
		_ = p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, Data: b})

		if p.A.Send(p.Now, association.SendInfo{}, probe) == nil {
			sent = append(sent, probe)
		}
		_ = p.Z.Send(p.Now, association.SendInfo{}, probe)
		if !p.RunUntil(time.Minute, func() bool { return len(got) >= len(sent) && gotA }) {
			t.Fatalf("wedged: Z got %d of %d messages, A the probe %v; Z %v; discards %v",
				len(got), len(sent), gotA, p.Z.State(), p.Discards)
		}
		if p.Z.State() != association.StateEstablished {
			t.Fatalf("Z %v", p.Z.State())
		}
		if !slices.EqualFunc(sortedCopy(sent), sortedCopy(got), slices.Equal) {
			t.Fatalf("Z delivered %d messages other than the %d A sent", len(got), len(sent))
		}
	})
}

// sortedCopy returns the messages ms in byte order.
func sortedCopy(ms [][]byte) [][]byte {
	out := slices.Clone(ms)
	slices.SortFunc(out, func(a, b []byte) int { return slices.Compare(a, b) })
	return out
}
