package api

import (
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// rawPeer is a hand-driven SCTP-over-UDP peer (RFC 6951) on loopback: it
// sends the chunks a test writes, for wire sequences that the stack
// itself would not produce.
type rawPeer struct {
	t   *testing.T
	uc  *net.UDPConn
	to  *net.UDPAddr
	dst uint16
	tag chunk.VerificationTag
	// cum is the Cumulative TSN Ack of the last SACK that arrived (the
	// goroutine of rawAssociate reads them), and acked whether one did.
	cum   atomic.Uint32
	acked atomic.Bool
}

// send sends c alone in a packet with verification tag tag.
func (p *rawPeer) send(tag chunk.VerificationTag, c chunk.Chunk) {
	var b packet.Builder
	b.Reset(nil, packet.Header{SrcPort: 40001, DstPort: p.dst, VerificationTag: tag}, 1<<16)
	require.True(p.t, b.Add(c))
	_, err := p.uc.WriteToUDP(b.Finish(), p.to)
	require.NoError(p.t, err)
}

// await returns the first chunk of type ty that arrives (5 s at most).
func (p *rawPeer) await(ty chunk.Type) []byte {
	buf := make([]byte, 1<<16)
	for {
		require.NoError(p.t, p.uc.SetReadDeadline(time.Now().Add(5*time.Second)))
		n, _, err := p.uc.ReadFromUDP(buf)
		require.NoError(p.t, err)
		pkt, err := packet.Parse(buf[:n], packet.Options{})
		require.NoError(p.t, err)
		it := pkt.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			if r.Type == ty {
				return append([]byte(nil), r.Bytes...)
			}
		}
	}
}

// data sends a DATA chunk.
func (p *rawPeer) data(tsn chunk.TSN, stream uint16, f chunk.DataFlags, ssn uint16, b []byte) {
	p.send(p.tag, &chunk.Data{Flags: f, TSN: tsn, StreamID: chunk.StreamID(stream), SSN: chunk.SSN(ssn), UserData: b})
}

// dataAcked sends a DATA chunk, as data does, and sends it again every
// 50 ms until a SACK acknowledges it cumulatively (5 s at most): the
// test's datagrams may be dropped on loopback when the receiver's UDP
// socket buffer overflows under load, and the raw peer retransmits
// nothing otherwise. Use it only for TSNs sent in sequence.
func (p *rawPeer) dataAcked(tsn chunk.TSN, stream uint16, f chunk.DataFlags, ssn uint16, b []byte) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		p.data(tsn, stream, f, ssn, b)
		for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); {
			if p.acked.Load() && chunk.TSN(p.cum.Load()).GE(tsn) {
				return
			}
			time.Sleep(200 * time.Microsecond)
		}
		require.True(p.t, time.Now().Before(deadline), "TSN %d not acknowledged within 5 s", tsn)
	}
}

// rawConn returns a raw peer associated with a Listener made with opts,
// and the accepted Conn. The peer's SACKs are read and dropped.
func rawConn(t *testing.T, opts ...Option) (*rawPeer, *Conn) {
	l := listenLo(t, opts...)
	a := l.Addr().(*Addr)
	p := rawAssociate(t, a.UDPPort, a.Port)
	c, err := l.AcceptSCTP(testCtx(t))
	require.NoError(t, err)
	t.Cleanup(func() { abort(c) })
	return p, c
}

// rawAssociate returns a raw peer associated with the SCTP port port on
// UDP port udpPort of 127.0.0.1, its Initial TSN 1, 10 streams each way
// and params in its INIT. What arrives for it after the handshake is read
// and dropped.
func rawAssociate(t *testing.T, udpPort int, port uint16, params ...chunk.Param) *rawPeer {
	uc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	t.Cleanup(func() { uc.Close() })
	p := &rawPeer{t: t, uc: uc, to: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: udpPort}, dst: port}
	p.send(0, &chunk.Init{InitiateTag: 0x11223344, ARwnd: 1 << 20, OutboundStreams: 10, InboundStreams: 10, InitialTSN: 1, Params: params})
	var ack chunk.InitAck
	_, err = ack.Parse(p.await(chunk.TypeInitAck))
	require.NoError(t, err)
	p.tag = ack.InitiateTag
	p.send(p.tag, &chunk.CookieEcho{Cookie: ack.StateCookie().Cookie})
	p.await(chunk.TypeCookieAck)
	done := make(chan struct{})
	go func() { // drain SACKs until the socket closes, noting their Cumulative TSN Ack
		defer close(done)
		buf := make([]byte, 1<<16)
		for {
			n, _, err := uc.ReadFromUDP(buf)
			if err != nil {
				return
			}
			pkt, err := packet.Parse(buf[:n], packet.Options{})
			if err != nil {
				continue
			}
			it := pkt.Chunks()
			for r, ok := it.Next(); ok; r, ok = it.Next() {
				var s chunk.SACK
				if r.Type != chunk.TypeSACK {
					continue
				}
				if _, err := s.Parse(r.Bytes); err == nil {
					p.cum.Store(uint32(s.CumTSNAck))
					p.acked.Store(true)
				}
			}
		}
	}()
	t.Cleanup(func() { uc.Close(); <-done })
	return p
}

// flagsOf returns the B and E flags of fragment i of n.
func flagsOf(i, n int) (f chunk.DataFlags) {
	if i == 0 {
		f |= chunk.FlagBeginning
	}
	if i == n-1 {
		f |= chunk.FlagEnd
	}
	return f
}
