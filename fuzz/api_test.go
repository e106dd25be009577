package fuzz

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/pion/logging"
	"github.com/pion/transport/v3"
	"github.com/pion/transport/v3/vnet"
)

// FuzzAPI fuzzes sequences of api calls made from three goroutines at
// once: open, connect (blocking and not), send (with PR-SCTP policies and
// lifetimes too), reset_streams, recv, setopts, peeloff, eof, abort,
// close, listen and reading the delivery channel, on a server
// socket and the client sockets the input opens, over a pion vnet network
// inside a testing/synctest bubble (virtual time: every timeout is free,
// and the bubble's own checks apply). Each input byte goes to one
// goroutine in turn: an opcode (see the apiOp constants) and its
// arguments.
//
// Invariants:
//
//   - no panic;
//   - no deadlock: every blocking call has a context or the socket's
//     bounded close, and returns within its bound of virtual time (a call
//     that outlives it fails the input); a wall-clock watchdog ends an
//     iteration that spins for a minute; synctest reports goroutines that
//     are all blocked with nothing to wake them;
//   - no goroutine leak: once every socket is closed and the network
//     stopped, every goroutine of the bubble has ended (synctest waits for
//     them and fails if they are blocked), and the process has no more
//     goroutines than before (but for goroutineSlack), after a short
//     bounded wait;
//   - bounded memory: the live heap after the iteration stays under
//     256 MiB;
//   - every message is delivered at most once: each carries a unique id;
//     one handed back unsent (SendFailed, SCTP_DATA_UNSENT) never is.
func FuzzAPI(f *testing.F) {
	for _, s := range apiSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 600 {
			return
		}
		before := runtime.NumGoroutine()
		watchdog := time.AfterFunc(time.Minute, func() {
			buf := make([]byte, 1<<20)
			panic(fmt.Sprintf("FuzzAPI: iteration still running after a minute (input %q)\n%s",
				in, buf[:runtime.Stack(buf, true)]))
		})
		synctest.Test(t, func(t *testing.T) { runAPI(t, in) })
		watchdog.Stop()
		for i := 0; runtime.NumGoroutine() > before+goroutineSlack && i < 100; i++ {
			time.Sleep(time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before+goroutineSlack {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines after the iteration, %d before\n%s", n, before, buf[:runtime.Stack(buf, true)])
		}
		if live := liveHeap(); live > 256<<20 {
			t.Fatalf("live heap %d bytes after the iteration", live)
		}
	})
}

// goroutineSlack is how many more goroutines than before an iteration
// FuzzAPI tolerates after it: the test runner's own (the fuzzing worker's)
// come and go. The bubble's goroutines are all accounted for by synctest.
const goroutineSlack = 2

// liveHeap returns the live heap at the end of the last GC.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// The hosts of the virtual network: clients on A, the server on B.
var (
	apiHostA = netip.MustParseAddr("192.0.2.1")
	apiHostB = netip.MustParseAddr("192.0.2.2")
)

// apiWorld is one iteration of FuzzAPI.
type apiWorld struct {
	t          *testing.T
	netA, netB transport.Net
	srv        *api.Socket

	mu     sync.Mutex
	socks  []*api.Socket
	assocs []apiAssoc // associations seen: (socket, id)
	nextID uint64
	got    map[uint64]int // message id -> deliveries
	unsent map[uint64]bool
}

// apiAssoc is an association of a socket.
type apiAssoc struct {
	s  *api.Socket
	id api.AssocID
}

// maxSockets bounds the sockets an input opens (peeled-off ones included).
const maxSockets = 8

// runAPI runs one input inside the bubble.
func runAPI(t *testing.T, in []byte) {
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelDisabled
	router, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "192.0.2.0/24", LoggerFactory: lf})
	if err != nil {
		t.Fatal(err)
	}
	w := &apiWorld{t: t, got: map[uint64]int{}, unsent: map[uint64]bool{}}
	for _, h := range []struct {
		ip  netip.Addr
		dst *transport.Net
	}{{apiHostA, &w.netA}, {apiHostB, &w.netB}} {
		vn, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{h.ip.String()}})
		if err != nil {
			t.Fatal(err)
		}
		if err := router.AddNet(vn); err != nil {
			t.Fatal(err)
		}
		*h.dst = vn
	}
	if err := router.Start(); err != nil {
		t.Fatal(err)
	}
	if w.srv = w.open(apiHostB, w.netB); w.srv == nil || w.open(apiHostA, w.netA, api.RemoteUDPPort(w.srv.UDPPort())) == nil {
		t.FailNow()
	}
	if err := w.srv.Listen(true); err != nil {
		t.Fatal(err)
	}

	const lanes = 3
	var wg sync.WaitGroup
	for l := range lanes {
		var ops []byte
		for i := l; i < len(in); i += lanes {
			ops = append(ops, in[i])
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.lane(ops)
		}()
	}
	wg.Wait()
	w.mu.Lock()
	socks := append([]*api.Socket(nil), w.socks...)
	w.mu.Unlock()
	for _, s := range socks {
		w.bounded("close", 4*time.Minute, func(context.Context) error { return s.Close() })
		w.drain(s)
	}
	if err := router.Stop(); err != nil {
		t.Fatal(err)
	}
}

// open opens a socket on host ip of network n and registers it; it
// reports an error (from any goroutine) and returns nil if Open fails.
func (w *apiWorld) open(ip netip.Addr, n transport.Net, opts ...api.Option) *api.Socket {
	s, err := api.Open(append([]api.Option{api.IP(ip), api.LocalUDPPort(0), api.Network(n)}, opts...)...)
	if err != nil {
		w.t.Errorf("open: %v", err)
		return nil
	}
	w.mu.Lock()
	w.socks = append(w.socks, s)
	w.mu.Unlock()
	return s
}

// bounded runs call with a context of d of virtual time and fails the
// test if it returns more than a second after that: every call returns
// within its bound.
func (w *apiWorld) bounded(what string, d time.Duration, call func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	err := call(ctx)
	if took := time.Since(start); took > d+time.Second {
		w.t.Errorf("%s took %v of virtual time, bound %v (error %v)", what, took, d, err)
	}
	return err
}

// message returns a new message of size bytes (at least 8) that starts
// with its unique id.
func (w *apiWorld) message(size int) []byte {
	w.mu.Lock()
	w.nextID++
	id := w.nextID
	w.mu.Unlock()
	b := make([]byte, max(size, 8))
	binary.BigEndian.PutUint64(b, id)
	return b
}

// received records a delivery: a message must come at most once, and
// not if it was handed back unsent (a SendFailed event of SCTP_DATA_UNSENT).
func (w *apiWorld) received(s *api.Socket, d api.Delivery) {
	w.streamChange(s, d)
	w.mu.Lock()
	defer w.mu.Unlock()
	if id := d.Assoc(); id != 0 {
		w.assocs = append(w.assocs, apiAssoc{s: s, id: id})
	}
	if sf, ok := d.Event.(*api.SendFailed); ok && !sf.Flags && len(sf.Data) >= 8 {
		id := binary.BigEndian.Uint64(sf.Data)
		if w.got[id] > 0 {
			w.t.Errorf("message %d handed back unsent after it was delivered", id)
		}
		w.unsent[id] = true
	}
	if d.Kind != api.KindData {
		return
	}
	if len(d.Data) < 8 {
		w.t.Errorf("a message of %d bytes", len(d.Data))
		return
	}
	id := binary.BigEndian.Uint64(d.Data)
	if w.got[id]++; w.got[id] > 1 {
		w.t.Errorf("message %d delivered %d times", id, w.got[id])
	}
	if w.unsent[id] {
		w.t.Errorf("message %d delivered after it was handed back unsent", id)
	}
}

// drain reads what waits on the delivery channel of s.
func (w *apiWorld) drain(s *api.Socket) {
	for {
		select {
		case d := <-s.Deliveries():
			w.received(s, d)
		default:
			return
		}
	}
}

// sock returns socket i (modulo the number open).
func (w *apiWorld) sock(i byte) *api.Socket {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.socks[int(i)%len(w.socks)]
}

// assoc returns association i of those seen, or an id that may not exist.
func (w *apiWorld) assoc(i byte) apiAssoc {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.assocs) == 0 || i >= 0xf0 {
		return apiAssoc{s: w.socks[int(i)%len(w.socks)], id: api.AssocID(i & 0x0f)}
	}
	return w.assocs[int(i)%len(w.assocs)]
}

// learn records an association of s.
func (w *apiWorld) learn(s *api.Socket, id api.AssocID) {
	w.mu.Lock()
	w.assocs = append(w.assocs, apiAssoc{s: s, id: id})
	w.mu.Unlock()
}

// ignore accepts the errors the api documents for calls on closed sockets
// and associations and for bad arguments: the fuzzer checks that calls
// return, not that they succeed. It fails the test on an error that says
// nothing (neither one of api's nor a context's).
func (w *apiWorld) ignore(what string, err error) {
	var ae *api.Error
	switch {
	case err == nil, errors.As(err, &ae), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, context.Canceled):
	default:
		for _, known := range apiErrors {
			if errors.Is(err, known) {
				return
			}
		}
		w.t.Errorf("%s: error of no documented kind: %T %v", what, err, err)
	}
}
