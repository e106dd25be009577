package congestion

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// runEvents drives a Standard with events decoded from ops and checks the
// invariants after each one:
//   - cwnd >= 1*PMDCS always, and cwnd <= MaxWindow;
//   - ssthresh >= 4*PMDCS right after fast retransmit and T3-rtx, and
//     after an idle adjustment that sets it;
//   - partial_bytes_acked is never negative;
//   - OnAck never shrinks cwnd, never changes ssthresh, grows cwnd by at
//     most max(L, 1)*PMDCS, and grows nothing in fast recovery;
//   - OnIdle never grows cwnd.
func runEvents(ops []byte) error {
	s := NewStandard(1200)
	s.SetL(1 + len(ops)%2)
	s.SetSSThresh(64 << 10)
	flight := 0
	for i := 0; i+2 < len(ops); i += 3 {
		op, a, b := ops[i], int(ops[i+1]), int(ops[i+2])
		cwnd0, ssthresh0, pba0 := s.CWnd(), s.SSThresh(), s.PartialBytesAcked()
		reduced := false
		var ev string
		switch op % 8 {
		case 0, 1, 2: // SACK
			acked := min(a*100, flight)
			cum, fr := b&1 != 0, b&2 != 0
			ev = fmt.Sprintf("OnAck(%d, %d, %v, %v)", acked, flight, cum, fr)
			s.OnAck(acked, flight, cum, fr)
			flight -= acked
			switch {
			case s.CWnd() < cwnd0:
				return fmt.Errorf("%s shrank cwnd %d -> %d", ev, cwnd0, s.CWnd())
			case s.CWnd() > cwnd0+s.L()*s.MTU():
				return fmt.Errorf("%s grew cwnd by more than L*PMDCS: %d -> %d", ev, cwnd0, s.CWnd())
			case s.SSThresh() != ssthresh0:
				return fmt.Errorf("%s changed ssthresh", ev)
			case fr && (s.CWnd() != cwnd0 || s.PartialBytesAcked() > pba0):
				return fmt.Errorf("%s grew in fast recovery: cwnd %d -> %d, pba %d -> %d",
					ev, cwnd0, s.CWnd(), pba0, s.PartialBytesAcked())
			}
		case 3: // send up to what the window allows
			room := BurstLimit(s.CWnd(), flight, s.MTU(), DefaultMaxBurst)
			n := 0
			for ; room > 0 && n < a*100; room -= s.MTU() {
				n += s.MTU()
			}
			ev = fmt.Sprintf("send %d", n)
			flight += n
		case 4:
			ev = "OnFastRetransmit"
			s.OnFastRetransmit(flight)
			reduced = true
		case 5:
			ev = "OnRetransmitTimeout"
			s.OnRetransmitTimeout()
			reduced = true
		case 6:
			ev = "OnIdle"
			s.OnIdle()
			reduced = s.SSThresh() != ssthresh0
			if s.CWnd() > cwnd0 {
				return fmt.Errorf("OnIdle grew cwnd %d -> %d", cwnd0, s.CWnd())
			}
		case 7:
			m := 500 + a*8
			ev = fmt.Sprintf("SetMTU(%d)", m)
			s.SetMTU(m)
		}
		switch {
		case s.CWnd() < s.MTU():
			return fmt.Errorf("after %s: cwnd %d < PMDCS %d", ev, s.CWnd(), s.MTU())
		case s.CWnd() > MaxWindow:
			return fmt.Errorf("after %s: cwnd %d > MaxWindow", ev, s.CWnd())
		case reduced && s.SSThresh() < 4*s.MTU():
			return fmt.Errorf("after %s: ssthresh %d < 4*PMDCS", ev, s.SSThresh())
		case s.PartialBytesAcked() < 0:
			return fmt.Errorf("after %s: partial_bytes_acked %d < 0", ev, s.PartialBytesAcked())
		}
	}
	return nil
}

// TestStandardProperties checks the invariants of runEvents over 200 fixed
// seeds, 5 random event sequences each. A failure names its seed and run;
// every seed replays exactly.
func TestStandardProperties(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 1))
		for run := range 5 {
			ops := make([]byte, 3*r.IntN(300))
			for i := range ops {
				ops[i] = byte(r.UintN(256))
			}
			if err := runEvents(ops); err != nil {
				t.Fatalf("seed %d, run %d: %v (ops %v)", seed, run, err, ops)
			}
		}
	}
}

func FuzzStandard(f *testing.F) {
	f.Add([]byte{3, 50, 0, 0, 20, 1, 4, 0, 0, 0, 10, 3, 5, 0, 0, 6, 0, 0, 7, 200, 0})
	f.Add([]byte{3, 255, 0, 0, 255, 1, 3, 255, 0, 0, 255, 1, 6, 0, 0, 6, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 4096 {
			return // long inputs add little and make minimizing slow
		}
		if err := runEvents(ops); err != nil {
			t.Fatal(err)
		}
	})
}
