package main

import (
	"context"
	"io"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// These tests check that protocol knobs of the commands take effect on
// the wire: the test itself is the peer (an api socket on 127.0.0.1) and
// looks at the associations from its side.

var (
	knobLo  = netip.MustParseAddr("127.0.0.1")
	knobLo2 = netip.MustParseAddr("127.0.0.2") // 127.0.0.0/8 is all loopback
)

// knobCtx bounds a test.
func knobCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// knobPeer opens the test's own socket on 127.0.0.1 (ephemeral UDP port)
// with SCTP port port (0: ephemeral), listening or not, with opts. Its
// deadlines bound the test.
func knobPeer(t *testing.T, port uint16, listen bool, opts ...api.Option) *api.Socket {
	t.Helper()
	opts = append([]api.Option{api.IP(knobLo), api.LocalUDPPort(0), api.Port(port), api.SCTPNodelay(true)}, opts...)
	s, err := api.Open(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	require.NoError(t, s.SetDeadline(time.Now().Add(20*time.Second)))
	if listen {
		require.NoError(t, s.Listen(true))
	}
	return s
}

// knobClient opens a test socket that reaches the command listening on
// 127.0.0.1 UDP port udp.
func knobClient(t *testing.T, udp string) *api.Socket {
	t.Helper()
	p, err := strconv.Atoi(udp)
	require.NoError(t, err)
	return knobPeer(t, 0, false, api.RemoteUDPPort(p))
}

// received is what a listening knobPeer got from one association.
type received struct {
	id   api.AssocID
	msgs []api.Delivery
	end  *api.AssocChange
}

// collectAll reads s until an association ended, keeping its messages.
func collectAll(t *testing.T, s *api.Socket) received {
	t.Helper()
	var r received
	for r.end == nil {
		d, err := recv(s)
		require.NoError(t, err, "collect")
		r.id = d.Assoc()
		if d.Event == nil {
			r.msgs = append(r.msgs, d)
		} else if ended(d.Event) {
			r.end = d.Event.(*api.AssocChange)
		}
	}
	return r
}

// acceptOne reads s until an association is up and returns it; other
// deliveries are dropped.
func acceptOne(t *testing.T, s *api.Socket) api.AssocID {
	t.Helper()
	id, err := acceptFirst(s)
	require.NoError(t, err)
	return id
}

// peerPaths returns the peer addresses of association id of s.
func peerPaths(t *testing.T, s *api.Socket, id api.AssocID) []api.PathStats {
	t.Helper()
	st, err := s.AssocStats(id)
	require.NoError(t, err)
	return st.Paths
}

// pathAddrs returns the IP addresses of paths, sorted.
func pathAddrs(paths []api.PathStats) []netip.Addr {
	var out []netip.Addr
	for _, p := range paths {
		out = append(out, p.Address.Addr().Unmap())
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out
}

// -max-assocs 2: a third association is refused with an ABORT carrying
// an Out of Resource cause (RFC 9260 Section 5.1: "If an endpoint receives
// an INIT, INIT ACK, or COOKIE ECHO chunk but decides not to establish the
// new association due to ... lack of local resources, it SHOULD respond
// with an ABORT chunk"), so the client sees cant_assoc; once one of the
// two ends, a new one gets in.
func TestKnobMaxAssocs(t *testing.T) {
	ctx := knobCtx(t)
	srv := startCmd(t, 20*time.Second, nil, "echo", "-udp-port", "0", "-L", "127.0.0.1", "-max-assocs", "2")
	udp := srv.udpPort(t)
	var ids []api.AssocID
	var clients []*api.Socket
	for range 2 {
		c := knobClient(t, udp)
		ac, err := connect(ctx, c, []netip.Addr{knobLo}, 7)
		require.NoError(t, err)
		clients, ids = append(clients, c), append(ids, ac.AssocID)
	}
	ac, err := connect(ctx, knobClient(t, udp), []netip.Addr{knobLo}, 7)
	require.ErrorIs(t, err, errAssocFailed)
	require.Equal(t, api.CantAssoc, ac.State)
	require.Equal(t, chunk.CauseOutOfResource, ac.Error)

	require.NoError(t, shutdownAndWait(ctx, clients[0], ids[0]))
	srv.waitOutput(t, "assoc_change shutdown_comp")
	ac, err = connect(ctx, knobClient(t, udp), []netip.Addr{knobLo}, 7)
	require.NoError(t, err, "a slot is free again")
	require.Equal(t, api.CommUp, ac.State)
	stopServer(t, srv)
}

// stopServer interrupts a server (like SIGINT) while the test's nodes
// still answer its SHUTDOWNs, and checks that it exits cleanly.
func stopServer(t *testing.T, srv *result) {
	t.Helper()
	srv.cancel()
	srv.wait(t, 10*time.Second)
	require.Equal(t, 0, srv.code, srv.err.String())
}

// -L twice makes a multihomed endpoint: the server lists both addresses
// in its INIT ACK (RFC 9260 Section 3.3.3), so our association with it
// has a path to each, and the second path gets confirmed by a heartbeat
// (Section 5.4); a client with -L twice lists both in its INIT.
func TestKnobMultihomed(t *testing.T) {
	t.Run("server", func(t *testing.T) {
		ctx := knobCtx(t)
		srv := startCmd(t, 20*time.Second, nil, "echo", "-udp-port", "0", "-L", "127.0.0.1", "-L", "127.0.0.2")
		udp := srv.udpPort(t)
		require.Regexp(t, `listening on UDP 127\.0\.0\.1:`+udp+`, 127\.0\.0\.2:`+udp+`, SCTP port 7`, srv.err.String())
		c := knobClient(t, udp)
		ac, err := connect(ctx, c, []netip.Addr{knobLo}, 7)
		require.NoError(t, err)
		require.Equal(t, []netip.Addr{knobLo, knobLo2}, pathAddrs(peerPaths(t, c, ac.AssocID)))
		requireConfirmed(ctx, t, c, ac.AssocID)
		stopServer(t, srv)
	})
	t.Run("client", func(t *testing.T) {
		ctx := knobCtx(t)
		l := knobPeer(t, 4001, true)
		in, inW := io.Pipe()
		t.Cleanup(func() { inW.Close() })
		cat := startCmd(t, 20*time.Second, in, "cat", "-L", "127.0.0.1", "-L", "127.0.0.2",
			"-remote-udp-port", strconv.Itoa(l.UDPPort()), "-p", "4001", "127.0.0.1")
		id := acceptOne(t, l)
		require.Equal(t, []netip.Addr{knobLo, knobLo2}, pathAddrs(peerPaths(t, l, id)))
		requireConfirmed(ctx, t, l, id)
		require.NoError(t, inW.Close()) // EOF: cat shuts down
		cat.wait(t, 10*time.Second)
		require.Equal(t, 0, cat.code, cat.err.String())
	})
}

// requireConfirmed waits until every path of association id is active
// (confirmed, RFC 9260 Section 5.4), looking every 10 ms.
func requireConfirmed(ctx context.Context, t *testing.T, s *api.Socket, id api.AssocID) {
	t.Helper()
	for {
		paths := peerPaths(t, s, id)
		if !slices.ContainsFunc(paths, func(p api.PathStats) bool { return p.State != api.PaddrActive }) {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("paths %+v: %v", paths, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// perf -u sends unordered messages (the U bit of the DATA chunks, RFC
// 9260 Section 3.3.1): every message arrives unordered; without -u,
// ordered with SSNs 0, 1, 2, ...
func TestKnobUnordered(t *testing.T) {
	for _, unordered := range []bool{true, false} {
		t.Run(strconv.FormatBool(unordered), func(t *testing.T) {
			l := knobPeer(t, 5001, true)
			args := []string{"perf", "-U", strconv.Itoa(l.UDPPort()), "-p", "5001", "-L", "127.0.0.1", "-n", "50", "-l", "300"}
			if unordered {
				args = append(args, "-u")
			}
			cli := startCmd(t, 20*time.Second, nil, append(args, "127.0.0.1")...)
			r := collectAll(t, l)
			require.Equal(t, api.ShutdownComp, r.end.State)
			require.Len(t, r.msgs, 50)
			for i, m := range r.msgs {
				require.Len(t, m.Data, 300)
				require.Equal(t, unordered, m.Info.Flags&api.Unordered != 0, "message %d", i)
				if !unordered {
					require.EqualValues(t, i, m.Info.SSN, "message %d", i)
				}
			}
			cli.wait(t, 10*time.Second)
			require.Equal(t, 0, cli.code, cli.err.String())
		})
	}
}

// perf -R sets the receive buffer: the a_rwnd of the server's INIT ACK
// (RFC 9260 Section 3.3.3), the peer window our association starts with,
// is the share of it that full-size DATA chunks fill once each is charged
// association.ChunkOverhead; -v prints the buffer as tsctp does.
func TestKnobReceiveBuffer(t *testing.T) {
	ctx := knobCtx(t)
	srv := startCmd(t, 20*time.Second, nil, "perf", "-E", "0", "-L", "127.0.0.1", "-R", "30000", "-v")
	udp := srv.udpPort(t)
	srv.waitOutput(t, "Receive buffer size: 30000.\n")
	c := knobClient(t, udp)
	ac, err := connect(ctx, c, []netip.Addr{knobLo}, 5001)
	require.NoError(t, err)
	st, err := c.Status(ac.AssocID)
	require.NoError(t, err)
	full := association.DefaultMTU - 12 - 16 // a full DATA chunk's user data
	require.EqualValues(t, 30000*full/(full+association.ChunkOverhead), st.Rwnd)
	stopServer(t, srv)
}

var sentRE = regexp.MustCompile(`(?m)^Sending message number (\d+)\.$`)

// lastSent returns the last "Sending message number N." of perf -V.
func lastSent(out string) int {
	m := sentRE.FindAllStringSubmatch(out, -1)
	if len(m) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(m[len(m)-1][1])
	return n
}

// perf -S bounds what the client queues: against a peer that does not
// read (its 4000-byte window stays closed), a client with -S 5000 queues
// about rwnd + sndbuf bytes of 1000-byte messages and waits, while one
// with the default send buffer (1 MiB) queues all 100 at once. Once the
// peer reads, the small buffer drains and all 100 arrive.
func TestKnobSendBuffer(t *testing.T) {
	for _, small := range []bool{true, false} {
		t.Run("small="+strconv.FormatBool(small), func(t *testing.T) {
			l := knobPeer(t, 5001, true, api.Recbuf(4000)) // not read: the window closes
			args := []string{"perf", "-U", strconv.Itoa(l.UDPPort()), "-p", "5001", "-L", "127.0.0.1", "-n", "100", "-l", "1000", "-V"}
			if small {
				args = append(args, "-S", "5000")
			}
			cli := startCmd(t, 20*time.Second, nil, append(args, "127.0.0.1")...)
			if !small {
				cli.waitOutput(t, "Sending message number 100.\n")
			} else {
				cli.waitOutput(t, "Send buffer size: 5000.\n")
				cli.waitOutput(t, "Sending message number 1.\n")
				// Wait until the client stops queueing (bounded), then
				// check how far it got.
				last, same := -1, 0
				for i := 0; i < 500 && same < 20; i++ {
					if n := lastSent(cli.out.String()); n == last {
						same++
					} else {
						last, same = n, 0
					}
					time.Sleep(10 * time.Millisecond)
				}
				t.Logf("with -S 5000, %d messages queued while the peer does not read", last)
				require.LessOrEqual(t, last, 14, "queued beyond rwnd + sndbuf")
			}
			r := collectAll(t, l) // read: the client finishes
			require.Equal(t, api.ShutdownComp, r.end.State)
			require.Len(t, r.msgs, 100)
			cli.wait(t, 10*time.Second)
			require.Equal(t, 0, cli.code, cli.err.String())
			require.Regexp(t, `Sending of 100 messages of length 1000 took`, cli.out.String())
		})
	}
}
