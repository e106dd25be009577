// Command pionperf is pion/sctp's side of bench/compare.sh: bulk transfer
// and round trips between two processes, each pion/sctp association over a
// connected UDP socket on loopback (pion sends bare SCTP packets in UDP
// datagrams, as RFC 6951 encapsulates them).
//
//	pionperf -mode recv -local 127.0.0.1:P -remote 127.0.0.1:Q
//	pionperf -mode send -local 127.0.0.1:Q -remote 127.0.0.1:P -l 1200 -T 4
//	pionperf -mode echo -local ... -remote ...
//	pionperf -mode ping -local ... -remote ... -l 64 -T 4
//
// recv prints tsctp's server line when the sender closes (length,
// messages, calls, bytes, seconds from the first message to the last,
// bytes/s, notifications: 0); ping prints sctp ping's summary line. It is
// a benchmark tool, not part of gensctp.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"slices"
	"time"

	"github.com/pion/logging"
	"github.com/pion/sctp"
)

// Send-side flow control: pion/sctp queues without bound, so the sender
// waits while more than maxBuffered bytes are queued, until lowBuffered.
const (
	maxBuffered = 4 << 20
	lowBuffered = 1 << 20
)

func main() {
	mode := flag.String("mode", "", "recv, send, echo or ping")
	local := flag.String("local", "127.0.0.1:0", "local UDP address")
	remote := flag.String("remote", "", "the peer's UDP address")
	length := flag.Int("l", 1200, "message length in bytes")
	secs := flag.Float64("T", 4, "seconds to send or ping")
	warmup := flag.Int("w", 100, "round trips first, not counted (ping)")
	flag.Parse()
	if err := run(*mode, *local, *remote, *length, time.Duration(*secs*float64(time.Second)), *warmup); err != nil {
		fmt.Fprintln(os.Stderr, "pionperf:", err)
		os.Exit(1)
	}
}

func run(mode, local, remote string, length int, d time.Duration, warmup int) error {
	la, err := net.ResolveUDPAddr("udp", local)
	if err != nil {
		return err
	}
	ra, err := net.ResolveUDPAddr("udp", remote)
	if err != nil {
		return err
	}
	conn, err := net.DialUDP("udp", la, ra)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetReadBuffer(4 << 20)
	_ = conn.SetWriteBuffer(4 << 20)
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelError
	ctx, cancel := context.WithTimeout(context.Background(), d+30*time.Second)
	defer cancel()
	opts := []sctp.AssociationOption{sctp.WithLoggerFactory(lf), sctp.WithMaxReceiveBufferSize(4 << 20)}
	switch mode {
	case "recv", "echo":
		so := []sctp.ServerOption{sctp.WithNetConn(conn)}
		for _, o := range opts {
			so = append(so, o)
		}
		a, err := sctp.ServerWithOptions(so...)
		if err != nil {
			return err
		}
		defer a.Close()
		s, err := a.AcceptStream()
		if err != nil {
			return err
		}
		if mode == "recv" {
			return recv(s)
		}
		return echo(s)
	case "send", "ping":
		co := []sctp.ClientOption{sctp.WithNetConn(conn)}
		for _, o := range opts {
			co = append(co, o)
		}
		a, err := sctp.ClientContext(ctx, co...)
		if err != nil {
			return err
		}
		defer a.Close()
		s, err := a.OpenStream(0, sctp.PayloadTypeWebRTCBinary)
		if err != nil {
			return err
		}
		if mode == "send" {
			err = send(ctx, s, length, d)
		} else {
			err = ping(s, length, d, warmup)
		}
		if err != nil {
			return err
		}
		return a.Shutdown(ctx)
	}
	return fmt.Errorf("unknown -mode %q", mode)
}

// recv counts the messages until the association ends.
func recv(s *sctp.Stream) error {
	buf := make([]byte, 1<<16)
	var msgs, bytes uint64
	var first, last time.Time
	for {
		n, _, err := s.ReadSCTP(buf)
		if err != nil {
			break
		}
		last = time.Now()
		if msgs == 0 {
			first = last
		}
		msgs++
		bytes += uint64(n)
	}
	secs := last.Sub(first).Seconds()
	if msgs == 0 || secs <= 0 {
		return errors.New("nothing received")
	}
	fmt.Printf("%d, %d, %d, %d, %f, %f, 0\n", bytes/msgs, msgs, msgs, bytes, secs, float64(bytes)/secs)
	return nil
}

// send writes messages of length bytes for d, then waits until pion sent
// them all.
func send(ctx context.Context, s *sctp.Stream, length int, d time.Duration) error {
	low := make(chan struct{}, 1)
	s.SetBufferedAmountLowThreshold(lowBuffered)
	s.OnBufferedAmountLow(func() {
		select {
		case low <- struct{}{}:
		default:
		}
	})
	msg := make([]byte, length)
	end := time.Now().Add(d)
	for n := 0; ; n++ {
		if n%64 == 0 && time.Now().After(end) {
			break
		}
		for s.BufferedAmount() > maxBuffered {
			select {
			case <-low:
			case <-time.After(10 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if _, err := s.WriteSCTP(msg, sctp.PayloadTypeWebRTCBinary); err != nil {
			return err
		}
	}
	for s.BufferedAmount() > 0 {
		select {
		case <-time.After(time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// echo writes every message back.
func echo(s *sctp.Stream) error {
	buf := make([]byte, 1<<16)
	for {
		n, ppi, err := s.ReadSCTP(buf)
		if err != nil {
			return nil
		}
		if _, err := s.WriteSCTP(buf[:n], ppi); err != nil {
			return err
		}
	}
}

// ping makes round trips for d after warmup uncounted ones and prints
// their distribution as sctp ping does.
func ping(s *sctp.Stream, length int, d time.Duration, warmup int) error {
	msg := make([]byte, length)
	buf := make([]byte, 1<<16)
	var rtts []time.Duration
	var end time.Time
	for i := 0; ; i++ {
		if i == warmup {
			end = time.Now().Add(d)
		}
		if i > warmup && time.Now().After(end) {
			break
		}
		start := time.Now()
		if _, err := s.WriteSCTP(msg, sctp.PayloadTypeWebRTCBinary); err != nil {
			return err
		}
		n, _, err := s.ReadSCTP(buf)
		if err != nil {
			return err
		}
		if n != length {
			return fmt.Errorf("echo of %d bytes, sent %d", n, length)
		}
		if i >= warmup {
			rtts = append(rtts, time.Since(start))
		}
	}
	slices.Sort(rtts)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	q := func(p float64) time.Duration { return rtts[min(len(rtts)-1, int(p*float64(len(rtts))))] }
	fmt.Printf("round trips %d, length %d, min %.1f, median %.1f, p99 %.1f, max %.1f (us)\n",
		len(rtts), length, us(rtts[0]), us(q(0.5)), us(q(0.99)), us(rtts[len(rtts)-1]))
	return nil
}
