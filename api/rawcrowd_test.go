package api

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
)

// rawCrowd is many hand-driven SCTP-over-UDP peers (RFC 6951) of one
// server, cheaper than a socket each: association i is set up from SCTP
// port crowdPort(i) of loopback address 127.0.0.(1 + i/crowdPerIP), all
// the associations of an address sharing one UDP socket, with initiate
// tag i+1, so that the verification tag of a packet from the server names
// its association. It answers HEARTBEAT chunks (RFC 9260 Section 8.3)
// while it sets associations up, and keeps only the server's tag of each
// association: what the benchmarks measure is the server.
type rawCrowd struct {
	tb   testing.TB
	to   netip.AddrPort // the server's UDP encapsulation address
	dst  uint16         // the server's SCTP port
	skip uint16         // the server's SCTP port on 127.0.0.1, not used
	ucs  []*net.UDPConn // one per client address
	tags []chunk.VerificationTag
}

// crowdPerIP is the number of associations a rawCrowd sets up from one
// client address.
const crowdPerIP = 60000

// crowdWindow is the number of handshakes a rawCrowd address has under
// way at once.
const crowdWindow = 256

// newRawCrowd returns a crowd of n peers of srv (not set up yet).
func newRawCrowd(tb testing.TB, srv *Socket, n int) *rawCrowd {
	tb.Helper()
	c := &rawCrowd{tb: tb, to: netip.AddrPortFrom(lo, uint16(srv.UDPPort())), dst: srv.Port(), skip: srv.Port(),
		tags: make([]chunk.VerificationTag, n)}
	for k := 0; k*crowdPerIP < n; k++ {
		ip := net.IPv4(127, 0, 0, byte(1+k))
		uc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: ip})
		if err != nil {
			c.close()
			tb.Fatal(err)
		}
		_ = uc.SetReadBuffer(4 << 20)
		c.ucs = append(c.ucs, uc)
	}
	tb.Cleanup(c.close)
	return c
}

// close closes the UDP sockets.
func (c *rawCrowd) close() {
	for _, uc := range c.ucs {
		uc.Close()
	}
}

// port returns the SCTP port of association i: from 1024 up, skipping the
// server's own on the server's address.
func (c *rawCrowd) port(i int) uint16 {
	p := uint16(1024 + i%crowdPerIP)
	if i < crowdPerIP && p >= c.skip {
		p++
	}
	return p
}

// send sends the chunk alone from association i with verification tag
// tag.
func (c *rawCrowd) send(buf []byte, i int, tag chunk.VerificationTag, ch chunk.Chunk) error {
	var b packet.Builder
	b.Reset(buf, packet.Header{SrcPort: c.port(i), DstPort: c.dst, VerificationTag: tag}, 1<<16)
	b.Add(ch)
	_, err := c.ucs[i/crowdPerIP].WriteToUDPAddrPort(b.Finish(), c.to)
	return err
}

// setUp sets up every association of the crowd, an address at a time in
// parallel, within ctx's deadline.
func (c *rawCrowd) setUp(deadline time.Time) error {
	errs := make([]error, len(c.ucs))
	var wg sync.WaitGroup
	for k := range c.ucs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lo, hi := k*crowdPerIP, min((k+1)*crowdPerIP, len(c.tags))
			errs[k] = c.setUpRange(lo, hi, deadline)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// handshake is a handshake of a rawCrowd under way: the cookie once the
// INIT ACK came.
type handshake struct{ cookie []byte }

// setUpRange sets up the associations lo to hi-1, all from one address,
// crowdWindow at a time, sending again what was not answered within
// 200 ms (a datagram lost on a full socket buffer).
func (c *rawCrowd) setUpRange(lo, hi int, deadline time.Time) error {
	uc := c.ucs[lo/crowdPerIP]
	out, in := make([]byte, 0, 1500), make([]byte, 1<<16)
	busy := make(map[int]*handshake, crowdWindow)
	next := lo
	for next < hi || len(busy) > 0 {
		for ; next < hi && len(busy) < crowdWindow; next++ {
			busy[next] = &handshake{}
			if err := c.send(out, next, 0, crowdInit(next)); err != nil {
				return err
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("raw crowd: %d handshakes not done by the deadline", len(busy)+hi-next)
		}
		_ = uc.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := uc.Read(in)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			if err := c.resend(out, busy); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if err := c.handle(out, in[:n], lo, hi, busy); err != nil {
			return err
		}
	}
	return nil
}

// crowdInit is the INIT of association i.
func crowdInit(i int) *chunk.Init {
	return &chunk.Init{InitiateTag: chunk.VerificationTag(i + 1), ARwnd: 1 << 20, OutboundStreams: 10,
		InboundStreams: 10, InitialTSN: 1}
}

// resend sends again the INIT or COOKIE ECHO of the handshakes under way.
func (c *rawCrowd) resend(out []byte, busy map[int]*handshake) error {
	for i, h := range busy {
		var err error
		if h.cookie == nil {
			err = c.send(out, i, 0, crowdInit(i))
		} else {
			err = c.send(out, i, c.tags[i], &chunk.CookieEcho{Cookie: h.cookie})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// handle handles a packet from the server to one of the associations lo
// to hi-1: an INIT ACK gets its COOKIE ECHO, a COOKIE ACK ends the
// handshake, a HEARTBEAT gets its HEARTBEAT ACK.
func (c *rawCrowd) handle(out, b []byte, lo, hi int, busy map[int]*handshake) error {
	p, err := packet.Parse(b, packet.Options{})
	if err != nil {
		return err
	}
	i := int(p.Header.VerificationTag) - 1
	if i < lo || i >= hi {
		return fmt.Errorf("raw crowd: a packet with tag %d", p.Header.VerificationTag)
	}
	it := p.Chunks()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		switch h := busy[i]; {
		case r.Type == chunk.TypeInitAck && h != nil && h.cookie == nil:
			var ack chunk.InitAck
			if _, err := ack.Parse(r.Bytes); err != nil {
				return err
			}
			c.tags[i] = ack.InitiateTag
			h.cookie = append([]byte(nil), ack.StateCookie().Cookie...)
			if err := c.send(out, i, c.tags[i], &chunk.CookieEcho{Cookie: h.cookie}); err != nil {
				return err
			}
		case r.Type == chunk.TypeCookieAck && h != nil && h.cookie != nil:
			delete(busy, i)
		case r.Type == chunk.TypeHeartbeat:
			var hb chunk.Heartbeat
			if _, err := hb.Parse(r.Bytes); err != nil {
				return err
			}
			ack := chunk.HeartbeatAck(hb)
			if err := c.send(out, i, c.tags[i], &ack); err != nil {
				return err
			}
		}
	}
	return nil
}

// abortAll aborts every association (ABORT with the server's tag, RFC
// 9260 Section 9.1), pausing every crowdWindow packets so that the
// server's socket buffer keeps up, and sends them all again (an ABORT
// for an association gone is discarded, RFC 9260 Section 8.4 rule 2)
// while gone does not report them gone within a second.
func (c *rawCrowd) abortAll(gone func() bool, deadline time.Time) error {
	out := make([]byte, 0, 1500)
	for {
		for i, tag := range c.tags {
			if err := c.send(out, i, tag, &chunk.Abort{}); err != nil {
				return err
			}
			if i%crowdWindow == crowdWindow-1 {
				time.Sleep(time.Millisecond)
			}
		}
		for range 100 {
			if gone() {
				return nil
			}
			time.Sleep(10 * time.Millisecond)
		}
		if time.Now().After(deadline) {
			return errors.New("raw crowd: the associations are not gone by the deadline")
		}
	}
}
