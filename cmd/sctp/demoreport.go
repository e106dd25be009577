package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gensctp/gensctp/api"
)

// sideStatus is the state of one end of an association.
type sideStatus struct {
	ok     bool
	status api.Status
	stats  api.AssocStats
}

// collect reads the status of association id of s: the sctp_status
// record (with the primary path's sctp_paddrinfo) and the counters.
func collect(s *api.Socket, id api.AssocID) sideStatus {
	st, err := s.Status(id)
	if err != nil {
		return sideStatus{}
	}
	stats, err := s.AssocStats(id)
	if err != nil {
		return sideStatus{}
	}
	return sideStatus{ok: true, status: st, stats: stats}
}

// printStatus prints the status of both ends side by side.
func printStatus(w io.Writer, cli, srv sideStatus) {
	fmt.Fprintf(w, "association status:\n")
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "  \tclient\tserver\n")
	row := func(name string, f func(s sideStatus) string) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", name, cell(cli, f), cell(srv, f))
	}
	row("state", func(s sideStatus) string { return s.status.State.String() })
	row("streams out / in", func(s sideStatus) string {
		return fmt.Sprintf("%d / %d", s.status.Outstrms, s.status.Instrms)
	})
	row("primary path", func(s sideStatus) string {
		return fmt.Sprintf("%v (%s)", s.status.Primary.Address, s.status.Primary.State)
	})
	row("paths", func(s sideStatus) string { return fmt.Sprint(len(s.stats.Paths)) })
	row("cwnd", func(s sideStatus) string { return fmt.Sprintf("%d bytes", s.status.Primary.Cwnd) })
	row("peer rwnd", func(s sideStatus) string { return fmt.Sprintf("%d bytes", s.status.Rwnd) })
	// The record has whole milliseconds; the counters the exact values.
	row("SRTT", func(s sideStatus) string { return ms(primaryPath(s.stats).SRTT) })
	row("RTO", func(s sideStatus) string { return ms(primaryPath(s.stats).RTO) })
	row("MTU / fragmentation point", func(s sideStatus) string {
		return fmt.Sprintf("%d (pmtud %s) / %d bytes", s.status.Primary.Mtu, s.status.Primary.Pmtud,
			s.status.FragmentationPoint)
	})
	row("unacked DATA chunks", func(s sideStatus) string { return fmt.Sprint(s.status.Unackdata) })
	row("retransmissions", func(s sideStatus) string {
		return fmt.Sprintf("%d (%d fast, %d T3-rtx expiries)", s.stats.Retransmissions,
			s.stats.FastRetransmissions, s.stats.T3Expirations)
	})
	row("messages sent / received", func(s sideStatus) string {
		return fmt.Sprintf("%d / %d", s.stats.SentMessages, s.stats.ReceivedMessages)
	})
	row("packets sent / received", func(s sideStatus) string {
		return fmt.Sprintf("%d / %d", s.stats.PacketsSent, s.stats.PacketsReceived)
	})
	row("DATA chunks sent / received", func(s sideStatus) string {
		return fmt.Sprintf("%d / %d", s.stats.DataChunksSent, s.stats.DataChunksReceived)
	})
	row("SACKs sent / received", func(s sideStatus) string {
		return fmt.Sprintf("%d / %d", s.stats.SACKsSent, s.stats.SACKsReceived)
	})
	row("duplicate TSNs", func(s sideStatus) string { return fmt.Sprint(s.stats.DuplicateTSNs) })
	tw.Flush()
}

func cell(s sideStatus, f func(sideStatus) string) string {
	if !s.ok {
		return "-"
	}
	return f(s)
}

// printShutdown prints the shutdown events relative to the first.
func printShutdown(w io.Writer, events []timedEvent) {
	fmt.Fprintf(w, "shutdown:\n")
	if len(events) == 0 {
		return
	}
	for _, e := range events {
		fmt.Fprintf(w, "  %+9.3f ms  %-6s  %s\n", float64(e.at.Sub(events[0].at))/1e6, e.side, e.text)
	}
}

// primaryPath returns the primary path of stats (the first), or none.
func primaryPath(stats api.AssocStats) api.PathStats {
	if len(stats.Paths) == 0 {
		return api.PathStats{}
	}
	return stats.Paths[0]
}

// srtts formats the smoothed round-trip time of every path.
func srtts(paths []api.PathStats) string {
	if len(paths) == 0 {
		return "-"
	}
	var b strings.Builder
	for i, p := range paths {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s to %v", ms(p.SRTT), p.Address)
	}
	return b.String()
}

// ms formats d in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/1e6) }

// mb formats a byte count in megabytes (10^6 bytes).
func mb(n uint64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// rttSummary formats round-trip times: count, min, average, max.
func rttSummary(rtts []time.Duration) string {
	if len(rtts) == 0 {
		return "no pings answered"
	}
	var sum time.Duration
	for _, r := range rtts {
		sum += r
	}
	return fmt.Sprintf("%d pings, min %s, avg %s, max %s", len(rtts),
		ms(slices.Min(rtts)), ms(sum/time.Duration(len(rtts))), ms(slices.Max(rtts)))
}
