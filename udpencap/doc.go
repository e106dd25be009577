// Package udpencap owns the UDP sockets of gensctp's SCTP-over-UDP stack
// (RFC 6951). It is the only package of the module that touches the
// operating system: it opens one UDP socket per local address, all on the
// same port, reads and writes datagrams in batches, keeps a pool of receive
// buffers, and offers fault-injection hooks for tests. Its interface speaks
// bytes plus [netip.AddrPort] and knows nothing about SCTP: the endpoint
// above it parses the packets and keeps the per-peer encapsulation ports.
// A [Conn] is a packetio.Transport (and a packetio.IPReporter): the
// default transport of the stack, whose message types are package
// packetio's.
//
// # RFC 6951 sections
//
// https://www.rfc-editor.org/rfc/rfc6951
//
//   - RFC 6951 Section 5.1 and Section 7: [DefaultPort] is the IANA-assigned
//     sctp-tunneling port 9899; other ports (including an ephemeral one) can
//     be configured, as the implementation note asks: "implementations need
//     to allow other port numbers to be specified as a local or remote UDP
//     encapsulation port number through APIs". Every socket of a [Conn]
//     uses the same local port, the "single local UDP encapsulation port
//     number" of the stack.
//   - RFC 6951 Section 5.3: every datagram leaves from the [Conn]'s port,
//     since "the source port MUST be the local UDP encapsulation port number
//     of the SCTP stack"; the destination port is the caller's choice
//     ([OutMessage].To). The UDP checksum is computed by the operating
//     system, as "the UDP checksum SHOULD be computed for IPv4 and IPv6".
//   - RFC 6951 Section 5.4: [Message].From carries the peer's UDP source
//     port, which the caller stores after finding the association: "the UDP
//     source port MUST be stored as the encapsulation port for the
//     destination address the SCTP packet is received from".
//   - RFC 6951 Section 5.5: ICMP and ICMPv6 errors are ignored. Errors that
//     an operating system derives from them on a read (ECONNREFUSED,
//     ECONNRESET, EHOSTUNREACH, ENETUNREACH, and WSAECONNRESET on Windows)
//     are counted in [Stats].ICMPErrors and otherwise discarded: "the SCTP
//     stack MUST NOT rely on receiving ICMP or ICMPv6 messages".
//   - RFC 6951 Section 5.6: [MaxSCTPPacket] reduces the path MTU by the IP
//     and UDP headers: the endpoint "MUST decrease the Path MTU of that path
//     by the size of the UDP header".
//   - RFC 6951 Section 5.8: the package neither sets nor reads the ECN bits,
//     so it never changes them.
//
// # Sockets and source addresses
//
// [Listen] binds one socket per configured local address (or the wildcard
// 0.0.0.0, and [::] with IPV6_V6ONLY when [Config].IPv6 is set), and
// [Conn.Bind] adds addresses later, on the same port, and [Conn.Unbind]
// closes those of specific addresses. A datagram
// written with [OutMessage].From leaves through the socket bound to that
// address, so its source address is the local address of its path: this is
// what SCTP multihoming needs.
//
// On Linux and macOS a socket bound to a wildcard address asks for the
// destination address of every datagram (IP_PKTINFO on Linux,
// IP_RECVPKTINFO on macOS, IPV6_RECVPKTINFO) and reports it
// as [Message].To, parsed from the control data without allocating, on
// the batch path and the portable one alike; and a datagram whose From is
// an address no socket is bound to leaves through the wildcard socket of
// its family with From as its source (an IP_PKTINFO or IPV6_PKTINFO
// control message, RFC 3542 Section 6.3, one per sendmmsg header), so a
// wildcard server answers from the address its peer sent to. Such a
// wildcard socket covers every specific address of its family: [Conn.Bind]
// opens no socket for them. Without From, or elsewhere, the kernel picks
// the source.
//
// # Reading
//
// Each socket has one reader goroutine, owned by the [Conn], that fills
// batches of messages and hands them to [Conn.ReadBatch] through a
// bounded channel; when the consumer falls behind the readers block and
// the kernel's socket buffer absorbs (and eventually drops) the excess, as
// for any UDP socket. Read deadlines are kept in user space by the [Conn]
// ([Conn.SetReadDeadline]), and [Conn.Close] closes the sockets, stops the
// readers and unblocks [Conn.ReadBatch].
//
// A receiver that handles datagrams as they come (a stack) may instead
// have the readers hand them over themselves ([Conn.SetPush],
// packetio.Pusher): each reader calls its function with the datagrams it
// read, saving a goroutine wake-up per batch, and on Linux keeps reading
// within one wait of Go's poller, so that after a read that drained the
// socket it waits without the recvmmsg that would only answer EAGAIN. On
// an echo round trip both came between a request arriving and its reply
// going out. [Config].DisablePush or the environment variable
// GENSCTP_UDP_NOPUSH keep the datagrams on the channel.
//
// Receive buffers come from a bounded free list of equal-sized buffers,
// [Config].BufferSize bytes each (64 KiB by default, so that no UDP datagram
// is ever truncated). A free list rather than a [sync.Pool]: putting a
// []byte into a sync.Pool allocates, a free list does not, and it keeps the
// memory bounded and reused. Ownership of a buffer passes to the caller with
// the [Message] and comes back with [Conn.Release]. Each socket keeps up to
// two batches of [Config].BatchSize buffers in flight (the portable path
// BatchSize batches of one), so with the defaults a
// socket holds up to 4 MiB of buffers; a caller that knows its path MTU can
// choose a smaller BufferSize (datagrams longer than it are dropped and
// counted in [Stats].Truncated on Linux, on Windows and with vnet, and
// may arrive truncated elsewhere).
//
// # Fast paths and fallbacks
//
// On Linux, when the socket is a *net.UDPConn (the default [Config].Net),
// reads use recvmmsg(2) and writes sendmmsg(2), through golang.org/x/sys/unix
// and the runtime poller (syscall.RawConn), with socket addresses decoded
// into [netip.AddrPort] without allocating. The package does not use
// golang.org/x/net/ipv4's PacketConn.ReadBatch for this: that one allocates a
// *net.UDPAddr and its IP slice for every received message (measured by
// BenchmarkXNetReadBatch in this package's tests: 2 allocations and about
// 56 bytes per datagram), and its WriteBatch wants a net.Addr per message.
//
// The Linux write path also uses UDP generic segmentation offload
// (UDP_SEGMENT, Linux 4.18+, probed when the socket opens): a run of
// consecutive messages to one destination, all of one size except a
// shorter last one, leaves as one super-datagram that the kernel splits
// into ordinary datagrams, up to 64 of them or about 64 KB. It needs no
// copy (one I/O vector per message) and on loopback it more than doubles
// the datagram rate of sendmmsg alone, because the kernel walks its stack
// once per run instead of once per datagram. A send that fails with EIO
// (no offload on that path) turns GSO off for the socket, and one that
// fails with EINVAL or EMSGSIZE (a segment larger than the path allows)
// is retried without GSO; neither error reaches the caller. The receiving
// side needs nothing: a peer without GRO gets ordinary datagrams.
//
// On receive the batch path asks for UDP generic receive offload
// (UDP_GRO, Linux 5.0+) when the receive buffers take 64 KiB (the default
// BufferSize): the kernel may then queue a run of datagrams from one
// sender as one super-datagram (on loopback, a GSO super-datagram arrives
// whole instead of being split and queued datagram by datagram). The
// reader hands out its segments in order, each copied into a pooled
// buffer as its own [Message]; the datagrams before it in the same
// recvmmsg call stay where they were read. Stats counts the segments in
// DatagramsIn and the super-datagrams in GROReceives.
// [Config].DisableGRO or GENSCTP_UDP_NOGRO turn it off.
//
// Everywhere else, when [Config].DisableBatch is set, when the environment
// variable GENSCTP_UDP_NOBATCH is non-empty, or when the kernel answers
// ENOSYS, the portable path reads and writes one datagram per system call
// with ReadFromUDPAddrPort (ReadMsgUDPAddrPort on Linux, for the IP header
// fields) and WriteToUDPAddrPort. [Config].DisableGSO or
// GENSCTP_UDP_NOGSO turn GSO off alone. A [Config].Net that is not the
// standard library (for example a pion vnet virtual network) goes through
// its transport.UDPConn methods, one datagram at a time.
//
// # IP options
//
// [Conn.SetTOS], [Conn.SetTrafficClass], [Conn.SetTTL], [Conn.SetDontRoute]
// and [Conn.SetPriority] set IP_TOS and IP_TTL on the IPv4 sockets,
// IPV6_TCLASS on the IPv6 ones (through golang.org/x/net/ipv4 and ipv6),
// and SO_DONTROUTE and SO_PRIORITY on all of them (Linux only; elsewhere
// they are remembered without effect). They apply to every datagram the
// Conn sends, batched or not; [Conn.IPOptions] reports them.
//
// [Conn.AddRecvIP] and [Conn.RemoveRecvIP] count requests for IP header
// fields of received datagrams: while a field is requested, Linux sockets
// report it (IP_RECVTOS, IP_RECVTTL, IPV6_RECVTCLASS, IPV6_RECVHOPLIMIT)
// in [Message].IP, on the batch path (a control buffer per message of the
// recvmmsg call) and on the portable one (ReadMsgUDPAddrPort) alike,
// parsed without allocation. Elsewhere nothing is reported.
//
// # Hooks
//
// [Conn.SetHook] installs a function that sees every datagram received and
// sent and can pass, drop, duplicate or delay it. Hooks are for tests: they
// move the send path off its batched fast path and allocate for duplicated
// and delayed datagrams.
package udpencap
