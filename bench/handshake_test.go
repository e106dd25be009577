package bench

import (
	"testing"

	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/internal/sim"
)

// BenchmarkHandshake is the CPU cost of one complete four-way handshake
// (INIT, INIT ACK with an HMAC-SHA-256 State Cookie, COOKIE ECHO, COOKIE
// ACK) between a new association and an Acceptor on the simulated network,
// including building both associations.
func BenchmarkHandshake(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		seed := uint64(i)
		p, err := associationtest.NewPair(seed, associationtest.Config(seed, 5000, 5001),
			associationtest.Config(seed+1, 5001, 5000), sim.LinkConfig{})
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Handshake(); err != nil {
			b.Fatal(err)
		}
	}
}
