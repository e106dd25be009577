package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/sim"
)

// simScenario is a validated sctp sim run.
type simScenario struct {
	o              *simOpts
	link           sim.LinkConfig
	client, server []netip.AddrPort
	cfg            association.Config
}

// simPort is the SCTP port of both ends of sctp sim.
const simPort = 5001

// scenario checks the flags and returns the run they describe.
func (o *simOpts) scenario() (*simScenario, error) {
	sc := &simScenario{o: o, link: o.linkConfig()}
	if err := sc.link.Validate(); err != nil {
		return nil, usagef("%v", err)
	}
	for i := range o.paths {
		sc.client = append(sc.client, netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i + 1), 0, 1}), 9899))
		sc.server = append(sc.server, netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i + 1), 0, 2}), 9899))
	}
	sc.cfg = o.knobs.assocConfig(int(o.mtu) - ipUDPHeaders)
	sc.cfg.OutboundStreams = max(sc.cfg.OutboundStreams, uint16(o.streams))
	sc.cfg.MaxInboundStreams = max(sc.cfg.MaxInboundStreams, uint16(o.streams))
	return sc, nil
}

// simRun is the state of a run.
type simRun struct {
	*simScenario
	w              *sim.World
	client, server *sim.Host
	id             endpoint.AssocID
	msg            []byte
	stream         uint16
	received       uint64 // bytes the server read
	tick           uint64 // received at the last trace line
	tickAt         time.Duration
}

// run plays the scenario and prints its report to out.
func (sc *simScenario) run(ctx context.Context, out io.Writer) (err error) {
	w, err := sim.NewWorld(uint64(sc.o.seed), sc.link)
	if err != nil {
		return err
	}
	w.Net.EnableTraceHash()
	if sc.o.pcap != "" {
		f, err := os.Create(sc.o.pcap)
		if err != nil {
			return fmt.Errorf("-pcap: %w", err)
		}
		c, err := sim.NewPcapTrace(f, sim.EventSent)
		if err != nil {
			f.Close()
			return fmt.Errorf("-pcap: %w", err)
		}
		w.Net.SetTrace(c.Hook)
		defer func() {
			if cerr := errors.Join(c.Close(), f.Close()); cerr != nil && err == nil {
				err = fmt.Errorf("-pcap: %w", cerr)
			}
		}()
	}
	r := &simRun{simScenario: sc, w: w, msg: make([]byte, sc.o.length)}
	if err := r.connect(); err != nil {
		return err
	}
	sc.header(out)
	if err := r.transfer(ctx, out); err != nil {
		return err
	}
	r.report(out)
	return nil
}

// connect sets up the hosts and the association.
func (r *simRun) connect() error {
	mk := func(addrs []netip.AddrPort) (*sim.Host, error) {
		return r.w.NewHost(endpoint.Config{Port: simPort, Assoc: r.cfg, MaxAssociations: int(r.o.knobs.maxAssocs),
			LoggerFactory: r.cfg.LoggerFactory}, addrs...)
	}
	var err error
	if r.client, err = mk(r.simScenario.client); err != nil {
		return err
	}
	if r.server, err = mk(r.simScenario.server); err != nil {
		return err
	}
	r.server.Listen(true)
	if r.id, err = r.client.Connect(simPort, r.simScenario.server[0]); err != nil {
		return err
	}
	if !r.w.RunUntil(10*time.Minute, func() bool { return r.client.Established(r.id) }) {
		return fmt.Errorf("no association within 10 minutes of virtual time (%v)", r.w.Drops)
	}
	if r.o.fail > 0 {
		first := []netip.Addr{r.simScenario.client[0].Addr(), r.simScenario.server[0].Addr()}
		var all []netip.Addr
		for _, a := range append(append([]netip.AddrPort(nil), r.simScenario.client...), r.simScenario.server...) {
			all = append(all, a.Addr())
		}
		r.w.Net.Partition(r.w.Now.Add(r.o.fail), sim.Never, first, all)
	}
	return nil
}

// pump keeps the client's send buffer full and reads what the server
// received; it never ends the run (a RunUntil condition).
func (r *simRun) pump(sending bool) bool {
	for sending && r.client.Send(r.id, r.stream, r.msg) == nil {
		r.stream = uint16((int(r.stream) + 1) % int(r.o.streams))
	}
	for _, d := range r.server.Drain() {
		if d.Event == nil {
			r.received += uint64(len(d.Message.Data))
		}
	}
	return false
}

// transfer runs the transfer for -T, printing the paths every -d; it
// stops early when ctx ends (SIGINT), within the step of the simulation
// under way (an interval may be long).
func (r *simRun) transfer(ctx context.Context, out io.Writer) error {
	start := r.w.Now
	end := start.Add(r.o.runtime)
	fmt.Fprintf(out, "%9s %-16s %-8s %8s %8s %8s %9s %9s %10s\n",
		"time", "path", "state", "cwnd", "ssthresh", "flight", "srtt", "rto", "Mbit/s")
	for t := start.Add(r.o.interval); ; t = t.Add(r.o.interval) {
		t = min(t, end)
		r.w.RunUntil(t.Sub(r.w.Now), func() bool { return r.pump(true) || ctx.Err() != nil })
		if err := ctx.Err(); err != nil {
			r.trace(out, r.w.Now.Sub(start))
			return err
		}
		r.w.Now = t
		r.trace(out, t.Sub(start))
		if t == end {
			return nil
		}
	}
}

// trace prints a line per path of the client, at at since the start,
// with the goodput since the previous line (the last interval of a run
// whose -T is not a multiple of -d is shorter than -d).
func (r *simRun) trace(out io.Writer, at time.Duration) {
	rate := 0.0
	if d := at - r.tickAt; d > 0 { // 0 when interrupted at once
		rate = float64(r.received-r.tick) * 8 / d.Seconds() / 1e6
	}
	r.tick, r.tickAt = r.received, at
	a, ok := r.client.Assoc(r.id)
	if !ok {
		fmt.Fprintf(out, "%9v association gone\n", at)
		return
	}
	for i, p := range a.Paths() {
		mbps := ""
		if i == 0 {
			mbps = fmt.Sprintf("%.3f", rate)
		}
		fmt.Fprintf(out, "%9v %-16v %-8v %8d %8d %8d %9v %9v %10s\n", at, p.Addr, p.State, p.CWnd, p.SSThresh,
			p.FlightSize, p.SRTT.Round(time.Microsecond), p.RTO, mbps)
	}
}

// header prints the scenario.
func (sc *simScenario) header(out io.Writer) {
	l := sc.link
	fmt.Fprintf(out, "sctp sim: seed %d, %d path(s), rtt %v, jitter %v, bw %d bit/s, queue %d B, mtu %d\n",
		sc.o.seed, len(sc.client), sc.o.rtt, l.Jitter, l.Bandwidth, l.QueueLimit, sc.o.mtu)
	fmt.Fprintf(out, "  loss %g, burst %g (mean %g), dup %g, reorder %g (+%v), corrupt %g; %d B messages on %d stream(s) for %v\n",
		l.Loss, l.BurstLoss, l.BurstLength, l.Duplicate, l.Reorder, l.ReorderDelay, l.Corrupt,
		sc.o.length, sc.o.streams, sc.o.runtime)
}

// report prints the totals.
func (r *simRun) report(out io.Writer) {
	fmt.Fprintf(out, "goodput: %.3f Mbit/s (%d bytes in %v of virtual time)\n",
		float64(r.received)*8/r.o.runtime.Seconds()/1e6, r.received, r.o.runtime)
	if a, ok := r.client.Assoc(r.id); ok {
		st := a.Stats()
		fmt.Fprintf(out, "client: %d packets sent, %d retransmissions (%d fast), %d T3-rtx timeouts, %d SACKs received\n",
			st.PacketsSent, st.Retransmissions, st.FastRetransmissions, st.T3Expirations, st.SACKsReceived)
	}
	s := r.w.Net.Stats()
	fmt.Fprintf(out, "network: %d sent, %d delivered, %d in flight; dropped: %d loss, %d burst, %d queue, %d mtu, %d partition; %d duplicated, %d reordered, %d corrupted\n",
		s.Sent, s.Delivered, s.InFlight, s.DroppedLoss, s.DroppedBurst, s.DroppedQueue, s.DroppedMTU,
		s.DroppedPartition, s.Duplicated, s.Reordered, s.Corrupted)
	h := r.w.Net.TraceHash()
	fmt.Fprintf(out, "trace hash: %x\n", h)
}
