package fuzz

import (
	"context"
	"errors"
	"net"
	"os"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/association"
)

// The opcodes of FuzzAPI: a byte of a goroutine's share of the input
// modulo numAPIOps, followed by its arguments.
const (
	apiOpen        = iota // type: open a client socket (one-to-many or one-to-one)
	apiConnect            // s: blocking connect to the server, up to 3 s
	apiConnectInit        // s: connect_init, the outcome comes as an event
	apiSend               // s, a, stream, size: send on association a, up to 1 s
	apiRecv               // s: recv, up to 200 ms
	apiSetOpts            // s, which, v: set an option
	apiPeeloff            // a: peel association a off its socket
	apiEOF                // a: graceful shutdown of association a
	apiAbort              // a: abort association a
	apiClose              // s: close socket s
	apiSleep              // n: let n*50 ms pass
	apiDrain              // s: read what waits on the delivery channel
	apiListen             // on: the server stops or starts listening
	apiSendPR             // a, stream, size, policy, value: send with a PR-SCTP policy and lifetime, up to 1 s
	apiReset              // a, mask: reset the outgoing streams of mask (RFC 6525)
	apiResetDir           // a, dir, mask: reset the streams of mask incoming, or both ways
	apiResetAssoc         // a: reset the TSNs and SSNs (sctp_reset_assoc)
	apiAddStreams         // a, out, in: add streams (sctp_add_streams)
	numAPIOps
)

// apiErrors are the sentinel errors the api documents.
var apiErrors = []error{association.ErrStreamResetting, association.ErrReconfigInProgress,
	association.ErrReconfigNotSupported, association.ErrInvalidPolicy, association.ErrInvalidResetFlags,
	association.ErrResetAssocTooSoon, association.ErrNoStreamsToAdd, association.ErrTooManyStreams, association.ErrResetTooLarge,
	association.ErrNotEstablished, api.ErrWouldBlock, api.ErrInvalidStream, api.ErrActive, api.ErrNoAssociation,
	api.ErrAssociationClosed, api.ErrMessageTooLarge, api.ErrEmptyMessage, api.ErrInvalidOption,
	api.ErrNotConnected, api.ErrAlreadyConnected, api.ErrAddrInUse, api.ErrTooManyAssociations,
	api.ErrNotSupported, api.ErrReadOnly, net.ErrClosed, os.ErrDeadlineExceeded}

// apiSeed interleaves the shares of the three goroutines into an input.
func apiSeed(lanes ...[]byte) []byte {
	var in []byte
	for i := 0; ; i++ {
		more := false
		for _, l := range lanes {
			b := byte(apiSleep) // a pause (of 0) for a lane that is done
			if i < len(l) {
				b, more = l[i], true
			}
			in = append(in, b)
		}
		if !more {
			return in[:len(in)-len(lanes)]
		}
	}
}

// apiSeeds are the seeds of FuzzAPI. Socket 0 is the server, 1 the first
// client; association 0 is the first one seen.
var apiSeeds = [][]byte{
	// Connect, then send both ways and read.
	apiSeed([]byte{apiConnect, 1, apiSend, 0, 0, 1, apiSend, 0, 1, 30, apiSleep, 10},
		[]byte{apiSleep, 5, apiRecv, 0, apiRecv, 0, apiRecv, 0, apiSend, 1, 0, 2, apiRecv, 1},
		[]byte{apiSleep, 20, apiDrain, 0, apiRecv, 1, apiRecv, 0}),
	// A one-to-one client, connect_init, active mode, peel off, eof.
	apiSeed([]byte{apiOpen, 1, apiConnectInit, 2, apiSleep, 5, apiSend, 0, 0, 3, apiEOF, 0},
		[]byte{apiSetOpts, 0, 0, 1, apiSleep, 4, apiDrain, 0, apiPeeloff, 0, apiSleep, 2, apiDrain, 3},
		[]byte{apiSleep, 8, apiRecv, 2, apiSend, 1, 1, 7, apiSleep, 10, apiDrain, 0}),
	// Connect and abort while another goroutine sends and one closes.
	apiSeed([]byte{apiConnect, 1, apiSleep, 1, apiAbort, 0, apiConnect, 1},
		[]byte{apiSleep, 1, apiSend, 0, 0, 200, apiSend, 0, 0, 200, apiSend, 0, 0, 200},
		[]byte{apiSleep, 2, apiRecv, 0, apiClose, 1, apiRecv, 0}),
	// Options while connecting: non-blocking send, tiny buffers, linger,
	// then close everything with data in flight.
	apiSeed([]byte{apiSetOpts, 1, 1, 1, apiSetOpts, 1, 2, 0, apiConnect, 1, apiSend, 0, 0, 255, apiSend, 0, 0, 255},
		[]byte{apiSetOpts, 0, 3, 0, apiSetOpts, 1, 4, 3, apiSleep, 2, apiClose, 1},
		[]byte{apiSleep, 1, apiRecv, 0, apiListen, 1, apiConnect, 1, apiListen, 0, apiClose, 0}),
	// PR-SCTP and stream resets: sends with each policy (a policy that
	// does not exist among them) while both ends reset streams, some
	// of them the streams sent to.
	apiSeed([]byte{apiConnect, 1, apiSendPR, 0, 0, 30, 1, 10, apiSendPR, 0, 2, 60, 2, 0, apiReset, 0, 0,
		apiSendPR, 0, 0, 5, 0x83, 1, apiSendPR, 0, 4, 9, 4, 1, apiSleep, 10},
		[]byte{apiSleep, 5, apiReset, 1, 5, apiSendPR, 1, 2, 20, 3, 2, apiRecv, 1, apiDrain, 0, apiRecv, 0},
		[]byte{apiSleep, 8, apiRecv, 0, apiReset, 0, 0xff, apiSend, 0, 0, 4, apiDrain, 1, apiSleep, 10}),
	// Our other requests: incoming and both-way resets, an SSN/TSN
	// reset and additions of streams (some beyond the limit) from both
	// ends at once, with their events on, while messages go both ways.
	apiSeed([]byte{apiSetOpts, 0, 8, 108, apiSetOpts, 1, 8, 108, apiConnect, 1, apiSend, 0, 0, 20,
		apiResetDir, 0, 1, 3, apiAddStreams, 0, 2, 1, apiSleep, 10, apiResetAssoc, 0, apiSend, 0, 1, 20, apiSleep, 10},
		[]byte{apiSleep, 6, apiResetDir, 1, 3, 0, apiAddStreams, 1, 7, 3, apiResetAssoc, 1, apiRecv, 1, apiRecv, 0,
			apiSend, 1, 3, 5, apiDrain, 0},
		[]byte{apiSleep, 8, apiRecv, 0, apiResetDir, 0, 0, 1, apiRecv, 1, apiDrain, 1, apiSleep, 10, apiDrain, 0}),
}

// lane runs one goroutine's share of the input.
func (w *apiWorld) lane(ops []byte) {
	pos := 0
	next := func() byte {
		if pos >= len(ops) {
			return 0
		}
		pos++
		return ops[pos-1]
	}
	for pos < len(ops) {
		w.op(next(), next)
	}
}

// op runs one opcode.
func (w *apiWorld) op(code byte, next func() byte) {
	switch code % numAPIOps {
	case apiOpen:
		w.mu.Lock()
		full := len(w.socks) >= maxSockets
		w.mu.Unlock()
		if typ := api.SeqPacket; !full {
			if next()&1 != 0 {
				typ = api.Stream
			}
			w.open(apiHostA, w.netA, api.Type(typ), api.RemoteUDPPort(w.srv.UDPPort()))
		}
	case apiConnect:
		w.connect(w.sock(next()))
	case apiConnectInit:
		s := w.sock(next())
		w.ignore("connect_init", w.bounded("connect_init", time.Second, func(ctx context.Context) error {
			return s.ConnectInit(ctx, apiHostB, w.srv.Port())
		}))
	case apiSend:
		a, stream, size := w.assoc(next()), uint16(next()%12), 1+int(next())*40
		msg := w.message(size)
		w.ignore("send", w.bounded("send", time.Second, func(ctx context.Context) error {
			return a.s.SendContext(ctx, a.id, stream, msg)
		}))
	case apiRecv:
		w.recv(w.sock(next()))
	case apiSetOpts:
		s, which, v := w.sock(next()), next(), next()
		w.ignore("setopts", w.bounded("setopts", time.Second, func(context.Context) error {
			return s.SetOpts(apiOption(which, v))
		}))
	case apiPeeloff:
		w.peeloff(w.assoc(next()))
	case apiEOF:
		a := w.assoc(next())
		w.ignore("eof", w.bounded("eof", time.Second, func(context.Context) error { return a.s.Eof(a.id) }))
	case apiAbort:
		a := w.assoc(next())
		w.ignore("abort", w.bounded("abort", time.Second, func(context.Context) error { return a.s.Abort(a.id) }))
	case apiClose:
		s := w.sock(next())
		w.ignore("close", w.bounded("close", 4*time.Minute, func(context.Context) error { return s.Close() }))
	case apiSleep:
		time.Sleep(time.Duration(next()%40) * 50 * time.Millisecond)
	case apiDrain:
		w.drain(w.sock(next()))
	case apiListen:
		on := next()&1 == 0
		w.ignore("listen", w.bounded("listen", time.Second, func(context.Context) error { return w.srv.Listen(on) }))
	case apiSendPR:
		a, stream, size, pol, v := w.assoc(next()), uint16(next()%12), 1+int(next())*40, next(), next()
		info := api.SndRcvInfo{AssocID: a.id, Stream: stream, TimeToLive: uint32(pol>>2) * 50,
			PrInfo: api.PrInfo{Policy: api.PrPolicy(pol % 5), Value: uint32(v)}, PrInfoValid: pol&0x80 == 0}
		msg := w.message(size)
		w.ignore("send_pr", w.bounded("send_pr", time.Second, func(ctx context.Context) error {
			return a.s.SendInfoContext(ctx, info, msg)
		}))
	case apiReset:
		a, mask := w.assoc(next()), next()
		var ids []uint16
		for i := range uint16(8) {
			if mask&(1<<i) != 0 {
				ids = append(ids, i*2)
			}
		}
		w.ignore("reset_streams", w.bounded("reset_streams", time.Second, func(context.Context) error {
			return a.s.ResetStreams(a.id, ids...)
		}))
	default:
		w.reconfigOp(code%numAPIOps, next)
	}
}

// connect connects s to the server, for up to 3 s.
func (w *apiWorld) connect(s *api.Socket) {
	var ac *api.AssocChange
	err := w.bounded("connect", 3*time.Second, func(ctx context.Context) (err error) {
		ac, err = s.Connect(ctx, apiHostB, w.srv.Port())
		return err
	})
	w.ignore("connect", err)
	if err == nil {
		w.learn(s, ac.AssocID)
	}
}

// recv receives on s for up to 200 ms.
func (w *apiWorld) recv(s *api.Socket) {
	var d api.Delivery
	err := w.bounded("recv", 200*time.Millisecond, func(ctx context.Context) (err error) {
		d, err = s.Recv(ctx)
		return err
	})
	var ee *api.EventError
	if err == nil || errors.As(err, &ee) {
		w.received(s, d)
	}
	w.ignore("recv", err)
}

// peeloff peels a off its socket and registers the new socket.
func (w *apiWorld) peeloff(a apiAssoc) {
	var ps *api.Socket
	err := w.bounded("peeloff", time.Second, func(context.Context) (err error) {
		ps, err = a.s.Peeloff(a.id)
		return err
	})
	w.ignore("peeloff", err)
	if err == nil {
		w.mu.Lock()
		w.socks = append(w.socks, ps)
		w.mu.Unlock()
		w.learn(ps, a.id)
	}
}

// apiOption returns option which with a value derived from v: active
// modes, non-blocking send, buffers, linger, autoclose, delays, segment
// size, events, initmsg, RTO bounds.
func apiOption(which, v byte) api.Option {
	switch which % 12 {
	case 0:
		return api.Active([]api.ActiveSetting{api.ActiveFalse, api.ActiveTrue, api.ActiveOnce,
			api.ActiveCount(int(v%8) - 2)}[v%4])
	case 1:
		return api.NonBlockSend(v&1 != 0)
	case 2:
		return api.Sndbuf(1 + int(v)*256)
	case 3:
		return api.Recbuf(1500 + int(v)*256)
	case 4:
		return api.Linger(v&1 != 0, int(v%4))
	case 5:
		return api.SCTPAutoclose(int(v % 4))
	case 6:
		return api.SCTPNodelay(v&1 != 0)
	case 7:
		return api.SCTPMaxseg(int(v) * 8)
	case 8:
		return api.SCTPEvents(api.EventSubscribe{DataIoEvent: api.OptBool(v % 3), AssociationEvent: api.OptBool(v / 3 % 3),
			ShutdownEvent: api.OptBool(v / 9 % 3), StreamResetEvent: api.OptBool(v / 27 % 3),
			AssocResetEvent: api.OptBool(v / 27 % 3), StreamChangeEvent: api.OptBool(v / 81 % 3)})
	case 9:
		return api.SCTPInitMsg(api.InitMsg{NumOstreams: uint16(v % 16), MaxInstreams: uint16(v / 16),
			MaxAttempts: uint16(v % 5), MaxInitTimeo: uint16(v) * 10})
	case 10:
		return api.SCTPRtoInfo(api.RtoInfo{Initial: uint32(v) * 10, Min: uint32(v), Max: uint32(v) * 40})
	default:
		return api.MaxMessageSize(int(v) * 1024)
	}
}
