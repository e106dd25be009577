package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/gensctp/gensctp/api"
)

// registerStatus adds -d, the interval of the status lines, to fs.
func registerStatus(fs *flag.FlagSet, p *time.Duration) {
	newDur(fs, p, 0, 0, 1e6*time.Second, true, []string{"d"},
		"every this many `seconds`, print a status line per association and per UDP port to stderr (0: never)")
}

// labelled is a socket whose associations the status lines show, and
// the name they show it by ("client", "server"; "" for a command's only
// socket).
type labelled struct {
	name string
	s    *api.Socket
}

// statusKey names an association of a socket.
type statusKey struct {
	s  *api.Socket
	id api.AssocID
}

// statusPrinter prints the status lines, as tsctp's -d does for its
// throughput: the rates are those of the last interval.
type statusPrinter struct {
	w    io.Writer
	at   time.Time                    // the previous round
	prev map[statusKey]api.AssocStats // its counters
}

// startStatus prints the status of the associations of the sockets socks
// returns every interval to w, from a goroutine of its own, until ctx is
// done or stop is called (stop waits for the goroutine). An interval of
// 0 prints nothing.
func startStatus(ctx context.Context, w io.Writer, every time.Duration, socks func() []labelled) (stop func()) {
	if every <= 0 {
		return func() {}
	}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		p := &statusPrinter{w: w, at: time.Now(), prev: map[statusKey]api.AssocStats{}}
		for {
			select {
			case now := <-t.C:
				p.round(now, socks())
			case <-ctx.Done():
				return
			case <-quit:
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

// round prints a line per association of socks and per UDP port.
func (p *statusPrinter) round(now time.Time, socks []labelled) {
	secs := now.Sub(p.at).Seconds()
	p.at = now
	next := make(map[statusKey]api.AssocStats, len(p.prev))
	ports := map[int]bool{}
	for _, ls := range socks {
		ids, err := ls.s.AssocIDs()
		if err != nil {
			continue // closed meanwhile
		}
		for _, id := range ids {
			st, err := ls.s.AssocStats(id)
			if err != nil {
				continue // ended meanwhile
			}
			k := statusKey{ls.s, id}
			next[k] = st
			fmt.Fprintln(p.w, assocLine(ls.name, id, st, p.prev[k], secs))
		}
		if port := ls.s.UDPPort(); !ports[port] {
			ports[port] = true
			if ts, err := ls.s.TransportStats(); err == nil {
				fmt.Fprintln(p.w, transportLine(port, ts))
			}
		}
	}
	p.prev = next
}

// assocLine is the status line of association id: its rates over the
// last secs seconds (from prev, zero for a new one), its packets,
// retransmissions, gap reports, duplicates, and its primary path.
func assocLine(name string, id api.AssocID, st, prev api.AssocStats, secs float64) string {
	who := fmt.Sprintf("assoc %d", id)
	if name != "" {
		who = name + " " + who
	}
	path := primaryPath(st)
	return fmt.Sprintf("status %s: tx %s rx %s, pkts %d/%d out/in, rtx %d (fast %d, T3 %d), "+
		"gap reports %d/%d, dup %d, cwnd %d ssthresh %d flight %d, rtt %s srtt %s rto %s, mtu %d (%s)",
		who, rate(st.SentBytes-prev.SentBytes, secs), rate(st.ReceivedBytes-prev.ReceivedBytes, secs),
		st.PacketsSent, st.PacketsReceived, st.Retransmissions, st.FastRetransmissions, st.T3Retransmissions,
		st.GapReportsSent, st.GapReportsReceived, st.DuplicateTSNs,
		path.Cwnd, path.SSThresh, path.Flight, short(path.RTT), short(path.SRTT), short(path.RTO),
		path.MTU, path.Pmtud)
}

// transportLine is the status line of a UDP port: its datagrams and the
// SCTP packets dropped.
func transportLine(port int, ts api.TransportStats) string {
	c := &ts.Stack
	return fmt.Sprintf("status udp %d: datagrams %d/%d out/in, dropped %d (bad CRC %d, short %d, out of the blue %d)",
		port, ts.UDP.DatagramsOut, ts.UDP.DatagramsIn, c.Dropped()+ts.UDP.HookDropsIn+ts.UDP.Truncated,
		c.ChecksumErrors, c.Truncated, c.OutOfTheBlue())
}

// rate formats n bytes over secs seconds.
func rate(n uint64, secs float64) string {
	if secs <= 0 {
		secs = 1
	}
	r := float64(n) / secs
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.1f MB/s", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.1f kB/s", r/1e3)
	}
	return fmt.Sprintf("%.0f B/s", r)
}

// short formats d with at most three significant digits.
func short(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}
