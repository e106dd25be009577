package fuzz

import (
	"flag"
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
)

// The opcodes of FuzzStates: an input byte modulo numOps, followed by its
// arguments.
const (
	opReleaseAll  = iota // deliver every held packet, in order
	opRelease            // i: deliver held packet i (reordering)
	opDuplicate          // i: deliver a copy of held packet i, keep it
	opDrop               // i: drop held packet i
	opHold               // s: toggle holding what side s sends
	opTimer              // jump to the next deadline (of A, Z or the link) and run the timers
	opAdvance            // n: let n*50 ms pass
	opSend               // s, stream, size, flags
	opShutdown           // s
	opAbort              // s
	opOption             // s, which, v: set an option
	opConnect            // s: connect, or restart as a new association
	opStopReading        // toggle: Z's user stops reading (HoldZ)
	opInject             // to, tag, n, then n generated chunks
	opRaw                // to, tag, n, then n raw bytes of chunks
	opCorrupt            // i, pos, xor, fix: corrupt held packet i and deliver it
	opSendPR             // s, stream, size, flags, policy, value: send with a PR-SCTP policy or lifetime
	opReset              // s, mask: reset the outgoing streams of mask (RFC 6525)
	opResetDir           // s, dir, mask: reset the streams of mask incoming, or both ways
	opResetAssoc         // s: reset the TSNs and SSNs (SSN/TSN Reset Request)
	opAddStreams         // s, out, in: add outgoing and incoming streams
	numOps
)

var traceStates = flag.Bool("trace-states", false, "log the steps and packets of FuzzStates inputs")

// opNames name the opcodes in traces.
var opNames = [numOps]string{"release-all", "release", "duplicate", "drop", "hold", "timer", "advance",
	"send", "shutdown", "abort", "option", "connect", "stop-reading", "inject", "raw", "corrupt", "send-pr", "reset",
	"reset-dir", "reset-assoc", "add-streams"}

// tracef logs when -trace-states is set.
func (w *world) tracef(format string, args ...any) {
	if *traceStates {
		w.t.Logf("%v: "+format, append([]any{w.p.Now}, args...)...)
	}
}

// step runs one opcode.
func (w *world) step() {
	p := w.p
	op := w.next() % numOps
	w.tracef("op %s (A %v, Z %v, %d held)", opNames[op], w.stateOf(sideA), w.stateOf(sideZ), len(w.held))
	switch op {
	case opReleaseAll:
		w.releaseAll()
	case opRelease:
		w.release(int(w.next()), false)
	case opDuplicate:
		w.release(int(w.next()), true)
	case opDrop:
		if i := int(w.next()); len(w.held) > 0 {
			i %= len(w.held)
			w.held = append(w.held[:i], w.held[i+1:]...)
		}
	case opHold:
		s := int(w.next() & 1)
		w.hold[s] = !w.hold[s]
	case opTimer:
		p.Advance(p.Now.Add(time.Hour))
	case opAdvance:
		p.Run(time.Duration(1+w.next()%64) * 50 * time.Millisecond)
	case opSend:
		s, stream, size, flags := int(w.next()&1), w.next(), w.next(), w.next()
		w.send(s, chunk.StreamID(stream%5), messageSize(size, flags), flags&1 != 0)
	case opShutdown:
		if a := w.end(int(w.next() & 1)); a != nil {
			_ = a.Shutdown(p.Now)
		}
	case opAbort:
		if a := w.end(int(w.next() & 1)); a != nil {
			a.Abort(p.Now, []byte("fuzz"))
			w.pr.aborted = true
		}
	case opOption:
		w.option(int(w.next()&1), w.next(), w.next())
	case opConnect:
		w.connect(int(w.next() & 1))
	case opStopReading:
		if p.HoldZ {
			p.ReleaseZ()
		} else {
			p.HoldZ = true
		}
	case opInject:
		w.inject()
	case opRaw:
		w.raw()
	case opCorrupt:
		w.corrupt()
	case opSendPR:
		w.sendPR()
	case opReset:
		w.reset()
	case opResetDir:
		w.resetDir(int(w.next()&1), w.next(), w.next())
	case opResetAssoc:
		w.resetAssoc(int(w.next() & 1))
	case opAddStreams:
		w.addStreams(int(w.next()&1), w.next(), w.next())
	}
}

// messageSize maps two input bytes to a message size: mostly up to 1,600
// bytes, one in eight up to 64 KiB (partial delivery, with the 16 KiB
// receive buffer).
func messageSize(size, flags byte) int {
	if flags&0x0e == 0 {
		return 1 + int(size)*256
	}
	return 1 + int(size)*6
}

// option sets option which of side s from v: what gen_sctp's setopts
// reaches (sctp_rtoinfo, sctp_assocparams, sctp_paddrparams,
// sctp_delayed_ack_time, sctp_nodelay, sctp_maxseg, sctp_autoclose,
// recbuf, sndbuf, sctp_primary_addr) and a heartbeat on demand.
func (w *world) option(s int, which, v byte) {
	a := w.end(s)
	if a == nil {
		return
	}
	now := w.p.Now
	cfg := a.Config()
	ms := time.Duration(1+int(v)) * 20 * time.Millisecond
	switch which % 10 {
	case 0:
		cfg.RTO.Initial, cfg.RTO.Min, cfg.RTO.Max = ms, ms/2, 4*ms
	case 1:
		cfg.MaxRetrans, cfg.PathMaxRetrans = int(v%12), int(v%6)
	case 2:
		cfg.SACKDelay, cfg.SACKDelayDisabled, cfg.SACKFrequency = ms, v&1 != 0, 1+int(v%4)
	case 3:
		cfg.HeartbeatInterval, cfg.HeartbeatDisabled = ms, v&1 != 0
	case 4:
		cfg.NoDelay, cfg.MaxBurst, cfg.MaxSeg = v&1 != 0, 1+int(v%8), int(v)*8
	case 5:
		cfg.Autoclose = time.Duration(v%8) * time.Second
	case 6:
		cfg.ReceiveBuffer = 1500 + int(v)*256
		cfg.SendBuffer = 1 + int(v)*256
		cfg.PartialDeliveryPoint = int(v) * 64
	case 7:
		_ = a.SetPathParams(now, netip.Addr{}, association.PathParams{HeartbeatInterval: ms,
			PathMaxRetrans: int(v % 8), PathMTU: 508 + int(v)*4, Flags: association.PathFlags(v) & pathFlagsMask})
		return
	case 8:
		a.RequestHeartbeat(now)
		return
	case 9:
		a.SetPrimary(w.addr(1 - s).Addr())
		return
	}
	if a.Reconfigure(now, cfg) == nil {
		w.maxRcvBuf = max(w.maxRcvBuf, cfg.ReceiveBuffer)
		w.maxSndBuf = max(w.maxSndBuf, cfg.SendBuffer)
	}
}

// pathFlagsMask keeps the flags whose pairs SetPathParams may refuse.
const pathFlagsMask = association.HBEnable | association.HBDisable | association.HBDemand |
	association.SACKDelayEnable | association.SACKDelayDisable
