// Package api is gensctp's user interface: the Erlang/OTP gen_sctp API in
// Go, over SCTP (RFC 9260) encapsulated in UDP (RFC 6951). An Erlang
// programmer finds every gen_sctp call, record and atom with the same
// meaning; a Go programmer finds contexts, deadlines, errors.Is and
// errors.As, channels and godoc examples.
//
// # Mapping
//
//	gen_sctp                           package api
//	open/0,1,2 + open-only options     Open(IP(a), Port(p), Type(SeqPacket|Stream), Inet6(), LocalUDPPort(n), ...)
//	close/1, linger                    (*Socket).Close, Linger(on, secs)
//	listen/2                           Listen(bool), ListenBacklog(n)
//	connect/4,5 (blocking)             Connect(ctx, addr, port, opts...) (*AssocChange, error); ConnectAddrs;
//	                                   ConnectHost(ctx, host, port, opts...), ConnectHosts for hostname()
//	connect_init/4,5                   ConnectInit(ctx, addr, port, opts...); ConnectInitHost
//	connectx_init/3,4,5                ConnectxInit(ctx, addrs, port, opts...) (AssocID, error); ConnectxInitHosts
//	Timeout (name resolution)          ctx, and the write deadline (SetWriteDeadline)
//	inet_db name resolution            Resolver(*net.Resolver) (default net.DefaultResolver); LookupHost
//	{error, nxdomain}                  *Error{Reason: Nxdomain} wrapping ErrNXDomain and the *net.DNSError
//	send/4                             Send(assoc, stream, data), SendContext
//	send/3                             SendInfo(SndRcvInfo, data), SendInfoContext
//	recv/1,2                           Recv(ctx) (Delivery, error), SetReadDeadline;
//	                                   RecvBuffer(ctx, b) into the caller's buffer (no allocation)
//	eof/2, abort/2                     Eof(assoc), Abort(assoc)
//	peeloff/2                          Peeloff(assoc) (*Socket, error)
//	controlling_process/2              SetOwner(chan<- Delivery), Deliveries()
//	error_string/1                     ErrorString(code)
//	inet:setopts/2                     SetOpts(opts...): every option of inet:sctp_options/0
//	inet:getopts/2                     GetOpts(OptionQuery{Name, AssocID, Addr}...) []OptionValue;
//	                                   GetOpt[T](s, query) (T, error) for one option with its error
//	getopts sctp_status                Status(assoc) (Status, error)
//	getopts sctp_get_peer_addr_info    PeerAddrInfo(assoc, addr) (PaddrInfo, error)
//	inet:port/1, socknames, peernames  Port(), SockNames(assoc), PeerNames(assoc)
//	inet:getstat/1                     Stats()
//	(Linux SCTP_GET_ASSOC_STATS)       AssocStats(assoc): one association's counters (packets, bytes, chunks
//	                                   by type, retransmissions fast and T3, gap reports, duplicates,
//	                                   abandoned messages), per path RTT, SRTT, RTO, cwnd, ssthresh, flight
//	(not in gen_sctp)                  TransportStats(): the UDP port's datagrams and drops (bad CRC,
//	                                   out of the blue, ...), AssocIDs() (RFC 6458 SCTP_GET_ASSOC_ID_LIST)
//	(not in gen_sctp, RFC 7496)        PR-SCTP: SCTPPrSupported(bool) (sctp_pr_supported), SndRcvInfo.PrInfo
//	                                   and SCTPDefaultPrInfo(PrInfo) (sctp_default_prinfo: PrNone, PrTTL,
//	                                   PrRtx, PrPrio), PrStatus(assoc) and PrStreamStatus(assoc, stream)
//	                                   (sctp_pr_assoc_status, sctp_pr_stream_status); abandoned messages
//	                                   come back as SendFailed events with their data
//	(not in gen_sctp, RFC 8260)        I-DATA: SCTPInterleavingSupported(bool) (sctp_interleaving_supported),
//	                                   SndRcvInfo.MID; SCTPFragmentInterleave(level) (RFC 6458
//	                                   sctp_fragment_interleave: 0, 1, 2)
//	(not in gen_sctp, RFC 6525)        SCTPEnableStreamReset(AssocValue) (sctp_enable_stream_reset): the
//	                                   peer's stream reconfiguration requests performed, all by default
//	(not in gen_sctp, RFC 5061)        ASCONF: SCTPAsconfSupported(bool) (sctp_asconf_supported),
//	                                   SCTPAsconfNoAuth, SCTPAsconfWildcard; BindxAdd and BindxRemove
//	                                   (sctp_bindx) change the addresses of a live socket and its
//	                                   associations; PaddrChange addr_added, addr_removed, addr_made_prim
//	{active, false|true|once|N}        Active(ActiveFalse|ActiveTrue|ActiveOnce|ActiveCount(n))
//	{sctp, S, IP, Port, {Anc, Data}}   Delivery{Kind: KindData|KindEvent, From, Info, Data, Event}
//	{sctp_error, S, IP, Port, ...}     Delivery{Kind: KindError}; from Recv: an error (*EventError)
//	{sctp_passive, S}                  Delivery{Kind: KindPassive}
//	#sctp_sndrcvinfo{} ...             SndRcvInfo, InitMsg, RtoInfo, AssocParams, Prim, SetPeerPrim,
//	                                   SetAdaptation, PaddrParams, EventSubscribe, AssocValue,
//	                                   PaddrInfo, Status (fields named after gen_sctp's)
//	event records                      AssocChange, PaddrChange, RemoteError, SendFailed,
//	                                   ShutdownEvent, AdaptationEvent, PdapiEvent (plus AssocID)
//	atoms                              typed constants whose String is the atom (CommUp → "comm_up")
//	{error, Reason}                    *Error{Op, Assoc, Stream, Reason Atom, Err}
//
// Options are functional options named after gen_sctp's: {foo_bar, V} is
// FooBar(V), {sctp_foo, V} is SCTPFoo(V). Records use gen_sctp's units
// (milliseconds, seconds) so that values carry over unchanged; Go's
// time.Duration appears only where gen_sctp has no field.
//
// # UDP encapsulation
//
// gen_sctp has no UDP options; gensctp adds them (RFC 6951): the local
// UDP port (LocalUDPPort, default 9899, 0 for ephemeral) and the remote
// UDP port of peers (RemoteUDPPort, RemoteUDPPortFor). Sockets opened on
// one UDP port share one UDP socket and event loop (RFC 6951 Section 5.1:
// one encapsulation port per SCTP stack), each with its own SCTP port. An
// association learns each peer address's UDP port from the packets that
// pass its verification tag check (RFC 6951 Section 5.4).
//
// # Host names
//
// gen_sctp's connect, connect_init and connectx_init take host names as
// well as IP addresses; so do ConnectHost, ConnectHosts, ConnectInitHost
// and ConnectxInitHosts, and the "host:port" addresses of Dial, Listen
// and ListenContext. A name is resolved by the Resolver option (a
// *net.Resolver, default net.DefaultResolver), within the call's context
// and, for the Socket methods, the write deadline; an IP literal is used
// as it is, without the resolver. Every address of a name goes to the
// association, as connectx_init's list does, in the resolver's order
// within each family (the INIT goes to the first; while unanswered, its
// retransmissions go to the next ones in turn, RFC 9260 Section 5.1, and
// the address that answers is the primary path): a socket of family inet takes the IPv4 addresses,
// one of family inet6 the IPv6 addresses first, then the IPv4 ones
// (only the IPv6 ones with ipv6_v6only). Dial and Listen pick the family
// from the network (sctp4: IPv4, sctp6: IPv6, sctp: both, an inet6
// socket when there is an IPv6 address), and Listen binds every address
// of its name. A name that does not resolve, or to no address of the
// family, gives an *Error of reason nxdomain wrapping ErrNXDomain and
// the resolver's *net.DNSError, before Connect's options are applied;
// the end of the context or deadline gives reason timeout (or
// ecanceled).
//
// # Other packet transports
//
// A socket may run on a packet transport other than UDP sockets of its
// own (package packetio), another addition: OverPacketConn puts it on a
// net.PacketConn of the caller's (a UDP socket, with the port rules
// above), OverConn on a connected net.Conn that carries one packet per
// Read and Write (a DTLS connection, RFC 8261: one peer, single-homed,
// no addresses in INIT and INIT ACK), OverDTLS on a DTLS connection
// with the defaults of SCTP over DTLS (SCTP port 5000, a PMTU of 1200
// bytes less the DTLS overhead) and the zero checksum of RFC 9653 on
// offer (SCTPAcceptZeroChecksum), OverTransport on any
// packetio.Transport. Sockets share such a transport only with the
// sockets opened over the same one, never a UDP port of the registry;
// the options that need UDP sockets of the socket's own are refused
// with ErrTransportUnsupported, and when the transport closes under the
// sockets their associations end with ErrTransportClosed.
//
// # Cores
//
// The event loop of a UDP port (or transport) spreads its associations
// over shards, by default one per CPU core (Shards, another addition):
// each shard processes the packets of its associations under a lock of
// its own, in parallel with the others, and writes them out of any lock;
// a socket's state is shared by its shards. Association IDs tell their
// shard, so they are not consecutive.
//
// # Logs
//
// gen_sctp's debug option has no effect; gensctp logs the pion way
// instead: LoggerFactory(f) (a github.com/pion/logging LoggerFactory)
// with the scopes sctp-api, sctp-stack, sctp-endpoint and sctp-assoc,
// silent by default, switched on by pion's PION_LOG_TRACE, PION_LOG_DEBUG,
// ... environment variables when the option is not given. At trace level,
// sctp-stack logs one line per packet of the socket's SCTP port, with its
// chunks. A level that is off formats nothing: the data path costs the
// same.
//
// # Semantics kept from gen_sctp (its gen_sctp and inet documentation)
//
//   - Active mode counting: {active, N} adds to the count within
//     the int16 range (else einval), clamps a negative sum to 0, turns
//     passive with a notice at 0 (also for {active, 0} when passive and at
//     open), counts events too, and sends no notice when switching from N
//     to true, once or false.
//   - Recv: one whole message or one event per call; error-class
//     events (send failed, remote error, partial delivery aborted) come
//     back as errors; address, shutdown, adaptation and association events
//     never do; einval in active mode; closed when the socket closes.
//   - Connect: options applied first and kept, record fields left
//     zero keeping their values; comm_up or an error carrying the
//     AssocChange; a timeout leaves the attempt running and its outcome
//     arrives later as an event; connect_init and connectx_init report
//     through the event only.
//   - Send: send/4 takes the association's default send
//     parameters; streams at or above the negotiated count are einval;
//     Send blocks while the send buffer is full, or returns eagain with
//     non_block_send.
//   - Eof, abort, close and linger; peeloff; the
//     error_string table; sctp_events defaults (adaptation
//     layer events off).
//
// # Deliberate differences
//
//   - Messages are sent and delivered whole up to MaxMessageSize (default
//     16 MiB, per association) instead of without bound; a larger one is
//     refused by Send (emsgsize) and aborts its association when
//     received. RecvBuffer, an addition, receives into the caller's
//     buffer without allocating, a message larger than the buffer or
//     past the partial delivery point in parts (recvmsg's MSG_EOR).
//   - Active mode delivers to a bounded channel: a slow reader holds data
//     in the association's receive window (the peer stops sending) instead
//     of growing a mailbox.
//   - A blocking Connect waits for its own association's event; it never
//     consumes another association's delivery (gen_sctp's "XXX race
//     condition").
//   - A received SndRcvInfo may be passed to SendInfo as is (SSN, TSN and
//     CumTSN are ignored rather than rejected).
//   - SetOpts applies all options or none; concurrent Recv calls are
//     allowed (each delivery goes to one caller).
//   - Accept on a listening Stream socket (like net.Listener) is an
//     addition; its backlog is the Backlog option (ListenBacklog sets it).
//   - A socket bounds the associations of its SCTP port
//     (MaxAssociations, default DefaultMaxAssociations: 4096) and the
//     INITs it answers per source (InitRate: 256 at once, then 128 a
//     second), where a kernel socket has only its backlog and memory;
//     both are additions, and 0 turns them off.
//   - Options that have no meaning for a user-space stack over UDP are
//     accepted, kept and read back, and say so in their documentation:
//     buffer, reuseaddr, reuseport, the message queue watermarks; mode
//     list is refused (messages are []byte). The IP-level options (tos,
//     tclass, ttl, dontroute, priority) are set on the UDP sockets, which
//     the sockets of one UDP port share. recvtos, recvtclass and recvttl
//     give messages the {tos, V}, {tclass, V} and {ttl, V} items of the
//     UDP datagram that carried them (Delivery.TOS, TClass, TTL) on
//     Linux; elsewhere no item is reported. sctp_set_peer_primary_addr needs
//     ASCONF (RFC 5061, SCTPAsconfSupported) negotiated on the association
//     and is refused with ErrNotSupported otherwise.
//   - GetOpts keeps gen_sctp's quirks (failures left out, non_block_send
//     bare, sctp_status requiring an assoc_id); GetOpt reports the error
//     of one option instead.
//   - TimeToLive is the lifetime of a message not yet sent (RFC 6458
//     Section 5.3.2, RFC 9260 Section 10.1): one none of which was sent
//     within it comes back in a SendFailed event.
//
// # Concurrency
//
// A Socket is safe for concurrent use; see its documentation for the
// locking. Every blocking call honours a context or a deadline and
// returns when the socket closes. Each open UDP port runs one reader
// goroutine and one runtime timer (package internal/stack), and its event
// loop also does the active-mode delivery of every socket on the port:
// no goroutine per socket or association (while a socket's channel is
// full, one goroutine waits for room in it). An event wakes only the
// callers and the active-mode delivery of the socket it concerns, so
// sockets that sit idle, with goroutines blocked in Recv or Read, cost
// the others nothing; within a socket, a message wakes one of the
// goroutines blocked in Recv, and send buffer space freed on an
// association wakes the Sends blocked on that association only.
//
// References:
//   - https://www.erlang.org/doc/apps/kernel/gen_sctp.html
//   - https://www.rfc-editor.org/rfc/rfc9260 (SCTP)
//   - https://www.rfc-editor.org/rfc/rfc6951 (UDP encapsulation)
//   - https://www.rfc-editor.org/rfc/rfc6458 (sockets API: records, styles)
package api
