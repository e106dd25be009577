package association_test

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
)

// BenchmarkCoreHandshake runs the four-way handshake between a new client
// association and one Acceptor, in memory, with AUTH on (the default) and
// off: the per-handshake cost of the core, without I/O.
func BenchmarkCoreHandshake(b *testing.B) {
	for _, auth := range []bool{true, false} {
		name := "auth=on"
		if !auth {
			name = "auth=off"
		}
		b.Run(name, func(b *testing.B) {
			cliA := netip.MustParseAddrPort("10.0.0.1:9899")
			srvA := netip.MustParseAddrPort("10.0.0.2:9899")
			cfgZ := association.Config{LocalPort: 5001, Rand: rand.NewPCG(1, 2)}
			cfgZ.Auth.Disabled = !auth
			acc, err := association.NewAcceptor(cfgZ)
			if err != nil {
				b.Fatal(err)
			}
			cfgA := association.Config{LocalPort: 5000, PeerPort: 5001, Rand: rand.NewPCG(3, 4),
				Cookies: association.NewCookieKeys(rand.NewPCG(5, 6), 0)}
			cfgA.Auth.Disabled = !auth
			buf := make([]byte, 0, 1<<16)
			buf2 := make([]byte, 0, 1<<16)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				a, err := association.New(cfgA, 0, srvA)
				if err != nil {
					b.Fatal(err)
				}
				if err := a.Connect(0); err != nil {
					b.Fatal(err)
				}
				out, _ := a.AppendPacket(0, buf[:0])
				pkt, err := packet.Parse(out.Data, packet.Options{})
				if err != nil {
					b.Fatal(err)
				}
				first, _ := pkt.Lead()
				var init chunk.Init
				if _, err := init.Parse(first.Bytes); err != nil {
					b.Fatal(err)
				}
				reply := acc.HandleInitFrom(0, cliA, pkt.Header, &init, buf2[:0])
				if err := a.HandleDatagram(&association.Datagram{From: srvA, To: cliA.Addr(), Data: reply}); err != nil {
					b.Fatal(err)
				}
				out, _ = a.AppendPacket(0, buf[:0])
				pkt, err = packet.Parse(out.Data, packet.Options{})
				if err != nil {
					b.Fatal(err)
				}
				z, _, err := acc.HandleCookieEcho(&association.Datagram{From: cliA, To: srvA.Addr(), Data: out.Data}, &pkt, buf2[:0])
				if err != nil || z == nil {
					b.Fatal(err)
				}
				zo, _ := z.AppendPacket(0, buf2[:0])
				if err := a.HandleDatagram(&association.Datagram{From: srvA, To: cliA.Addr(), Data: zo.Data}); err != nil {
					b.Fatal(err)
				}
				if a.State() != association.StateEstablished {
					b.Fatal(a.State())
				}
			}
		})
	}
}
