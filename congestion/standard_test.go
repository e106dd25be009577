package congestion

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const mtu = 1000

// state builds a Standard with the given variables and PMDCS 1000.
func state(cwnd, ssthresh, pba int) *Standard {
	s := NewStandard(mtu)
	s.cwnd, s.ssthresh, s.partialBytesAcked = cwnd, ssthresh, pba
	return s
}

// TestInitialCWnd pins RFC 9260 Section 7.2.1
// (https://www.rfc-editor.org/rfc/rfc9260#section-7.2.1): "The initial cwnd
// before data transmission MUST be set to min(4 * PMDCS, max(2 * PMDCS,
// 4404)) bytes if the peer address is an IPv4 address and to min(4 * PMDCS,
// max(2 * PMDCS, 4344)) bytes if the peer address is an IPv6 address." and
// "The initial value of ssthresh SHOULD be arbitrarily high".
func TestInitialCWnd(t *testing.T) {
	for _, tc := range []struct {
		mtu        int
		ipv4, ipv6 int
	}{
		{500, 2000, 2000},
		{1000, 4000, 4000},
		{1100, 4400, 4344},
		{1200, 4404, 4344},
		{1452, 4404, 4344},
		{3000, 6000, 6000},
		{0, 4, 4}, // treated as 1
	} {
		require.Equal(t, tc.ipv4, InitialCWnd(tc.mtu, false), "IPv4, mtu %d", tc.mtu)
		require.Equal(t, tc.ipv6, InitialCWnd(tc.mtu, true), "IPv6, mtu %d", tc.mtu)
	}
	s := NewStandard(1452)
	require.Equal(t, 4404, s.CWnd())
	require.Equal(t, MaxWindow, s.SSThresh())
	require.Zero(t, s.PartialBytesAcked())
	require.Equal(t, 1452, s.MTU())
	require.Equal(t, 1, s.L())

	s.SetL(3)
	s.cwnd, s.partialBytesAcked = 1, 7
	s.Reset(1452, true)
	require.Equal(t, 4344, s.CWnd(), "RFC 9260 Section 7.2.5: reinitialised")
	require.Zero(t, s.PartialBytesAcked())
	require.Equal(t, 3, s.L(), "L is configuration, kept by Reset")
	s.SetSSThresh(65535)
	require.Equal(t, 65535, s.SSThresh())
	s.SetSSThresh(-1)
	require.Zero(t, s.SSThresh())
	s.SetSSThresh(1 << 40)
	require.Equal(t, MaxWindow, s.SSThresh())
}

type ack struct {
	acked, flight        int
	cumAdvanced, inFastR bool
}

// TestSlowStart pins RFC 9260 Section 7.2.1: "When cwnd is less than or
// equal to ssthresh, an SCTP endpoint MUST use the slow-start algorithm to
// increase cwnd only if the current congestion window is being fully
// utilized and the data sender is not in Fast Recovery. Only when these two
// conditions are met can the cwnd be increased; otherwise, the cwnd MUST NOT
// be increased. If these conditions are met, then cwnd MUST be increased by,
// at most, the lesser of 1. the total size of the previously outstanding
// DATA chunk(s) acknowledged and 2. L times the destination's PMDCS." Standard
// also requires the SACK to advance the Cumulative TSN Ack Point.
func TestSlowStart(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    int
		cwnd int
		ack  ack
		want int
	}{
		{"grows by L*PMDCS at most", 1, 4000, ack{3000, 4000, true, false}, 5000},
		{"grows by the bytes acked at most", 1, 4000, ack{500, 4000, true, false}, 4500},
		{"overbooked flight counts as fully utilized", 1, 4000, ack{1000, 4999, true, false}, 5000},
		{"window not fully utilized: no growth", 1, 4000, ack{1000, 3999, true, false}, 4000},
		{"in Fast Recovery: no growth", 1, 4000, ack{1000, 4000, true, true}, 4000},
		{"Cumulative TSN Ack Point not advanced: no growth", 1, 4000, ack{1000, 4000, false, false}, 4000},
		{"L = 2", 2, 4000, ack{3000, 4000, true, false}, 6000},
		{"cwnd == ssthresh is still slow start", 1, 8000, ack{3000, 8000, true, false}, 9000},
		{"nothing acked", 1, 4000, ack{0, 4000, true, false}, 4000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := state(tc.cwnd, 8000, 0)
			s.SetL(tc.l)
			s.OnAck(tc.ack.acked, tc.ack.flight, tc.ack.cumAdvanced, tc.ack.inFastR)
			require.Equal(t, tc.want, s.CWnd())
			require.Equal(t, 8000, s.SSThresh())
			require.Zero(t, s.PartialBytesAcked(), "partial_bytes_acked is for congestion avoidance")
		})
	}
}

// TestCongestionAvoidance pins the partial_bytes_acked rules of RFC 9260
// Section 7.2.2 (https://www.rfc-editor.org/rfc/rfc9260#section-7.2.2), each
// quoted in the case names' comments.
func TestCongestionAvoidance(t *testing.T) {
	for _, tc := range []struct {
		name           string
		cwnd, pba      int
		ack            ack
		wantCwnd, pba2 int
	}{
		// "Whenever cwnd is greater than ssthresh, upon each SACK chunk
		// arrival, increase partial_bytes_acked by the total number of bytes
		// [...] of all new DATA chunks acknowledged in that SACK chunk,
		// including chunks acknowledged by the new Cumulative TSN Ack, by Gap
		// Ack Blocks".
		{"pba accumulates", 4000, 0, ack{1000, 4000, true, false}, 4000, 1000},
		{"gap-only SACK counts", 4000, 1000, ack{1000, 4000, false, false}, 4000, 2000},
		// "When (1) partial_bytes_acked is equal to or greater than cwnd and
		// (2) before the arrival of the SACK chunk the sender had cwnd or
		// more bytes of data outstanding [...], partial_bytes_acked is reset
		// to (partial_bytes_acked - cwnd). Next, cwnd is increased by PMDCS."
		{"pba reaches cwnd: grow by PMDCS", 4000, 3000, ack{1000, 4000, true, false}, 5000, 0},
		{"pba beyond cwnd keeps the rest", 4000, 3500, ack{1000, 4500, true, false}, 5000, 500},
		{"at most one PMDCS per SACK", 4000, 0, ack{9000, 12000, true, false}, 5000, 5000},
		// "When (1) partial_bytes_acked is greater than cwnd and (2) before
		// the arrival of the SACK chunk the sender had less than cwnd bytes of
		// data outstanding [...], reset partial_bytes_acked to cwnd."
		{"pba above cwnd, flight below: capped at cwnd", 4000, 3500, ack{1000, 3999, true, false}, 4000, 4000},
		{"pba equal to cwnd, flight below: kept", 4000, 3000, ack{1000, 3999, true, false}, 4000, 4000},
		// "When all of the data transmitted by the sender has been
		// acknowledged by the receiver, partial_bytes_acked is initialized to
		// 0."
		{"all acknowledged: pba = 0", 4000, 1000, ack{2000, 2000, true, false}, 4000, 0},
		{"all acknowledged after growth: pba = 0", 4000, 0, ack{4500, 4500, true, false}, 5000, 0},
		// No growth in Fast Recovery (RFC 9260 Section 7.2.4).
		{"in Fast Recovery: nothing accumulates", 4000, 3000, ack{1000, 4000, true, true}, 4000, 3000},
		{"in Fast Recovery, all acknowledged: pba = 0", 4000, 3000, ack{4000, 4000, true, true}, 4000, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := state(tc.cwnd, 2000, tc.pba)
			s.OnAck(tc.ack.acked, tc.ack.flight, tc.ack.cumAdvanced, tc.ack.inFastR)
			require.Equal(t, tc.wantCwnd, s.CWnd())
			require.Equal(t, tc.pba2, s.PartialBytesAcked())
			require.Equal(t, 2000, s.SSThresh())
		})
	}
}

// TestCongestionAvoidanceOnePMDCSPerRTT pins RFC 9260 Section 7.2.2: "SCTP
// MUST NOT increment cwnd by more than PMDCS per RTT." One round trip
// acknowledges one window in SACKs of 2 packets each.
func TestCongestionAvoidanceOnePMDCSPerRTT(t *testing.T) {
	s := state(10000, 5000, 0)
	for rtt := 1; rtt <= 5; rtt++ {
		cwnd := s.CWnd()
		flight := cwnd
		for flight > 0 {
			acked := min(2*mtu, flight)
			s.OnAck(acked, cwnd, true, false) // the sender refills the window
			flight -= acked
		}
		require.Equal(t, cwnd+mtu, s.CWnd(), "round trip %d", rtt)
	}
}

// TestLossReductions pins RFC 9260 Section 7.2.3
// (https://www.rfc-editor.org/rfc/rfc9260#section-7.2.3): "Upon detection of
// packet losses from SACK chunks (see Section 7.2.4), an endpoint SHOULD do
// the following: ssthresh = max(cwnd / 2, 4 * PMDCS) cwnd = ssthresh
// partial_bytes_acked = 0" and "When the T3-rtx timer expires on an address,
// SCTP SHOULD perform slow start by: ssthresh = max(cwnd / 2, 4 * PMDCS)
// cwnd = PMDCS partial_bytes_acked = 0".
func TestLossReductions(t *testing.T) {
	for _, tc := range []struct {
		name               string
		cwnd               int
		timeout            bool
		ssthresh, wantCwnd int
	}{
		{"fast retransmit halves", 10000, false, 5000, 5000},
		{"fast retransmit floor 4*PMDCS", 6000, false, 4000, 4000},
		{"fast retransmit from 1 PMDCS raises to 4*PMDCS as written", 1000, false, 4000, 4000},
		{"T3-rtx halves ssthresh, cwnd = PMDCS", 10000, true, 5000, 1000},
		{"T3-rtx floor 4*PMDCS", 4000, true, 4000, 1000},
		{"T3-rtx twice", 1000, true, 4000, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := state(tc.cwnd, 3000, 777)
			if tc.timeout {
				s.OnRetransmitTimeout()
			} else {
				s.OnFastRetransmit(tc.cwnd)
			}
			require.Equal(t, tc.ssthresh, s.SSThresh())
			require.Equal(t, tc.wantCwnd, s.CWnd())
			require.Zero(t, s.PartialBytesAcked())
		})
	}
}

// TestIdle pins RFC 9260 Section 7.2.1: "While the endpoint does not
// transmit data on a given transport address, the cwnd of the transport
// address SHOULD be adjusted to max(cwnd / 2, 4 * PMDCS) once per RTO.
// Before the first cwnd adjustment, the ssthresh of the transport address
// SHOULD be set to the cwnd." (repeated in Section 7.2.2).
func TestIdle(t *testing.T) {
	s := state(10000, MaxWindow, 0)
	s.OnIdle()
	require.Equal(t, 10000, s.SSThresh(), "ssthresh = cwnd before the first adjustment")
	require.Equal(t, 5000, s.CWnd())
	s.OnIdle()
	require.Equal(t, 10000, s.SSThresh(), "only before the first adjustment")
	require.Equal(t, 4000, s.CWnd())
	s.OnIdle()
	require.Equal(t, 4000, s.CWnd(), "floor 4*PMDCS")

	// Acknowledged data ends the idle period.
	s.OnAck(0, 0, false, false)
	s.OnIdle()
	require.Equal(t, 10000, s.SSThresh(), "a SACK without new data does not end the idle period")
	s.OnAck(1000, 4000, true, false) // slow start: cwnd 5000
	s.OnIdle()
	require.Equal(t, 5000, s.SSThresh(), "a new idle period saves cwnd again")
	require.Equal(t, 4000, s.CWnd())

	// A window below 4*PMDCS does not grow while idle.
	s = NewStandard(1452) // cwnd 4404 < 4*1452
	s.OnIdle()
	require.Equal(t, 4404, s.CWnd())
	require.Equal(t, 4*1452, s.SSThresh(), "ssthresh keeps the 4*PMDCS floor")

	// After a T3-rtx expiry, cwnd = 1 PMDCS stays there.
	s = state(10000, MaxWindow, 0)
	s.OnRetransmitTimeout()
	s.OnIdle()
	require.Equal(t, mtu, s.CWnd())
	require.Equal(t, 4*mtu, s.SSThresh())
}

func TestSetMTU(t *testing.T) {
	s := state(10000, MaxWindow, 0)
	s.OnRetransmitTimeout()
	require.Equal(t, 1000, s.CWnd())
	s.SetMTU(1400)
	require.Equal(t, 1400, s.MTU())
	require.Equal(t, 1400, s.CWnd(), "cwnd is at least one PMDCS")
	s.SetMTU(1200)
	require.Equal(t, 1400, s.CWnd(), "a smaller PMDCS does not shrink cwnd")
	s.SetMTU(-5)
	require.Equal(t, 1, s.MTU())
}

func TestOnAckSaturates(t *testing.T) {
	s := state(MaxWindow-10, MaxWindow, 0)
	s.OnAck(1<<40, 1<<40, true, false)
	require.Equal(t, MaxWindow, s.CWnd())
	s.OnAck(-5, -5, true, false)
	require.Equal(t, MaxWindow, s.CWnd())
	require.Zero(t, s.PartialBytesAcked())
}

func TestOnAckAllocs(t *testing.T) {
	var c Controller = NewStandard(1200)
	allocs := testing.AllocsPerRun(100, func() {
		c.OnAck(1200, c.CWnd(), true, false)
		c.OnFastRetransmit(c.CWnd())
		c.OnAck(1200, c.CWnd(), true, true)
		c.OnRetransmitTimeout()
		c.OnIdle()
	})
	require.Zero(t, allocs)
}

func BenchmarkOnAck(b *testing.B) {
	s := NewStandard(1200)
	s.SetSSThresh(64 * 1200)
	var c Controller = s
	b.ReportAllocs()
	for b.Loop() {
		cwnd := c.CWnd()
		c.OnAck(2400, cwnd, true, false)
		if cwnd > 1<<24 {
			s.Reset(1200, false)
		}
	}
}
