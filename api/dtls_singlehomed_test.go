package api

import (
	"context"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/packetio/packetiotest"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// A socket over DTLS is single-homed (RFC 8261 Section 6.1): a peer
// whose INIT lists two IPv4 addresses (a multihomed association of the
// core, driven by hand over the pipe) gets an association with one path,
// its DTLS connection, rather than three.
func TestOverDTLSSingleHomed(t *testing.T) {
	ca, cb := packetiotest.Pipe()
	srv, err := Open(OverDTLS(cb), Linger(true, 0))
	require.NoError(t, err)
	defer srv.Close()
	require.NoError(t, srv.Listen(true))
	start := time.Now()
	now := func() timer.Time { return timer.Time(time.Since(start)) }
	peer := netip.MustParseAddrPort("192.0.0.8:0")
	a, err := association.New(association.Config{LocalPort: DTLSPort, PeerPort: DTLSPort, Rand: rand.NewPCG(1, 2),
		LocalAddrs: []netip.Addr{netip.MustParseAddr("10.9.0.1"), netip.MustParseAddr("10.9.0.2")}}, now(), peer)
	require.NoError(t, err)
	require.NoError(t, a.Connect(now()))
	in := make(chan []byte, 16)
	go func() {
		defer close(in)
		for {
			b := make([]byte, 1<<16)
			n, err := ca.Read(b)
			if err != nil {
				return
			}
			in <- b[:n]
		}
	}()
	for i := 0; i < 1000 && a.State() != association.StateEstablished; i++ {
		select {
		case b := <-in:
			_ = a.HandleDatagram(&association.Datagram{Now: now(), From: peer, Data: b})
		case <-time.After(5 * time.Millisecond):
		}
		if a.NextDeadline() <= now() {
			a.HandleTimeout(now())
		}
		for {
			out, ok := a.AppendPacket(now(), nil)
			if !ok {
				break
			}
			_, err := ca.Write(out.Data)
			require.NoError(t, err)
		}
	}
	require.Equal(t, association.StateEstablished, a.State())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := srv.Recv(ctx)
	require.NoError(t, err)
	up, ok := d.Event.(*AssocChange)
	require.True(t, ok, "%+v", d)
	names, err := srv.PeerNames(up.AssocID)
	require.NoError(t, err)
	require.Len(t, names, 1, "%v", names)
	st, err := srv.AssocStats(up.AssocID)
	require.NoError(t, err)
	require.Len(t, st.Paths, 1)
}

// ASCONF, whose Add IP Address would give a peer another path, is refused
// over a connected transport, at Open and later; off it is accepted.
func TestAsconfRefusedOverConnectedTransport(t *testing.T) {
	on := SCTPAsconfSupported(true)
	for _, over := range []func(c *packetiotest.PipeConn) Option{
		func(c *packetiotest.PipeConn) Option { return OverDTLS(c) },
		func(c *packetiotest.PipeConn) Option { return OverConn(c) },
	} {
		a, b := packetiotest.Pipe()
		_, err := Open(over(a), on)
		require.ErrorIs(t, err, ErrTransportUnsupported)
		require.ErrorIs(t, err, ErrInvalidOption)
		s, err := Open(over(a), SCTPAsconfSupported(false))
		require.NoError(t, err)
		require.ErrorIs(t, s.SetOpts(on), ErrTransportUnsupported)
		v, err := GetOpt[bool](s, OptionQuery{Name: "sctp_asconf_supported"})
		require.NoError(t, err)
		require.False(t, v)
		require.NoError(t, s.Close())
		require.NoError(t, b.Close())
	}
}
