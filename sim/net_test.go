package sim

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// With IsolateLinks, the fate of a link's datagrams does not depend on
// how sends on other links interleave with them.
func TestIsolateLinks(t *testing.T) {
	run := func(interleave bool) (ab, ba []uint64) {
		n := New(5)
		n.IsolateLinks()
		require.NoError(t, n.SetDefault(LinkConfig{Loss: 0.3, Jitter: time.Millisecond}))
		for i := range 200 {
			if interleave {
				n.Send(timer.Time(i), addrB, addrA, payload(uint64(i), 20))
				n.Send(timer.Time(i), addrA, addrB, payload(uint64(i), 20))
			} else {
				n.Send(timer.Time(i), addrA, addrB, payload(uint64(i), 20))
				n.Send(timer.Time(i), addrB, addrA, payload(uint64(i), 20))
			}
		}
		for _, d := range drainAll(t, n) {
			if d.To == addrB {
				ab = append(ab, idOf(d))
			} else {
				ba = append(ba, idOf(d))
			}
		}
		return ab, ba
	}
	ab1, ba1 := run(false)
	ab2, ba2 := run(true)
	require.Equal(t, ab1, ab2)
	require.Equal(t, ba1, ba2)
	require.NotEqual(t, ab1, ba1, "the two links draw differently")
	require.Less(t, len(ab1), 180)
}

// A Transport receives at its addresses after the link's delay in
// virtual time, sends from the address of the source IP, refuses a
// second owner of an address, and fails with net.ErrClosed once closed.
func TestNetTransport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := NewNet(1, LinkConfig{Delay: 30 * time.Millisecond})
		require.NoError(t, err)
		defer s.Close()
		a2 := netip.MustParseAddrPort("10.0.9.1:9899")
		ta, err := s.Transport(addrA, a2)
		require.NoError(t, err)
		tb, err := s.Transport(addrB)
		require.NoError(t, err)
		_, err = s.Transport(addrB)
		require.ErrorIs(t, err, ErrAddrInUse)
		require.Equal(t, []netip.AddrPort{addrA, a2}, ta.LocalAddrs())
		require.Equal(t, 9899, ta.Port())

		start := time.Now()
		n, err := ta.WriteBatch([]packetio.OutMessage{
			{To: addrB, Data: []byte("one")},
			{To: addrB, From: a2.Addr(), Data: []byte("two")},
			{To: netip.MustParseAddrPort("10.9.9.9:1"), Data: []byte("nobody")},
		})
		require.NoError(t, err)
		require.Equal(t, 3, n)
		msgs := make([]packetio.Message, 4)
		got := 0
		for got < 2 {
			k, err := tb.ReadBatch(msgs[got:])
			require.NoError(t, err)
			got += k
		}
		require.Equal(t, 30*time.Millisecond, time.Since(start))
		require.Equal(t, "one", string(msgs[0].Data))
		require.Equal(t, addrA, msgs[0].From)
		require.Equal(t, addrB, msgs[0].To)
		require.Equal(t, a2, msgs[1].From)
		tb.ReleaseBatch(msgs[:2])
		require.Nil(t, msgs[0].Data)
		synctest.Wait()
		require.Equal(t, uint64(1), s.Undeliverable())
		k, err := tb.ReadBatch(nil)
		require.NoError(t, err)
		require.Zero(t, k)

		// A reader blocked in ReadBatch is woken by Close.
		errc := make(chan error, 1)
		go func() {
			_, err := tb.ReadBatch(msgs)
			errc <- err
		}()
		synctest.Wait()
		require.NoError(t, tb.Close())
		require.NoError(t, tb.Close())
		require.True(t, errors.Is(<-errc, net.ErrClosed))
		_, err = tb.WriteBatch([]packetio.OutMessage{{To: addrA, Data: []byte("x")}})
		require.ErrorIs(t, err, net.ErrClosed)
		tb2, err := s.Transport(addrB) // the address is free again
		require.NoError(t, err)
		require.NoError(t, s.Close())
		_, err = tb2.ReadBatch(msgs)
		require.ErrorIs(t, err, net.ErrClosed)
		_, err = s.Transport(netip.MustParseAddrPort("10.1.1.1:1"))
		require.ErrorIs(t, err, net.ErrClosed)
	})
}

// A Transport whose reader does not read keeps maxQueued datagrams and
// counts the rest as dropped.
func TestNetTransportQueueBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := NewNet(1, LinkConfig{})
		require.NoError(t, err)
		defer s.Close()
		ta, err := s.Transport(addrA)
		require.NoError(t, err)
		tb, err := s.Transport(addrB)
		require.NoError(t, err)
		for range maxQueued + 10 {
			_, err := ta.WriteBatch([]packetio.OutMessage{{To: addrB, Data: []byte("x")}})
			require.NoError(t, err)
		}
		require.Equal(t, uint64(10), tb.Dropped())
		var st Stats
		s.Do(func(n *Network, now Time) { st = n.Stats() })
		require.Equal(t, uint64(maxQueued+10), st.Delivered)
	})
}

// With IsolateLinks, datagrams of different links that arrive at the same
// instant come out of Receive in an order that does not depend on the
// order their sends interleaved in (the goroutines of a Net at one
// virtual instant), so that the trace hash and what each receiver sees
// first repeat; a link's own datagrams keep their order.
func TestIsolateLinksSameInstantOrder(t *testing.T) {
	addrC := netip.MustParseAddrPort("10.0.0.3:9899")
	run := func(order [][2]Addr) ([]Datagram, [32]byte) {
		n := New(5)
		n.IsolateLinks()
		n.EnableTraceHash()
		require.NoError(t, n.SetDefault(LinkConfig{Delay: time.Millisecond}))
		for i := range 3 {
			for _, l := range order {
				n.Send(timer.Time(i), l[0], l[1], payload(uint64(i), 20))
			}
		}
		return drainAll(t, n), n.TraceHash()
	}
	links := [][2]Addr{{addrA, addrB}, {addrB, addrA}, {addrC, addrB}}
	d1, h1 := run(links)
	d2, h2 := run([][2]Addr{links[2], links[0], links[1]})
	require.Len(t, d1, 9)
	require.Equal(t, d1, d2)
	require.Equal(t, h1, h2)
	for i, d := range d1 {
		require.Equal(t, uint64(i/3), idOf(d), "arrival order by time, then by link")
	}
}
