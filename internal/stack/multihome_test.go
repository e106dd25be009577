package stack

import (
	"context"
	"encoding/binary"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/congestion"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/stretchr/testify/require"
)

var (
	lo1 = netip.MustParseAddr("127.0.0.1")
	lo2 = netip.MustParseAddr("127.0.0.2")
)

func mhStack(t *testing.T) *Stack {
	t.Helper()
	s, err := New(Config{UDP: udpencap.Config{LocalAddrs: []netip.Addr{lo1, lo2}}})
	if err != nil {
		t.Skipf("cannot bind 127.0.0.1 and 127.0.0.2: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mhEndpoint(port uint16) endpoint.Config {
	return endpoint.Config{Port: port, Assoc: association.Config{
		Rand:              CryptoSource(),
		LocalAddrs:        []netip.Addr{lo1, lo2},
		RTO:               congestion.RTOConfig{Initial: 200 * time.Millisecond, Min: 100 * time.Millisecond, Max: time.Second},
		PathMaxRetrans:    2,
		HeartbeatInterval: 300 * time.Millisecond,
		NoDelay:           true,
	}}
}

// pathCount counts datagrams by (source address, destination address).
type pathCount struct {
	mu sync.Mutex
	n  map[[2]netip.Addr]int
}

func (c *pathCount) add(from, to netip.Addr) {
	c.mu.Lock()
	c.n[[2]netip.Addr{from, to}]++
	c.mu.Unlock()
}

func (c *pathCount) get(from, to netip.Addr) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[[2]netip.Addr{from, to}]
}

// Multihoming over real sockets: both ends bound to
// 127.0.0.1 and 127.0.0.2; the primary path (127.0.0.1 <-> 127.0.0.1) is
// blocked by a fault-injection hook in the middle of a transfer; the
// association fails over to 127.0.0.2 with nothing lost, and every packet
// leaves from the local address of its path, as the receiver sees it.
func TestMultihomeRealSockets(t *testing.T) {
	a, z := mhStack(t), mhStack(t)
	zep, err := z.AddEndpoint(mhEndpoint(5001))
	require.NoError(t, err)
	z.Do(func(timer.Time) error { zep.Listen(true); return nil })
	aep, err := a.AddEndpoint(mhEndpoint(5000))
	require.NoError(t, err)

	seen := &pathCount{n: map[[2]netip.Addr]int{}}
	var blocked atomic.Bool
	z.Conn().SetHook(func(dir udpencap.Direction, from, to netip.AddrPort, b []byte) udpencap.Verdict {
		if dir == udpencap.In {
			seen.add(from.Addr(), to.Addr())
		}
		if blocked.Load() && from.Addr() == lo1 && to.Addr() == lo1 {
			return udpencap.Drop
		}
		return udpencap.Pass
	})
	a.Conn().SetHook(func(dir udpencap.Direction, from, to netip.AddrPort, b []byte) udpencap.Verdict {
		if blocked.Load() && from.Addr() == lo1 && to.Addr() == lo1 {
			return udpencap.Drop
		}
		return udpencap.Pass
	})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	zAddr := netip.AddrPortFrom(lo1, uint16(z.Conn().Port()))
	var id endpoint.AssocID
	require.NoError(t, a.Do(func(now timer.Time) error {
		var err error
		id, err = aep.Connect(now, []netip.AddrPort{zAddr}, 5001, nil)
		return err
	}))
	// Wait until both paths are confirmed on A.
	require.NoError(t, a.Wait(ctx, func(timer.Time) bool {
		for {
			if _, _, ok := aep.Poll(); !ok {
				break
			}
		}
		as, ok := aep.Assoc(id)
		if !ok || as.State() != association.StateEstablished {
			return false
		}
		ps := as.Paths()
		return len(ps) == 2 && ps[0].State == association.PathActive && ps[1].State == association.PathActive
	}))

	got := map[uint32]int{}
	var mu sync.Mutex
	go func() { // Z's user: count messages
		for ctx.Err() == nil {
			_ = z.Wait(ctx, func(timer.Time) bool {
				n := 0
				for {
					_, d, ok := zep.Poll()
					if !ok {
						return n > 0
					}
					if d.Event == nil {
						mu.Lock()
						got[binary.BigEndian.Uint32(d.Message.Data)]++
						mu.Unlock()
						n++
					}
				}
			})
		}
	}()
	const n = 3000
	var cutAt, failedAt time.Time
	pollA := func() {
		for {
			_, d, ok := aep.Poll()
			if !ok {
				return
			}
			if pc, ok := d.Event.(*association.PaddrChange); ok && pc.State == association.AddrUnreachable && failedAt.IsZero() {
				failedAt = time.Now()
			}
		}
	}
	for i := uint32(0); i < n; i++ {
		if i == n/3 {
			blocked.Store(true)
			cutAt = time.Now()
		}
		msg := make([]byte, 1000)
		binary.BigEndian.PutUint32(msg, i)
		require.NoError(t, a.Wait(ctx, func(now timer.Time) bool {
			pollA()
			as, _ := aep.Assoc(id)
			err := as.Send(now, association.SendInfo{}, msg)
			if err == association.ErrWouldBlock {
				return false
			}
			require.NoError(t, err)
			return true
		}))
	}
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == n
	}, 20*time.Second, 10*time.Millisecond, "all messages delivered after failover")
	elapsed := time.Since(cutAt)
	mu.Lock()
	for i := uint32(0); i < n; i++ {
		require.Equal(t, 1, got[i], "message %d", i)
	}
	mu.Unlock()
	var primaryState association.PathState
	a.Do(func(timer.Time) error {
		pollA()
		as, _ := aep.Assoc(id)
		primaryState = as.Paths()[0].State
		return nil
	})
	require.Equal(t, association.PathInactive, primaryState, "the primary failed over")
	require.False(t, failedAt.IsZero(), "addr_unreachable reported")
	// The bound implied by the configuration: Path.Max.Retrans + 1 = 3
	// timeouts from RTO.Min (100 ms, the RTO on an idle loopback path)
	// doubling up to RTO.Max, each plus a round trip and the scheduling
	// slack of a loaded machine (300 ms: the race detector and other
	// tests running in parallel on 2 cores delay the timer goroutine by
	// more than 50 ms). The bound still tells an RTO-driven failover from
	// one driven by RTO.Initial (1 s, 3 s after 2 doublings) or later.
	bound := (100+200+400)*time.Millisecond + 3*300*time.Millisecond
	t.Logf("failover %v after the cut (bound %v); transfer done %v after the cut",
		failedAt.Sub(cutAt), bound, elapsed)
	require.LessOrEqual(t, failedAt.Sub(cutAt), bound)
	// Each packet left from the local address of its path.
	require.NotZero(t, seen.get(lo1, lo1))
	require.NotZero(t, seen.get(lo2, lo2))
	require.Zero(t, seen.get(lo1, lo2), "no packet from 127.0.0.1 to 127.0.0.2")
	require.Zero(t, seen.get(lo2, lo1), "no packet from 127.0.0.2 to 127.0.0.1")
}
