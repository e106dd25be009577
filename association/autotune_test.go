package association_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/congestion"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/stretchr/testify/require"
)

// tuneRun is a bulk transfer of 1200-byte messages from A to Z over a
// path of 10 Mbit/s and 100 ms RTT, A keeping its send buffer full, Z's
// user reading as data arrives unless hold: it returns the pair after d
// of simulated time, with the largest data Z held and the largest receive
// buffer it used.
type tuneRun struct {
	p                *associationtest.Pair
	maxHeld, maxRbuf int
}

func runTune(t *testing.T, seed uint64, set func(a, z *association.Config), hold bool, d time.Duration) tuneRun {
	t.Helper()
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgA.NoDelay = true
	if set != nil {
		set(&cfgA, &cfgZ)
	}
	logSeedOnFailure(t, seed)
	p, err := associationtest.NewPair(seed, cfgA, cfgZ,
		sim.LinkConfig{Delay: 50 * time.Millisecond, Bandwidth: 10_000_000})
	require.NoError(t, err)
	require.NoError(t, p.Handshake())
	p.HoldZ = hold
	r := tuneRun{p: p}
	p.OnDeliver = func(toZ bool, d association.Delivery) {
		if toZ && d.Event == nil {
			p.Z.Release(d.Message.Data)
		}
	}
	msg := make([]byte, 1200)
	limit := p.Now.Add(d)
	for p.Now.Before(limit) {
		for {
			err := p.A.Send(p.Now, association.SendInfo{}, msg)
			if errors.Is(err, association.ErrWouldBlock) {
				break
			}
			require.NoError(t, err)
		}
		p.Exchange()
		st := p.Z.Status()
		r.maxHeld, r.maxRbuf = max(r.maxHeld, st.PendData), max(r.maxRbuf, st.ReceiveBuffer)
		if !p.Advance(limit) {
			break
		}
	}
	return r
}

// Receive-buffer autotuning: with a user that reads as data arrives, the
// receive buffer grows from ReceiveBuffer toward what the path carries
// in a round trip (10 Mbit/s at 100 ms: 125 kB), so that the window stops
// being the limit, and never beyond ReceiveBufferMax; what Z holds stays
// within the buffer in use.
func TestAutotuneGrowsWithTheReader(t *testing.T) {
	const rbuf, rmax = 32 << 10, 1 << 20
	r := runTune(t, 1, func(_, z *association.Config) { z.ReceiveBuffer, z.ReceiveBufferMax = rbuf, rmax }, false, 5*time.Second)
	st := r.p.Z.Status()
	t.Logf("receive buffer %d (largest %d), largest held %d", st.ReceiveBuffer, r.maxRbuf, r.maxHeld)
	require.Greater(t, st.ReceiveBuffer, 4*rbuf, "the buffer grew")
	require.LessOrEqual(t, r.maxRbuf, rmax, "within the cap")
	require.LessOrEqual(t, r.maxHeld, r.maxRbuf+association.DefaultMTU)
	got := r.p.Z.Stats().ReceivedBytes
	// 5 s at 10 Mbit/s is 6.25 MB; a fixed 32 KiB window allows 32 KiB
	// per 100 ms round trip, 1.6 MB.
	require.Greater(t, got, uint64(4_000_000), "the window followed the path")
}

// With ReceiveBufferMax at most ReceiveBuffer, or a user that does not
// read, the buffer stays at ReceiveBuffer.
func TestAutotuneOffOrIdleReader(t *testing.T) {
	const rbuf = 32 << 10
	off := runTune(t, 2, func(_, z *association.Config) { z.ReceiveBuffer, z.ReceiveBufferMax = rbuf, rbuf }, false, 3*time.Second)
	require.Equal(t, rbuf, off.maxRbuf, "autotuning off")
	idle := runTune(t, 3, func(_, z *association.Config) { z.ReceiveBuffer = rbuf }, true, 3*time.Second)
	require.Equal(t, rbuf, idle.maxRbuf, "nothing read, nothing grown")
	require.LessOrEqual(t, idle.maxHeld, rbuf+association.DefaultMTU)
}

// A new ReceiveBuffer set on a live association (the api's Recbuf, as
// Linux's SO_RCVBUF) replaces the buffer autotuning grew; a lower
// ReceiveBufferMax caps it.
func TestAutotuneReconfigure(t *testing.T) {
	const rbuf = 32 << 10
	r := runTune(t, 4, func(_, z *association.Config) { z.ReceiveBuffer = rbuf }, false, 5*time.Second)
	p := r.p
	grown := p.Z.Status().ReceiveBuffer
	require.Greater(t, grown, 2*rbuf)
	cfg := p.Z.Config()
	cfg.ReceiveBufferMax = grown / 2
	require.NoError(t, p.Z.Reconfigure(p.Now, cfg))
	require.Equal(t, grown/2, p.Z.Status().ReceiveBuffer, "capped")
	cfg.ReceiveBuffer, cfg.ReceiveBufferMax = 48<<10, 48<<10
	require.NoError(t, p.Z.Reconfigure(p.Now, cfg))
	require.Equal(t, 48<<10, p.Z.Status().ReceiveBuffer, "set")
}

// The send buffer follows the congestion window of the primary path
// beyond SendBuffer, up to SendBufferMax, so that a full window can wait
// in the queue; the initial ssthresh is arbitrarily high (RFC 9260
// Section 7.2.1), not the peer's initial window, which its autotuning
// grows.
func TestAutotuneSendBuffer(t *testing.T) {
	const sbuf, smax = 16 << 10, 64 << 10
	r := runTune(t, 5, func(a, z *association.Config) {
		a.SendBuffer, a.SendBufferMax = sbuf, smax
	}, false, 3*time.Second)
	st := r.p.A.Status()
	cwnd := r.p.A.Paths()[0].CWnd
	t.Logf("cwnd %d, send buffer %d", cwnd, st.SendBuffer)
	require.Greater(t, cwnd, smax)
	require.Equal(t, smax, st.SendBuffer)
	require.LessOrEqual(t, r.p.A.Buffered(), smax)

	// A loss of every packet for long enough that T3-rtx expires takes
	// cwnd down to one PMTU (RFC 9260 Section 7.2.3): the send buffer
	// stays as large, holding what the user queued in it.
	r.p.Net.SetDown(r.p.AddrA, r.p.AddrZ, true)
	require.True(t, r.p.RunUntil(time.Minute, func() bool { return r.p.A.Paths()[0].CWnd < sbuf }))
	require.Equal(t, smax, r.p.A.Status().SendBuffer)

	p, err := associationtest.NewDefaultPair(6)
	require.NoError(t, err)
	require.NoError(t, p.Handshake())
	require.Equal(t, congestion.MaxWindow, p.A.Paths()[0].SSThresh)
	require.Equal(t, association.DefaultSendBuffer, p.A.Status().SendBuffer)
}
