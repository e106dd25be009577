package udpencap

import (
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHookDrop drops by address in both directions: outbound datagrams to
// one receiver, inbound datagrams from one sender.
func TestHookDrop(t *testing.T) {
	modes(t, func(t *testing.T, noBatch bool) {
		cfg := Config{LocalAddrs: []netip.Addr{lo4}, DisableBatch: noBatch}
		a, b, c := listen(t, cfg), listen(t, cfg), listen(t, cfg)
		bAddr, cAddr := b.LocalAddrs()[0], c.LocalAddrs()[0]

		a.SetHook(func(dir Direction, from, to netip.AddrPort, _ []byte) Verdict {
			if dir == Out && to == bAddr {
				return Drop
			}
			return Pass
		})
		_, err := a.WriteBatch([]OutMessage{{Data: []byte("to b"), To: bAddr}, {Data: []byte("to c"), To: cAddr}})
		require.NoError(t, err)
		require.NoError(t, a.WriteTo([]byte("to b again"), bAddr, netip.Addr{}))
		require.Equal(t, "to c", string(readN(t, c, 1, 5*time.Second)[0].data))
		expectQuiet(t, b, 100*time.Millisecond)
		require.EqualValues(t, 2, a.Stats().HookDropsOut)
		require.EqualValues(t, 1, a.Stats().DatagramsOut)

		// Inbound: c drops what comes from a, keeps what comes from b.
		aAddr := a.LocalAddrs()[0]
		c.SetHook(func(dir Direction, from, to netip.AddrPort, _ []byte) Verdict {
			assert.Equal(t, In, dir) // a reader goroutine: assert, not require
			assert.Equal(t, cAddr, to)
			if from == aAddr {
				return Drop
			}
			return Pass
		})
		a.SetHook(nil)
		require.NoError(t, a.WriteTo([]byte("from a"), cAddr, netip.Addr{}))
		require.NoError(t, b.WriteTo([]byte("from b"), cAddr, netip.Addr{}))
		m := readN(t, c, 1, 5*time.Second)[0]
		require.Equal(t, "from b", string(m.data))
		expectQuiet(t, c, 100*time.Millisecond)
		require.EqualValues(t, 1, c.Stats().HookDropsIn)
	})
}

// TestHookDuplicate duplicates outbound and inbound datagrams.
func TestHookDuplicate(t *testing.T) {
	modes(t, func(t *testing.T, noBatch bool) {
		cfg := Config{LocalAddrs: []netip.Addr{lo4}, DisableBatch: noBatch}
		a, b := listen(t, cfg), listen(t, cfg)
		dup := func(d Direction) Hook {
			return func(dir Direction, _, _ netip.AddrPort, _ []byte) Verdict {
				if dir == d {
					return Duplicate
				}
				return Pass
			}
		}
		a.SetHook(dup(Out))
		require.NoError(t, a.WriteTo([]byte("twice out"), b.LocalAddrs()[0], netip.Addr{}))
		for _, m := range readN(t, b, 2, 5*time.Second) {
			require.Equal(t, "twice out", string(m.data))
			require.Equal(t, a.LocalAddrs()[0], m.from)
		}
		a.SetHook(nil)
		b.SetHook(dup(In))
		require.NoError(t, a.WriteTo([]byte("twice in"), b.LocalAddrs()[0], netip.Addr{}))
		for _, m := range readN(t, b, 2, 5*time.Second) {
			require.Equal(t, "twice in", string(m.data))
			require.Equal(t, a.LocalAddrs()[0], m.from)
			require.Equal(t, b.LocalAddrs()[0], m.to)
		}
		expectQuiet(t, b, 50*time.Millisecond)
		require.EqualValues(t, 1, a.Stats().HookDuplicates)
		require.EqualValues(t, 1, b.Stats().HookDuplicates)
	})
}

// TestHookDelay delays datagrams by address: the delayed one arrives at
// least the delay later, after the undelayed one sent after it.
func TestHookDelay(t *testing.T) {
	const d = 80 * time.Millisecond
	modes(t, func(t *testing.T, noBatch bool) {
		cfg := Config{LocalAddrs: []netip.Addr{lo4}, DisableBatch: noBatch}
		a, b := listen(t, cfg), listen(t, cfg)
		bAddr := b.LocalAddrs()[0]
		for _, dir := range []Direction{Out, In} {
			t.Run(dir.String(), func(t *testing.T) {
				h := func(hd Direction, from, to netip.AddrPort, p []byte) Verdict {
					if hd == dir && to == bAddr && string(p) == "slow" {
						return Delay(d)
					}
					return Pass
				}
				hooked := a
				if dir == In {
					hooked = b
				}
				hooked.SetHook(h)
				defer hooked.SetHook(nil)
				start := time.Now()
				_, err := a.WriteBatch([]OutMessage{{Data: []byte("slow"), To: bAddr}, {Data: []byte("fast"), To: bAddr}})
				require.NoError(t, err)
				in := readN(t, b, 2, 5*time.Second)
				require.Equal(t, "fast", string(in[0].data))
				require.Equal(t, "slow", string(in[1].data))
				require.GreaterOrEqual(t, in[1].at.Sub(start), d)
				require.Equal(t, a.LocalAddrs()[0], in[1].from)
				require.Equal(t, bAddr, in[1].to)
				require.EqualValues(t, 1, hooked.Stats().HookDelays)
			})
		}
	})
}

// TestHookDelayClose closes a Conn holding delayed datagrams: the timer
// goroutine stops and nothing leaks.
func TestHookDelayClose(t *testing.T) {
	before := runtime.NumGoroutine()
	a, err := Listen(Config{LocalAddrs: []netip.Addr{lo4}})
	require.NoError(t, err)
	b := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	a.SetHook(func(Direction, netip.AddrPort, netip.AddrPort, []byte) Verdict { return Delay(time.Hour) })
	for range 3 {
		require.NoError(t, a.WriteTo([]byte("never"), b.LocalAddrs()[0], netip.Addr{}))
	}
	require.NoError(t, a.Close())
	expectQuiet(t, b, 50*time.Millisecond)
	require.NoError(t, b.Close())
	settle(t, before)
}

// TestVerdict pins the names and the delay encoding of verdicts.
func TestVerdict(t *testing.T) {
	require.Equal(t, "pass", Pass.String())
	require.Equal(t, "drop", Drop.String())
	require.Equal(t, "duplicate", Duplicate.String())
	require.Equal(t, "delay(15ms)", Delay(15*time.Millisecond).String())
	require.Equal(t, 15*time.Millisecond, Delay(15*time.Millisecond).Delay())
	require.Equal(t, Pass, Delay(0))
	require.Equal(t, Pass, Delay(-time.Second))
	require.Zero(t, Drop.Delay())
	require.Equal(t, "Verdict(-7)", Verdict(-7).String())
	require.Equal(t, "in", In.String())
	require.Equal(t, "out", Out.String())
	require.Equal(t, "Direction(9)", Direction(9).String())
}
