package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/gensctp/gensctp/api"
)

// demo -migrate: connection migration with ASCONF (RFC 5061) over UDP
// encapsulation. The client, bound to 127.0.0.1, transfers numbered
// messages; halfway it adds 127.0.0.2 (BindxAdd), asks the server to make
// it primary (sctp_set_peer_primary_addr) and deletes 127.0.0.1
// (BindxRemove). The server checks that every message arrives once, in
// order, and times the longest pause of the flow after the migration
// began.

// migrateSettle is how long after the last address event a pause still
// counts as the migration's.
const migrateSettle = 100 * time.Millisecond

// demoLoopback2 is the address the client migrates to.
var demoLoopback2 = netip.MustParseAddr("127.0.0.2")

// migrateServer counts the messages and records the events and the
// arrival gaps of the migration demo's server.
type migrateServer struct {
	s      *api.Socket
	mu     sync.Mutex
	got    uint64
	id     api.AssocID
	last   time.Time
	moved  time.Time     // when the client began to migrate (zero before)
	gaps   []timedGap    // the pauses between two messages since moved
	before time.Duration // the longest before moved
	events []timedEvent
	err    error
}

// run reads the server's deliveries until ctx is done or the socket
// closes.
func (m *migrateServer) run(ctx context.Context) {
	for ctx.Err() == nil {
		d, err := m.s.Recv(ctx)
		if err != nil {
			return
		}
		now := time.Now()
		m.mu.Lock()
		switch {
		case d.Event != nil:
			if ac, ok := d.Event.(*api.AssocChange); ok && ac.State == api.CommUp {
				m.id = ac.AssocID
			}
			m.events = append(m.events, timedEvent{now, "server", describeEvent(d.Event)})
		case len(d.Data) < 8 || binary.BigEndian.Uint64(d.Data) != m.got:
			m.err = fmt.Errorf("message %d out of order or damaged", m.got)
		default:
			m.got++
			if !m.last.IsZero() {
				g := now.Sub(m.last)
				if m.moved.IsZero() {
					m.before = max(m.before, g)
				} else if len(m.gaps) < maxGaps {
					m.gaps = append(m.gaps, timedGap{now, g})
				}
			}
			m.last = now
		}
		m.mu.Unlock()
	}
}

// timedGap is a pause between two messages, ending at end.
type timedGap struct {
	end time.Time
	d   time.Duration
}

// maxGaps bounds the pauses kept (one per message).
const maxGaps = 1 << 22

// migrationGap returns the longest pause between two messages from the
// migration's start until settle after the last address event of the
// server, and the longest after that.
func (m *migrateServer) migrationGap(settle time.Duration) (during, after time.Duration) {
	last := m.moved
	for _, e := range m.events {
		if strings.HasPrefix(e.text, "paddr_change") && e.at.After(last) {
			last = e.at
		}
	}
	for _, g := range m.gaps {
		if g.end.Add(-g.d).Before(last.Add(settle)) {
			during = max(during, g.d)
		} else {
			after = max(after, g.d)
		}
	}
	return during, after
}

// counts returns the messages received and the first error.
func (m *migrateServer) counts() (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.got, m.err
}

// demoMigrate runs the migration demo.
func demoMigrate(ctx context.Context, sio stdio, o *demoOpts, opts []api.Option) error {
	began := time.Now()
	opts = append(opts, api.SCTPAsconfSupported(true))
	srvSock, cliSock, err := openDemoSockets(o, opts)
	if err != nil {
		return err
	}
	defer srvSock.Close()
	defer cliSock.Close()
	w := sio.out
	fmt.Fprintf(w, "gensctp demo -migrate: SCTP over UDP (RFC 6951) on loopback, ASCONF (RFC 5061) with AUTH (RFC 4895)\n")
	fmt.Fprintf(w, "  server  %s\n  client  %s\n", describeAddrs(srvSock), describeAddrs(cliSock))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := &migrateServer{s: srvSock}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Add(1)
	go func() { defer wg.Done(); srv.run(ctx) }()
	ac, err := connect(ctx, cliSock, []netip.Addr{demoLoopback}, demoPort)
	if err != nil {
		return err
	}
	on, err := api.GetOpt[bool](cliSock, api.OptionQuery{Name: "sctp_asconf_supported", AssocID: ac.AssocID})
	if err != nil || !on {
		return errors.New("the association did not negotiate ASCONF")
	}
	sent, moved, err := migrateTransfer(ctx, cliSock, ac.AssocID, srv, o)
	if err != nil {
		return err
	}
	if err := waitReceived(ctx, srv, sent); err != nil {
		return err
	}
	reportMigration(w, srv, cliSock, ac.AssocID, sent, moved, o)
	fmt.Fprintf(w, "demo done in %.2f s\n", time.Since(began).Seconds())
	return nil
}

// migrateTransfer sends numbered messages for o.runtime and migrates the
// association halfway; it returns the messages sent and when the
// migration began.
func migrateTransfer(ctx context.Context, s *api.Socket, id api.AssocID, srv *migrateServer, o *demoOpts) (uint64, time.Time, error) {
	msg := make([]byte, max(o.length, 8))
	var sent uint64
	var moved time.Time
	start := time.Now()
	for time.Since(start) < o.runtime {
		if ctx.Err() != nil {
			return sent, moved, ctx.Err()
		}
		if moved.IsZero() && time.Since(start) >= o.runtime/2 {
			moved = time.Now()
			srv.mu.Lock()
			srv.moved = moved
			srv.mu.Unlock()
			if err := migrate(s, id); err != nil {
				return sent, moved, err
			}
		}
		binary.BigEndian.PutUint64(msg, sent)
		if err := s.SendInfo(api.SndRcvInfo{AssocID: id, PPID: bulkPPID}, msg); err != nil {
			return sent, moved, err
		}
		sent++
	}
	return sent, moved, nil
}

// migrate moves the association id of s from 127.0.0.1 to 127.0.0.2.
func migrate(s *api.Socket, id api.AssocID) error {
	if err := s.BindxAdd(demoLoopback2); err != nil {
		return fmt.Errorf("adding %v: %w", demoLoopback2, err)
	}
	if err := s.SetOpts(api.SCTPSetPeerPrimaryAddr(api.SetPeerPrim{AssocID: id,
		Addr: netip.AddrPortFrom(demoLoopback2, 0)})); err != nil {
		return err
	}
	if err := s.BindxRemove(demoLoopback); err != nil {
		return fmt.Errorf("deleting %v: %w", demoLoopback, err)
	}
	return nil
}

// waitReceived waits until the server received sent messages.
func waitReceived(ctx context.Context, srv *migrateServer, sent uint64) error {
	deadline := time.Now().Add(demoSlack)
	for {
		got, err := srv.counts()
		switch {
		case err != nil:
			return err
		case got == sent:
			return nil
		case ctx.Err() != nil || time.Now().After(deadline):
			return fmt.Errorf("the server received %d of %d messages", got, sent)
		}
		time.Sleep(drainPoll)
	}
}

// reportMigration prints the counts, the pause and the events.
func reportMigration(w io.Writer, srv *migrateServer, cli *api.Socket, id api.AssocID, sent uint64, moved time.Time, o *demoOpts) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	fmt.Fprintf(w, "transfer for %v: %d-byte messages, migrated from %v to %v halfway\n", o.runtime, max(o.length, 8),
		demoLoopback, demoLoopback2)
	fmt.Fprintf(w, "  sent        %d messages\n", sent)
	fmt.Fprintf(w, "  received    %d messages, in order\n", srv.got)
	during, after := srv.migrationGap(migrateSettle)
	fmt.Fprintf(w, "  interruption %s (longest pause between two messages from the migration's start to %v after the last address event; the longest before %s, after %s)\n",
		ms(during), migrateSettle, ms(srv.before), ms(after))
	if locals, err := cli.SockNames(id); err == nil {
		fmt.Fprintf(w, "  client addresses now %v\n", locals)
	}
	if peers, err := srv.s.PeerNames(srv.id); err == nil {
		fmt.Fprintf(w, "  server's peer addresses now %v\n", peers)
	}
	fmt.Fprintf(w, "events seen (ms after the migration began):\n")
	for _, e := range srv.events {
		if !e.at.Before(moved) {
			fmt.Fprintf(w, "  %9.3f  %-7s %s\n", float64(e.at.Sub(moved))/1e6, e.side, e.text)
		}
	}
}
