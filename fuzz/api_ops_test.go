package fuzz

import (
	"context"
	"errors"
	"net"
	"os"
	"time"

	"github.com/gensctp/gensctp/api"
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
	numAPIOps
)

// apiErrors are the sentinel errors the api documents.
var apiErrors = []error{api.ErrWouldBlock, api.ErrInvalidStream, api.ErrActive, api.ErrNoAssociation,
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
			ShutdownEvent: api.OptBool(v / 9 % 3)})
	case 9:
		return api.SCTPInitMsg(api.InitMsg{NumOstreams: uint16(v % 16), MaxInstreams: uint16(v / 16),
			MaxAttempts: uint16(v % 5), MaxInitTimeo: uint16(v) * 10})
	case 10:
		return api.SCTPRtoInfo(api.RtoInfo{Initial: uint32(v) * 10, Min: uint32(v), Max: uint32(v) * 40})
	default:
		return api.MaxMessageSize(int(v) * 1024)
	}
}
