package sctp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/chunk"
	"github.com/pion/logging"
)

// dataChannelPort is the SCTP port of both ends: RFC 8841 Section 5's
// default, the one pion/sctp always uses.
const dataChannelPort = 5000

// Association is an SCTP association over a Config.NetConn, with
// pion/sctp's API: one api.Socket over the conn (api.OverDTLS, one-to-many
// style) holding one association, a goroutine that receives its messages
// and events into the Streams, and one that hands the Streams' writes to
// the socket in the order they were made. Its methods are safe for
// concurrent use.
type Association struct {
	sock *api.Socket
	id   api.AssocID
	cfg  Config
	log  logging.LeveledLogger

	ctx    context.Context // ends with the association
	cancel context.CancelFunc
	wg     sync.WaitGroup // the two goroutines

	mu        sync.Mutex
	cond      *sync.Cond // accept queue, send queue, reset state, end
	streams   map[uint16]*Stream
	accepted  []*Stream
	ended     bool
	endErr    error // what reads return once ended
	sendq     []*outItem
	sendHead  int
	resets    resetState
	gen       uint64             // the peer's restarts
	sending   context.CancelFunc // cancels the send under way
	notifyq   []func()           // OnBufferedAmountLow callbacks to run
	notifying bool               // a goroutine runs them

	recvQueued atomic.Int64  // bytes received into Streams, not read
	room       chan struct{} // a reader freed receive buffer
	maxMsg     atomic.Uint32 // MaxMessageSize
	outStreams atomic.Int32  // outgoing streams negotiated
	queuedOut  atomic.Int64  // bytes written, not yet taken by the socket
	sent, recv atomic.Uint64 // user bytes
	closeOnce  sync.Once
	closeErr   error
}

// Client sets up an association over config.NetConn as its initiator and
// returns once it is established (pion/sctp's Client). pion/webrtc has both
// ends call it: the INITs collide and one association results (RFC 9260
// Section 5.2.1).
func Client(config Config) (*Association, error) { return ClientWithOptions(config) }

// ClientWithOptions is Client with options (a Config among them applies
// its non-zero fields).
func ClientWithOptions(opts ...ClientOption) (*Association, error) {
	return ClientContext(context.Background(), opts...)
}

// ClientContext is ClientWithOptions whose handshake ends with ctx (with
// ctx.Err(), the association closed). ctx does not bound the association
// once established.
func ClientContext(ctx context.Context, opts ...ClientOption) (*Association, error) {
	var cfg Config
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyClient(&cfg); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return start(ctx, cfg, false)
}

// Server waits for the peer's INIT on config.NetConn and returns once the
// association is established (pion/sctp's Server).
func Server(config Config) (*Association, error) { return ServerWithOptions(config) }

// ServerWithOptions is Server with options.
func ServerWithOptions(opts ...ServerOption) (*Association, error) {
	var cfg Config
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyServer(&cfg); err != nil {
			return nil, err
		}
	}
	return start(context.Background(), cfg, true)
}

// socketOptions are the api options of an association configured by cfg.
func socketOptions(cfg Config, conn net.Conn) []api.Option {
	opts := []api.Option{
		// SCTP over DTLS (RFC 8261): port 5000, a PMTU of api.DTLSMTU.
		api.OverDTLS(conn), api.Port(dataChannelPort), api.Type(api.SeqPacket),
		api.LoggerFactory(cfg.LoggerFactory),
		// Data channel ids run to 65534 (RFC 8831 Section 6.2).
		api.SCTPInitMsg(api.InitMsg{NumOstreams: math.MaxUint16, MaxInstreams: math.MaxUint16}),
		api.SCTPEvents(api.EventSubscribe{DataIoEvent: api.True, AssociationEvent: api.True,
			ShutdownEvent: api.True, StreamResetEvent: api.True, SendFailureEvent: api.False,
			PeerErrorEvent: api.False, AddressEvent: api.False, PartialDeliveryEvent: api.True}),
		// The socket's window is at least the 1500 bytes of RFC 9260
		// Section 3.3.2 (pion/sctp takes a smaller MaxReceiveBufferSize
		// as it is); recvLoop bounds what is held at the size asked for.
		api.Recbuf(max(int(cfg.MaxReceiveBufferSize), int(chunk.MinARwnd))),
		// MaxMessageSize bounds what is written (the socket takes at
		// least that); received messages are bounded by the receive
		// buffer, as in pion/sctp (recvLoop).
		api.MaxMessageSize(socketMaxMessage(cfg.MaxMessageSize)),
		api.SCTPNodelay(true),
	}
	if cfg.EnableZeroChecksum {
		opts = append(opts, api.SCTPAcceptZeroChecksum(api.EDMIDLowerLayerDTLS))
	}
	if cfg.MTU != 0 {
		opts = append(opts, api.SCTPPeerAddrParams(api.PaddrParams{PathMtu: cfg.MTU}))
	}
	if cfg.RTOMax != 0 {
		opts = append(opts, api.SCTPRtoInfo(rtoInfo(cfg.RTOMax)))
	}
	return opts
}

// rtoInfo is the RTO of an association whose RTO.Max is rtoMax
// milliseconds. Below RTO.Initial and RTO.Min (1 s) those are rtoMax too,
// as in pion/sctp, whose timeouts are all clamped to RTOMax.
func rtoInfo(rtoMax float64) api.RtoInfo {
	most := uint32(min(max(rtoMax, 1), math.MaxUint32))
	r := api.RtoInfo{Max: most}
	if most < defaultRTOInitial {
		r.Initial, r.Min = most, most
	}
	return r
}

// defaultRTOInitial is gensctp's RTO.Initial and RTO.Min in milliseconds
// (RFC 9260 Section 16).
const defaultRTOInitial = 1000

// socketMaxMessage is the api.MaxMessageSize of the socket of an
// association whose writes take up to maxMessage bytes.
func socketMaxMessage(maxMessage uint32) int {
	return max(api.DefaultMaxMessageSize, int(maxMessage))
}

// start opens the socket and sets up the association, as the server
// (waiting for the peer's INIT) or the client.
func start(ctx context.Context, cfg Config, server bool) (*Association, error) {
	if cfg.NetConn == nil {
		return nil, ErrNoNetConn
	}
	if cfg.snap {
		return nil, ErrSNAPNotSupported
	}
	cfg = cfg.withDefaults()
	conn := newGatedConn(cfg.NetConn)
	sock, err := api.Open(socketOptions(cfg, conn)...)
	if err != nil {
		return nil, fmt.Errorf("sctp: open: %w", err)
	}
	id, err := establish(ctx, sock, conn, !server)
	if err != nil {
		_ = sock.SetOpts(api.Linger(true, 0))
		_ = sock.Close()
		return nil, err
	}
	return newAssociation(sock, id, cfg), nil
}

// establish waits for the association to come up on sock, sending an
// INIT first when initiate (Client). Both ends listen, so that the peer's
// INIT is answered even when it comes before ours: the INITs of two
// Clients then collide into one association (RFC 9260 Section 5.2.1)
// instead of the earlier one being aborted as out of the blue.
func establish(ctx context.Context, sock *api.Socket, conn *gatedConn, initiate bool) (api.AssocID, error) {
	err := sock.Listen(true)
	close(conn.open)
	if err != nil {
		return 0, err
	}
	if initiate {
		err := sock.ConnectInit(ctx, netip.IPv4Unspecified(), dataChannelPort)
		// ErrAlreadyConnected: the peer's INIT came first and set the
		// association up already; its comm_up is on its way.
		if err != nil && !errors.Is(err, api.ErrAlreadyConnected) {
			return 0, fmt.Errorf("%w: %w", ErrAssociationClosedBeforeConn, err)
		}
	}
	for {
		d, err := sock.Recv(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			return 0, fmt.Errorf("%w: %w", ErrAssociationClosedBeforeConn, err)
		}
		ch, ok := d.Event.(*api.AssocChange)
		switch {
		case !ok:
		case ch.State == api.CommUp || ch.State == api.Restart:
			// One association per NetConn (RFC 8261 Section 6.1).
			_ = sock.Listen(false)
			return ch.AssocID, nil
		case ch.State == api.CantAssoc || ch.State == api.CommLost:
			return 0, fmt.Errorf("%w: %v", ErrAssociationClosedBeforeConn, ch)
		}
	}
}

// gatedConn is the NetConn of a socket, whose reads wait until the socket
// listens: a packet the peer sent early (its INIT) is read only then.
type gatedConn struct {
	net.Conn
	open, done chan struct{}
	once       sync.Once
}

// newGatedConn returns c gated.
func newGatedConn(c net.Conn) *gatedConn {
	return &gatedConn{Conn: c, open: make(chan struct{}), done: make(chan struct{})}
}

// Read reads a packet once the gate is open. The errors after which the
// conn stays usable are skipped: pion/dtls returns those of a record it
// dropped (a protocol.TemporaryError, such as application data in epoch
// 0, which anyone on the path can send) and non-fatal alerts, and goes on
// reading; pion/sctp ends the association on them. Timeouts go to the
// socket, which reads again.
func (c *gatedConn) Read(b []byte) (int, error) {
	select {
	case <-c.open:
	case <-c.done:
		return 0, net.ErrClosed
	}
	for {
		n, err := c.Conn.Read(b)
		if err == nil || !skippable(err) {
			return n, err
		}
	}
}

// skippable reports whether err, a read error of a DTLS connection,
// leaves the connection usable and is not a timeout.
func skippable(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	var temp interface{ Temporary() bool }
	if errors.As(err, &temp) && temp.Temporary() {
		return true
	}
	var alert interface{ IsFatalOrCloseNotify() bool }
	return errors.As(err, &alert) && !alert.IsFatalOrCloseNotify()
}

// Close closes the conn.
func (c *gatedConn) Close() error {
	c.once.Do(func() { close(c.done) })
	return c.Conn.Close()
}

// newAssociation starts the goroutines of association id on sock.
func newAssociation(sock *api.Socket, id api.AssocID, cfg Config) *Association {
	a := &Association{sock: sock, id: id, cfg: cfg, log: cfg.LoggerFactory.NewLogger("sctp"),
		streams: map[uint16]*Stream{}, room: make(chan struct{}, 1)}
	a.cond = sync.NewCond(&a.mu)
	a.maxMsg.Store(cfg.MaxMessageSize)
	a.outStreams.Store(math.MaxUint16)
	if st, err := sock.Status(id); err == nil {
		a.outStreams.Store(int32(st.Outstrms))
	}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.wg.Add(2)
	go a.recvLoop()
	go a.sendLoop()
	return a
}

// end marks the association ended: reads return err once their queued
// messages are read, writes fail, AcceptStream returns io.EOF.
func (a *Association) end(err error) {
	a.mu.Lock()
	if a.ended {
		a.mu.Unlock()
		return
	}
	a.ended, a.endErr = true, err
	streams := make([]*Stream, 0, len(a.streams))
	for _, s := range a.streams {
		streams = append(streams, s)
	}
	clear(a.streams)
	a.cond.Broadcast()
	a.mu.Unlock()
	for _, s := range streams {
		s.setReadErr(err)
	}
	a.cancel()
}

// isEnded reports whether the association ended.
func (a *Association) isEnded() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ended
}

// Close ends the association and closes NetConn: it shuts the association
// down (queued data is delivered first) for at most a second, then aborts
// it, and returns once its goroutines have stopped. Reads then fail with
// ErrAssociationClosed (or the error that ended the association before)
// once the messages received are read.
func (a *Association) Close() error {
	a.closeOnce.Do(func() {
		_ = a.sock.SetOpts(api.Linger(true, closeLinger))
		a.shutdownSocket()
	})
	return a.closeErr
}

// closeLinger is the longest Close waits for the graceful shutdown, in
// seconds.
const closeLinger = 1

// shutdownSocket closes the socket (and with it NetConn) and waits for the
// goroutines.
func (a *Association) shutdownSocket() {
	a.end(ErrAssociationClosed)
	err := a.sock.Close()
	if errors.Is(err, api.ErrDataDiscarded) {
		err = nil // pion/sctp's Close discards what is queued too
	}
	a.closeErr = err
	a.wg.Wait()
}

// Abort sends an ABORT with the User-Initiated Abort cause carrying reason
// (RFC 9260 Section 3.3.10.12), then closes the association and NetConn
// as Close does.
func (a *Association) Abort(reason string) {
	a.closeOnce.Do(func() {
		_ = a.sock.SendInfo(api.SndRcvInfo{AssocID: a.id, Flags: api.Abort}, []byte(reason))
		_ = a.sock.SetOpts(api.Linger(true, 0))
		a.shutdownSocket()
	})
}

// Shutdown shuts the association down gracefully (RFC 9260 Section 9.2:
// the data written is delivered first) and waits until it is closed or
// ctx ends (then ctx.Err()). NetConn stays open until Close.
func (a *Association) Shutdown(ctx context.Context) error {
	if a.isEnded() {
		return ErrShutdownNonEstablished
	}
	if err := a.waitSent(ctx); err != nil {
		return err
	}
	if err := a.sock.Eof(a.id); err != nil {
		return fmt.Errorf("%w: %w", ErrShutdownNonEstablished, err)
	}
	select {
	case <-a.ctx.Done():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// OpenStream returns the stream id, created with defaultPayloadType as the
// PPID of Write, or the stream of that id already open (its default PPID
// then set to defaultPayloadType). It fails with ErrAssociationClosed once
// the association ended.
func (a *Association) OpenStream(id uint16, defaultPayloadType PayloadProtocolIdentifier) (*Stream, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ended {
		return nil, ErrAssociationClosed
	}
	s, ok := a.streams[id]
	if !ok {
		s = newStream(a, id)
		a.streams[id] = s
	}
	s.SetDefaultPayloadType(defaultPayloadType)
	return s, nil
}

// AcceptStream waits for a stream the peer opened (by sending on it) and
// returns it; io.EOF once the association ended.
func (a *Association) AcceptStream() (*Stream, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for len(a.accepted) == 0 && !a.ended {
		a.cond.Wait()
	}
	if len(a.accepted) == 0 {
		return nil, errEOF
	}
	s := a.accepted[0]
	a.accepted[0] = nil
	a.accepted = a.accepted[1:]
	a.cond.Broadcast() // room in the accept queue
	return s, nil
}

// acceptQueueSize is the most streams the peer opened that wait for
// AcceptStream (pion/sctp's): a message opening one more waits until
// AcceptStream took one, and the association stops receiving meanwhile.
const acceptQueueSize = 16
