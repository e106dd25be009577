package association

import (
	"math"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/stream"
	"github.com/gensctp/gensctp/timer"
)

// Association is one SCTP association: the transmission control block of
// RFC 9260. It is sans-IO (see the package documentation).
//
// An Association is not safe for concurrent use; the caller serialises
// every call. It never calls back into user code.
type Association struct {
	// cfg is shared with the other associations of the Acceptor that
	// created this one, and never written through: a change replaces it
	// (Reconfigure, setConfig). Its LocalPort and PeerPort are those of the
	// template; the association's own are localPort and peerPort.
	cfg                 *Config
	localPort, peerPort uint16
	state               State
	// ecnEcho: ECNE chunks go with every SACK, for ecnEchoTSN (ecn.go;
	// the two fill padding, as the Association stays within 1 KiB).
	ecnEcho bool
	// pathsGen counts the paths added and removed (PeerAddrsGen); here,
	// in padding.
	pathsGen uint16
	rnd      rand.Source
	keys     *CookieKeys

	localTag, peerTag chunk.VerificationTag
	// Tie-tags remembered for the collision cases (RFC 9260 Section
	// 5.2.2): the tags of the association in progress when an INIT
	// arrives.
	localTieTag, peerTieTag chunk.VerificationTag
	outbound, inbound       uint16 // negotiated stream counts
	peerFeatures            features
	peerAdaptation          uint32
	// sndGrown is the send buffer autotuning grew to (growSendBuffer);
	// here, where alignment leaves room for it.
	sndGrown uint32

	paths   []*path
	primary *path
	// HB.Max.Burst budget of the path-verification HEARTBEATs (RFC 9260
	// Section 5.4): probesLeft more until probeEnd, one RTO after the
	// window began; probeSeq numbers the probes sent.
	probeEnd   timer.Time
	probesLeft int
	probeSeq   uint64

	// Handshake: hs while our INIT is in progress (see startHandshake).
	hs *handshake
	// upCookie is when the State Cookie the TCB was set up from was made
	// (the INIT it answers came then); zero when the peer's side of the
	// TCB comes from its INIT ACK. See handleCookieEchoTCB, action B.
	upCookie timer.Time
	// upFromInitAck: the TCB came up from the peer's INIT ACK and its
	// COOKIE ACK (RFC 9260 Section 5.1 E), not from a State Cookie. See
	// handleCookieEchoTCB, action B.
	upFromInitAck bool
	// probeDue: a PLPMTUD probe waits on some path (appendProbe).
	probeDue   bool
	inRecovery bool // Fast Recovery (RFC 9260 Section 7.2.4)
	fastRtxNow bool // send one packet of fast retransmissions regardless of cwnd

	// Send side.
	nextTSN      chunk.TSN // the TSN of the next new DATA chunk
	cumAckPoint  chunk.TSN // highest TSN the peer acknowledged cumulatively
	initialTSN   chunk.TSN // our Initial TSN, our first Re-configuration Request Sequence Number (RFC 6525 Section 5.1.2)
	sendq        *stream.SendQueue
	out          outstanding
	peerRwnd     int // rwnd of RFC 9260 Section 6.2.1
	peerARwnd    uint32
	recoveryExit chunk.TSN
	burstLeft    int // packets of new data left in this send opportunity
	lastSACK     timer.Time
	rtxPath      *path // where retransmissions after a T3 expiry go
	sackPath     *path // where the DATA to acknowledge came from
	freeMsgs     []*stream.OutMessage
	// prs is the partial reliability state (prsctp.go), nil until used.
	prs *prState

	// The acknowledgements of the packet being processed, for flushAcks
	// (sack.go): its last SACK (in sackPending) and the highest
	// Cumulative TSN Ack of its SHUTDOWN chunks in SHUTDOWN-RECEIVED.
	hasSACKPending bool
	hasShutdownCum bool
	shutdownCum    chunk.TSN

	// Receive side.
	rcv                tsnTracker
	reasm              *stream.Reassembly
	tune               *rcvTune      // receive-buffer autotuning (autotune.go), nil until the first DATA when on
	pending            deliveryQueue // messages and events not yet polled
	pendingBytes       int           // message bytes in pending, counted against a_rwnd
	pendingMsgs        int           // messages (not events) in pending, charged ChunkOverhead each
	queuedEventsByKind noticeCounts  // events in pending, by noticeKind
	sackDue            bool          // a SACK must be sent (delayed or not)
	sackNow            bool          // a SACK must be sent in the next packet
	packetsUnacked     uint32        // packets with DATA since the last SACK
	lastARwnd          uint32        // a_rwnd in the last SACK, for window updates
	rxAvg              uint32        // average user data of DATA received, in 1/16 byte, 0 before any (notePayload)
	peerInitialTSN     chunk.TSN     // the first Re-configuration Request Sequence Number of the peer (RFC 6525 Section 5.1.2)
	sackTimer          timer.Timer
	sackSince          timer.Time // arrival of the first packet the SACK owed covers (armSACK)
	packetHasData      bool       // the packet being processed carried DATA
	packetHasDup       bool       // ... and a duplicate
	packetSawGap       bool       // ... and arrived while a TSN was missing
	gotFirstData       bool
	// peerCharges: the peer charges its buffer per chunk; charge it
	// PeerChunkOverhead per chunk (peerRoom). peerChargeSeen counts the
	// SACKs in a row that showed it (notePeerWindow).
	peerCharges    bool
	peerChargeSeen uint8
	// cookieVerified: the COOKIE ECHO of the packet being processed
	// carried a valid cookie matching the packet (RFC 9260 Section 5.1.5
	// steps 1 to 3).
	cookieVerified bool
	// What Message.IP and Message.From report (ipinfo.go): the IP header
	// fields (Datagram.IP, set by HandlePacket and HandleCookieEcho and
	// read only while they run) and the path of the packet being
	// processed, the message end it just brought (rxEnd, rxEndTSN), and
	// what the message ends still in reassembly keep, by TSN.
	rxIP       IPInfo
	ecnEchoTSN chunk.TSN // with ecnEcho (ecn.go), here where alignment leaves room
	rxFrom     netip.AddrPort
	rxEnd      bool
	rxEndTSN   chunk.TSN
	heldIP     map[chunk.TSN]heldEnd

	// Shutdown.
	t2           timer.Timer
	t5           timer.Timer
	autoclose    timer.Timer
	lastActivity timer.Time

	// Control chunks waiting for the next packet, in order, and where
	// they must go (nil: the primary path); ctrlBytes is what they take
	// on the wire (send.go).
	ctrl      []ctrlChunk
	ctrlBytes int
	// replyAllowance is what the replies to the chunks of the packet
	// being processed may still take on the wire (recv.go).
	replyAllowance int

	// Association-wide error counter (RFC 9260 Section 8.1).
	errorCount int

	timers timer.Set
	stats  BasicStats
	// detail holds the DetailStats, allocated with the first packet
	// (detail()), and failedHeld.
	detail *detailState

	// ccAckedBytes counts the bytes acknowledgements gave to the
	// congestion windows (for tests).
	ccAckedBytes uint64
	// The Cumulative TSN Ack of the last SACK processed, and its Gap Ack
	// Blocks in scratch, so that one that repeats them is processed in
	// constant time (sameAcks).
	lastAckCum chunk.TSN
	hasLastAck bool
	scratchBuf *scratch // see scr
}

// scratch holds the buffers that data transfer reuses packet after packet.
type scratch struct {
	sackScratch chunk.SACK // received SACK
	sackPending chunk.SACK // the last SACK of the packet, not yet processed
	sackOut     chunk.SACK // SACK being sent
	ecneOut     chunk.ECNE // ECNE being sent (ecneChunk)
	dataScratch chunk.Data // received DATA
	dataOut     chunk.Data // DATA being sent
	// idataScratch is the I-DATA received, idataOut the one being sent
	// (RFC 8260, idata.go).
	idataScratch, idataOut chunk.IData
	lastAckGaps            []chunk.GapBlock

	// forwardScratch is the FORWARD TSN received, forwardOut the one
	// being sent (PR-SCTP).
	forwardScratch, forwardOut chunk.ForwardTSN
	// iforwardScratch and iforwardOut are the same for I-FORWARD-TSN
	// (RFC 8260 Section 2.3.1).
	iforwardScratch, iforwardOut chunk.IForwardTSN

	// rc is the RE-CONFIG receiver state (reconfig.go), nil until the
	// first RE-CONFIG chunk: kept here rather than in the Association,
	// which stays within 1 KiB.
	rc *reconfState
	// as is the ASCONF state (asconf.go), nil until used, kept here for
	// the same reason.
	as *asconfState
}

// scr returns the scratch buffers, allocated at their first use: the
// first DATA or SACK sent or received. An association that carries no
// data (an idle one) does not pay for them.
func (a *Association) scr() *scratch {
	if a.scratchBuf == nil {
		a.scratchBuf = new(scratch)
	}
	return a.scratchBuf
}

// handshake is the state of the handshake an association starts with
// Connect (RFC 9260 Section 5.1 A and C), from the INIT until the
// association is established or closed: an association that the peer
// started (Acceptor) never has one.
type handshake struct {
	cookieEcho  []byte // the COOKIE ECHO we send and retransmit (T1-cookie)
	cookieTo    *path  // where the COOKIE ECHO goes (nextConfirmed)
	t1          timer.Timer
	preserveFor time.Duration // Cookie Preservative to add to the next INIT
	// staleRetries counts the INITs sent again after a Stale Cookie error.
	staleRetries int
}

// ctrlChunk is a queued control chunk and its destination.
type ctrlChunk struct {
	c  chunk.Chunk
	to *path // nil: the path of the packet being built
	// useTag sends c alone with tag as the verification tag instead of
	// the peer's tag.
	useTag bool
	tag    chunk.VerificationTag
	// raw is a complete packet to send as is (c is then nil).
	raw []byte
	// addr, when valid, is the destination of raw instead of to's
	// address (see queueRawTo).
	addr netip.AddrPort
	// n is the size on the wire (ctrlLen), set by queueCtrl.
	n int
	// from, when valid, is the source address of a packet of c's own
	// instead of the path's (an ASCONF with ASCONFWildcard).
	from netip.Addr
}

// Stats are counters of an association (gen_sctp getstat and RFC 6458
// SCTP_GET_ASSOC_STATS-like fields): BasicStats, kept in the Association,
// and DetailStats, kept beside it from its first packet (see counters.go).
type Stats struct {
	BasicStats
	DetailStats
}

// BasicStats are the counters of messages, packets, DATA chunks, SACKs,
// retransmissions, duplicates and dropped events.
type BasicStats struct {
	// SentMessages and SentBytes count user messages accepted by Send
	// and their bytes; ReceivedMessages and ReceivedBytes count messages
	// delivered.
	SentMessages, SentBytes         uint64
	ReceivedMessages, ReceivedBytes uint64
	// Packets and chunk counters.
	PacketsSent, PacketsReceived uint64
	DataChunksSent               uint64
	DataChunksReceived           uint64
	// Retransmissions counts the chunks sent again: DATA chunks (after a
	// T3-rtx expiry or by Fast Retransmit) and INIT and COOKIE ECHO
	// chunks. FastRetransmissions counts the DATA chunks among them that
	// Fast Retransmit sent (RFC 9260 Section 7.2.4), and
	// DetailStats.T3Retransmissions the others, so that their sum is at
	// most Retransmissions. T3Expirations counts the expiries of T3-rtx
	// that marked data for retransmission (RFC 9260 Section 6.3.3).
	Retransmissions     uint64
	FastRetransmissions uint64
	T3Expirations       uint64
	// DroppedRemoteErrors counts the ERROR chunks not reported because
	// too many RemoteError events were waiting in Poll; DroppedEvents the
	// PaddrChange, Restart AssocChange, AdaptationEvent and RE-CONFIG
	// (StreamResetEvent, StreamChangeEvent, AssocResetEvent) events not
	// reported because too many of their kind were waiting.
	DroppedRemoteErrors      uint64
	DroppedEvents            uint64
	DuplicateTSNs            uint64
	SACKsSent, SACKsReceived uint64
	// RenegedTSNs counts the DATA chunks received and held, then dropped
	// to make room for one with a lower TSN when the receive buffer was
	// full (RFC 9260 Section 6.2); the peer sends them again.
	RenegedTSNs uint64
}

// State returns the association state.
func (a *Association) State() State { return a.state }

// Streams returns the negotiated outbound and inbound stream counts, 0 before
// the handshake completes.
func (a *Association) Streams() (outbound, inbound uint16) { return a.outbound, a.inbound }

// Tags returns the local and peer verification tags.
func (a *Association) Tags() (local, peer chunk.VerificationTag) { return a.localTag, a.peerTag }

// newAssociation builds the parts common to both ends, for a cfg with its
// defaults set and valid (not copied: see Association.cfg), the SCTP
// ports given and cookie keys.
func newAssociation(cfg *Config, localPort, peerPort uint16, keys *CookieKeys, now timer.Time) *Association {
	a := &Association{cfg: cfg, localPort: localPort, peerPort: peerPort, rnd: cfg.Rand, keys: keys}
	a.newStreams()
	a.lastActivity = now
	a.probeEnd = now // the first path-verification probe opens a window
	a.lastARwnd = uint32(min(initialARwnd(cfg), math.MaxUint32))
	a.initTimers()
	return a
}

// validConfig returns cfg with its defaults set, on the heap for
// newAssociation, or the reason it is invalid.
func validConfig(cfg Config) (*Config, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.makeLogger()
	return &cfg, nil
}

// newStreams resets the per-stream state: empty send queues and
// reassembly, every stream sequence number at 0. Both are created with
// their first message (sendQueue, reassembly): an idle association has
// neither, and a nil one is empty (see stream.Reassembly).
func (a *Association) newStreams() {
	a.sendq, a.reasm = nil, nil
	clear(a.heldIP) // message ends of the old reassembly
}

// sendQueue returns the send queue, created for the outbound streams
// negotiated (those asked for before the handshake completes).
func (a *Association) sendQueue() *stream.SendQueue {
	if a.sendq == nil {
		a.sendq = stream.NewSendQueue(int(a.outboundStreams()))
		a.applyScheduler(a.sendq)
		// I-DATA: the scheduler may switch streams between the fragments
		// of a message (RFC 8260 Section 2.2.2: "This way messages from
		// other streams may be interleaved with the fragmented message").
		a.sendq.SetInterleave(a.idata())
	}
	return a.sendq
}

// reassembly returns the reassembly, created for the inbound streams
// negotiated (those allowed before the handshake completes).
func (a *Association) reassembly() *stream.Reassembly {
	if a.reasm == nil {
		n := a.cfg.MaxInboundStreams
		if a.inbound != 0 {
			n = a.inbound
		}
		a.reasm = stream.NewReassembly(int(n))
		a.reasm.SetPool(a.cfg.Buffers)
		a.reasm.SetPartialDeliveryPoint(partialDeliveryPoint(a.cfg))
		a.reasm.SetAbandonable(a.prsctp())
		a.reasm.SetIData(a.idata())
		a.reasm.SetFragmentInterleave(fragmentInterleave(a.cfg))
	}
	return a.reasm
}

// setInbound sets the negotiated number of inbound streams n (RFC 9260
// Section 5.1.1).
func (a *Association) setInbound(n uint16) {
	a.inbound = n
	if a.reasm != nil {
		a.reasm.SetStreams(int(n))
	}
}

// fragmentInterleave returns the fragment interleave level of cfg (RFC
// 6458 Section 8.1.20): FragmentInterleave if set, else 2.
func fragmentInterleave(cfg *Config) int {
	if cfg.HasFragmentInterleave {
		return cfg.FragmentInterleave
	}
	return 2
}

// partialDeliveryPoint returns the partial delivery point of cfg: its
// PartialDeliveryPoint, ReceiveBuffer/2 if 0, and at most half the receive
// buffer (RFC 6458 Section 8.1.21 asks for at most the buffer; a message
// waiting for a point beyond what the buffer holds with its overhead would
// never be delivered, nor let anything after it in).
func partialDeliveryPoint(cfg *Config) int {
	pdp := cfg.PartialDeliveryPoint
	if pdp == 0 || pdp > cfg.ReceiveBuffer/2 {
		pdp = cfg.ReceiveBuffer / 2
	}
	return pdp
}

// randomTag returns a verification tag for this end (RFC 9260 Section
// 5.3.1).
func (a *Association) randomTag() chunk.VerificationTag { return randomTag(a.rnd) }

// New returns an association in the CLOSED state that will connect to the
// peer addresses given (the first is the primary path). Each address is the
// peer's IP and its UDP encapsulation port (RFC 6951 Section 5.1). Call
// Connect to start the handshake.
func New(cfg Config, now timer.Time, peers ...netip.AddrPort) (*Association, error) {
	if len(peers) == 0 {
		return nil, errNoPeer
	}
	c, err := validConfig(cfg)
	if err != nil {
		return nil, err
	}
	if c.Buffers == nil {
		c.Buffers = stream.NewBufPool(stream.DefaultPoolLimit)
	}
	keys := c.Cookies
	if keys == nil {
		keys = NewCookieKeys(c.Rand, 0)
	}
	a := newAssociation(c, c.LocalPort, c.PeerPort, keys, now)
	for _, p := range peers {
		a.addPath(p, true)
	}
	a.primary = a.paths[0]
	return a, nil
}

// Config returns the configuration in use. The copy does not carry the
// association's logger: an association made from it (New) makes its own
// from its LoggerFactory (Reconfigure keeps the association's).
func (a *Association) Config() Config {
	cfg := *a.cfg
	cfg.LocalPort, cfg.PeerPort = a.localPort, a.peerPort
	cfg.log = nil
	return cfg
}

// NextDeadline returns when HandleTimeout must next be called, or
// timer.Never.
func (a *Association) NextDeadline() timer.Time {
	return a.timers.Next()
}

// Poll returns the next delivered message or event, in the order they
// occurred. Message data becomes the caller's; its bytes stop counting
// against the receive window.
func (a *Association) Poll() (Delivery, bool) {
	d, ok := a.pending.pop()
	if ok && d.Event == nil {
		a.pendingBytes -= len(d.Message.Data)
		a.pendingMsgs--
		a.tuneRead(len(d.Message.Data))
		if a.pendingMsgs == 0 {
			a.relieve() // I-DATA: incomplete messages may fill the buffer
		}
		a.maybeWindowUpdate()
	}
	if k := noticeOf(d.Event); ok && k != noticeNone {
		a.queuedEventsByKind[k]--
	}
	if f, isF := d.Event.(*SendFailed); isF {
		a.detail.failedEvents--
		a.detail.failedBytes -= len(f.Data)
	}
	return d, ok
}

// Peek returns the delivery Poll would return next, without taking it: it
// stays queued, and its bytes keep counting against the receive window.
func (a *Association) Peek() (Delivery, bool) { return a.pending.peek() }

// Pending returns the number of deliveries waiting in Poll.
func (a *Association) Pending() int { return a.pending.len() }

// Release returns the buffer of a polled message, or of the Data of a
// polled SendFailed event, to the association's pool (Config.Buffers)
// for reuse by later messages. The caller must not use data afterwards.
// Optional: a buffer not given back is left to the garbage collector.
func (a *Association) Release(data []byte) { a.cfg.Buffers.Put(data) }

// Delivery is a message or an event, as returned by Poll.
type Delivery struct {
	// Event is non-nil for an event; Message is then zero.
	Event   Event
	Message Message
}

// Message is a received user message (or a piece of one: see
// EndOfRecord).
type Message struct {
	Stream chunk.StreamID
	// SSN is the Stream Sequence Number; for a message received in
	// I-DATA chunks, the lower-order 16 bits of its MID (RFC 8260
	// Section 4.1).
	SSN chunk.SSN
	// MID is the Message Identifier of a message received in I-DATA
	// chunks (RFC 8260 Section 2.1), a gensctp addition; zero for DATA.
	MID       chunk.MID
	PPID      chunk.PPID
	Unordered bool
	// TSN is the TSN of the first DATA chunk of the message and CumTSN the
	// cumulative TSN acknowledged when it was delivered (gen_sctp
	// sctp_sndrcvinfo tsn and cumtsn).
	TSN, CumTSN chunk.TSN
	Data        []byte
	// EndOfRecord is false for a partial delivery piece of a message that
	// does not fit in the receive buffer (RFC 6458 Section 8.1.21); the
	// following pieces of the same message come next on the stream.
	EndOfRecord bool
	// IP holds the IP header fields of the packet that carried the last
	// DATA chunk of the message, as the caller passed them in
	// Datagram.IP; zero when unknown and on pieces that do not end a
	// message.
	IP IPInfo
	// From is the peer transport address (IP and UDP encapsulation port)
	// that the last DATA chunk of the message came from: on a multihomed
	// association, the path it took. Zero on pieces that do not end a
	// message.
	From netip.AddrPort
}
