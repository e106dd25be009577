package api

import (
	"context"
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/stretchr/testify/require"
)

// asconfOpts turns ASCONF on (with AUTH, on by default).
var asconfOpts = []Option{SCTPAsconfSupported(true)}

// canBindLo2 skips the test where 127.0.0.2 cannot be bound (macOS has
// 127.0.0.1 alone by default).
func canBindLo2(t *testing.T) {
	t.Helper()
	s, err := Open(IP(lo2), LocalUDPPort(0))
	if err != nil {
		t.Skipf("cannot bind 127.0.0.2: %v", err)
	}
	s.Close()
}

// migrationResult is what the server of TestBindxMigration received.
type migrationResult struct {
	msgs   int
	events []string
	err    error
}

// receiveMigration reads srv until n messages and the removal of lo have
// arrived, checking the order of the messages.
func receiveMigration(ctx context.Context, srv *Socket, n int) migrationResult {
	var r migrationResult
	removed := false
	for r.msgs < n || !removed {
		d, err := srv.Recv(ctx)
		if err != nil {
			r.err = err
			return r
		}
		switch e := d.Event.(type) {
		case nil:
			if got := binary.BigEndian.Uint32(d.Data); got != uint32(r.msgs) {
				r.err = errors.New("out of order")
				return r
			}
			r.msgs++
		case *PaddrChange:
			r.events = append(r.events, e.State.String()+" "+e.Addr.Addr().String())
			removed = removed || e.State == AddrRemoved && e.Addr.Addr() == lo
		}
	}
	return r
}

// TestBindxMigration moves a live association from 127.0.0.1 to
// 127.0.0.2 on real sockets: BindxAdd, sctp_set_peer_primary_addr and
// BindxRemove while messages flow; every message arrives, in order, and
// the server reports the address events as Linux does.
func TestBindxMigration(t *testing.T) {
	canBindLo2(t)
	srv := server(t, asconfOpts...)
	c := clientOf(t, srv, asconfOpts...)
	ac := connect(t, c, srv)
	sac := recvState(t, srv, CommUp)
	on, err := GetOpt[bool](c, OptionQuery{Name: "sctp_asconf_supported", AssocID: ac.AssocID})
	require.NoError(t, err)
	require.True(t, on)
	const n = 2000
	ctx := testCtx(t)
	done := make(chan migrationResult, 1)
	go func() { done <- receiveMigration(ctx, srv, n) }()
	msg := make([]byte, 100)
	for i := range n {
		binary.BigEndian.PutUint32(msg, uint32(i))
		require.NoError(t, c.Send(ac.AssocID, 0, msg))
		if i == n/2 {
			require.NoError(t, c.BindxAdd(lo2))
			require.NoError(t, c.SetOpts(SCTPSetPeerPrimaryAddr(SetPeerPrim{AssocID: ac.AssocID,
				Addr: netip.AddrPortFrom(lo2, 0)})))
			require.NoError(t, c.BindxRemove(lo))
		}
	}
	var r migrationResult
	select {
	case r = <-done:
	case <-ctx.Done():
		t.Fatal("migration not done")
	}
	require.NoError(t, r.err)
	require.Equal(t, n, r.msgs)
	require.Subset(t, r.events, []string{"addr_added 127.0.0.2", "addr_made_prim 127.0.0.2", "addr_removed 127.0.0.1"})
	peers, err := srv.PeerNames(sac.AssocID)
	require.NoError(t, err)
	require.Len(t, peers, 1)
	require.Equal(t, lo2, peers[0].Addr())
	locals, err := c.SockNames(ac.AssocID)
	require.NoError(t, err)
	require.Equal(t, []netip.Addr{lo2}, addrsOf(locals))
	// Data still flows both ways.
	require.NoError(t, srv.Send(sac.AssocID, 0, []byte("back")))
	require.Equal(t, []byte("back"), recvData(t, c).Data)
}

// addrsOf returns the IP addresses of aps.
func addrsOf(aps []netip.AddrPort) []netip.Addr {
	out := make([]netip.Addr, 0, len(aps))
	for _, ap := range aps {
		out = append(out, ap.Addr())
	}
	return out
}

func TestBindxErrors(t *testing.T) {
	canBindLo2(t)
	s := open(t)
	requireReason := func(err error, want Atom) {
		t.Helper()
		var e *Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, want, e.Reason)
	}
	requireReason(s.BindxRemove(lo), Einval) // the last address
	requireReason(s.BindxRemove(lo2), Einval)
	requireReason(s.BindxAdd(netip.IPv4Unspecified()), Einval)
	requireReason(s.BindxAdd(netip.MustParseAddr("::1")), Einval) // an inet socket
	wild, err := Open(LocalUDPPort(0))
	require.NoError(t, err)
	defer wild.Close()
	requireReason(wild.BindxAdd(lo2), Einval)
	// Another socket of the SCTP port holds 127.0.0.2.
	other, err := Open(IP(lo2), LocalUDPPort(s.UDPPort()), Port(s.Port()))
	require.NoError(t, err)
	defer other.Close()
	requireReason(s.BindxAdd(lo2), Eaddrinuse)
	require.NoError(t, other.Close())
	require.NoError(t, s.BindxAdd(lo2))
	names, err := s.SockNames(0)
	require.NoError(t, err)
	require.ElementsMatch(t, []netip.Addr{lo, lo2}, addrsOf(names))
	require.NoError(t, s.BindxRemove(lo))
	names, err = s.SockNames(0)
	require.NoError(t, err)
	require.Equal(t, []netip.Addr{lo2}, addrsOf(names))
}

// TestSetPeerPrimaryAddrNeedsASCONF: without ASCONF negotiated the option
// is refused with ErrNotSupported (reason enotsup); with it, an address
// that is not the association's is einval.
func TestSetPeerPrimaryAddrNeedsASCONF(t *testing.T) {
	srv := server(t)
	c := clientOf(t, srv, asconfOpts...)
	ac := connect(t, c, srv)
	err := c.SetOpts(SCTPSetPeerPrimaryAddr(SetPeerPrim{AssocID: ac.AssocID, Addr: netip.AddrPortFrom(lo, 0)}))
	require.ErrorIs(t, err, ErrNotSupported)
	require.ErrorIs(t, err, association.ErrASCONFNotSupported)
	srv2 := server(t, asconfOpts...)
	c2 := clientOf(t, srv2, asconfOpts...)
	ac2 := connect(t, c2, srv2)
	err = c2.SetOpts(SCTPSetPeerPrimaryAddr(SetPeerPrim{AssocID: ac2.AssocID, Addr: netip.AddrPortFrom(lo2, 0)}))
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, Einval, e.Reason)
	require.NoError(t, c2.SetOpts(SCTPSetPeerPrimaryAddr(SetPeerPrim{AssocID: ac2.AssocID, Addr: netip.AddrPortFrom(lo, 0)})))
}

// Concurrent BindxAdd calls of one address add it once (the documented
// skip of addresses bound already holds across calls that race): the
// socket lists it once, and one BindxRemove takes it away.
func TestBindxAddRace(t *testing.T) {
	canBindLo2(t)
	for round := range 20 {
		s := open(t)
		const n = 8
		errs := make(chan error, n)
		start := make(chan struct{})
		for range n {
			go func() {
				<-start
				errs <- s.BindxAdd(lo2)
			}()
		}
		close(start)
		for range n {
			require.NoError(t, <-errs)
		}
		names, err := s.SockNames(0)
		require.NoError(t, err)
		require.ElementsMatch(t, []netip.Addr{lo, lo2}, addrsOf(names), "round %d", round)
		require.NoError(t, s.BindxRemove(lo2))
		names, err = s.SockNames(0)
		require.NoError(t, err)
		require.Equal(t, []netip.Addr{lo}, addrsOf(names), "round %d", round)
		require.NoError(t, s.Close())
	}
}
