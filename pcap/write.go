package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"
)

// writeSnapLen is the snapshot length written in file headers; it is
// larger than any packet the writer produces.
const writeSnapLen = 262144

// writeBufSize is the size of each of a Writer's two buffers.
const writeBufSize = 64 << 10

// ErrWriterFailed is wrapped by the errors of a [Writer] whose
// underlying io.Writer failed: from then on it writes nothing more (a
// record cut in the middle would make the rest of the file unreadable),
// and every WritePacket and Flush fails with that first error.
var ErrWriterFailed = errors.New("pcap: capture writer failed")

// ErrDropped is returned by [Writer.TryWritePacket] for a packet it left
// out because the io.Writer had not taken the records before it yet (see
// [Writer.Dropped]).
var ErrDropped = errors.New("pcap: packet dropped: the capture writer is slow")

// Writer writes UDP datagrams to a classic libpcap file with nanosecond
// timestamps and link type raw IP (LINKTYPE_RAW, 101), building IPv4 or
// IPv6 and UDP headers with valid checksums. SCTP packets written as UDP
// payloads (SCTP over UDP, RFC 6951) open in Wireshark and tshark as
// SCTP when one of the UDP ports is 9899, the port its SCTP dissector
// registers; for other ports, decode them as SCTP with
// "tshark -d udp.port==PORT,sctp" (Wireshark: Analyze, Decode As).
//
// A Writer is safe for concurrent use: a mutex keeps each record whole.
// It buffers what it writes: call [Writer.Flush] (or [Writer.Close]) to
// get everything into the io.Writer. Once the io.Writer fails, the
// Writer stops (see [ErrWriterFailed]) and [Writer.Err] reports why.
//
// A slow io.Writer: a Writer has two buffers of 64 KiB. The records go
// into one while the other is written to the io.Writer by a goroutine of
// its own, never under the mutex: a packet is never held up by the
// io.Writer unless both buffers are full, when WritePacket waits for the
// write under way to end and [Writer.TryWritePacket] (what the captures
// of package api use, on the packet path) leaves the packet out and
// counts it ([Writer.Dropped]). An io.Writer that blocks forever blocks
// Flush and Close (and WritePacket once the buffers are full) forever.
type Writer struct {
	mu      sync.Mutex
	wrote   sync.Cond // signalled, with mu, when a write to out ends
	out     io.Writer
	cur     []byte // the records not yet handed to out
	spare   []byte // the other buffer, empty; nil while it is written to out
	buf     []byte
	rh      [recordHeaderLen]byte // a record header, kept here so as not to allocate one per packet
	id      uint16
	err     error // the first error of out, wrapped in ErrWriterFailed
	closed  bool
	dropped atomic.Uint64
}

// NewWriter writes the file header to w and returns a Writer for the
// packet records. The header is written to w at once, so that a capture
// with no packet is a valid file.
func NewWriter(w io.Writer) (*Writer, error) {
	var h [fileHeaderLen]byte
	binary.LittleEndian.PutUint32(h[0:], magicNano)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], writeSnapLen)
	binary.LittleEndian.PutUint32(h[20:], linkTypeRaw)
	if err := writeAll(w, h[:]); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWriterFailed, err)
	}
	pw := &Writer{out: w, cur: make([]byte, 0, writeBufSize), spare: make([]byte, 0, writeBufSize)}
	pw.wrote.L = &pw.mu
	return pw, nil
}

// writeAll writes b to w: a short write with no error is io.ErrShortWrite.
func writeAll(w io.Writer, b []byte) error {
	n, err := w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	return err
}

// ErrWriterClosed is returned by the methods of a closed [Writer].
var ErrWriterClosed = errors.New("pcap: capture writer closed")

// Err returns the error that stopped the Writer (wrapping
// [ErrWriterFailed] and the io.Writer's error), or nil.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Dropped returns how many packets [Writer.TryWritePacket] left out
// because the io.Writer was slow.
func (w *Writer) Dropped() uint64 { return w.dropped.Load() }

// Flush writes the buffered records to the io.Writer, after the write
// under way if any. It returns the error that stopped the Writer, if any.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.spare == nil {
		w.wrote.Wait()
	}
	if w.err == nil && !w.closed && len(w.cur) > 0 {
		full := w.handOff()
		w.mu.Unlock()
		err := writeAll(w.out, full)
		w.mu.Lock()
		w.written(full, err)
	}
	return w.err
}

// handOff takes the buffered records out, for writing them to the
// io.Writer out of the mutex (written then ends the write). With mu, and
// no write under way.
func (w *Writer) handOff() []byte {
	full := w.cur
	w.cur, w.spare = w.spare, nil
	return full
}

// written ends the write of full, which failed with err if not nil. With
// mu.
func (w *Writer) written(full []byte, err error) {
	w.fail(err)
	w.spare = full[:0]
	w.wrote.Broadcast()
}

// writeOut writes full, handed off, to the io.Writer: the goroutine of a
// write under way.
func (w *Writer) writeOut(full []byte) {
	err := writeAll(w.out, full)
	w.mu.Lock()
	w.written(full, err)
	w.mu.Unlock()
}

// Close flushes the Writer and closes it: later writes fail with
// [ErrWriterClosed]. It does not close the io.Writer. It returns the
// error that stopped the Writer, if any.
func (w *Writer) Close() error {
	err := w.Flush()
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	return err
}

// fail records err, the first error of the io.Writer.
func (w *Writer) fail(err error) {
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("%w: %w", ErrWriterFailed, err)
	}
}

// WritePacket appends p as one record. Src and Dst must both be IPv4 or
// both IPv6 addresses (an IPv6 zone is dropped); the payload must fit in
// one IP packet. A zero Timestamp is written as the Unix epoch; other
// timestamps must lie between 1970 and 2106. p.Index is ignored. A
// packet it refuses leaves the Writer as it was; once the io.Writer
// failed, it fails with the error that stopped the Writer (see
// [ErrWriterFailed]). When its buffers are full, it waits for the
// io.Writer (see [Writer]).
func (w *Writer) WritePacket(p Packet) error { return w.writePacket(p, true) }

// TryWritePacket is WritePacket, except that it never waits for the
// io.Writer: when the Writer's buffers are full it leaves p out, counts
// it ([Writer.Dropped]) and returns [ErrDropped].
func (w *Writer) TryWritePacket(p Packet) error { return w.writePacket(p, false) }

// writePacket is WritePacket, waiting for the io.Writer or not.
func (w *Writer) writePacket(p Packet, wait bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.err != nil:
		return w.err
	case w.closed:
		return ErrWriterClosed
	}
	b, sec, nsec, err := w.record(p)
	if err != nil {
		return err
	}
	if len(w.cur) > 0 && len(w.cur)+len(w.rh)+len(b) > cap(w.cur) {
		for wait && w.spare == nil && w.err == nil {
			w.wrote.Wait()
		}
		switch {
		case w.err != nil:
			return w.err
		case w.spare == nil:
			w.dropped.Add(1)
			return ErrDropped
		}
		go w.writeOut(w.handOff())
	}
	rh := w.rh[:]
	binary.LittleEndian.PutUint32(rh[0:], uint32(sec))
	binary.LittleEndian.PutUint32(rh[4:], uint32(nsec))
	binary.LittleEndian.PutUint32(rh[8:], uint32(len(b)))
	binary.LittleEndian.PutUint32(rh[12:], uint32(len(b)))
	w.cur = append(append(w.cur, rh...), b...)
	return nil
}

// record builds the IP packet of p in w.buf and returns it with p's
// timestamp. With mu.
func (w *Writer) record(p Packet) (b []byte, sec, nsec int64, err error) {
	if !p.Src.IsValid() || !p.Dst.IsValid() {
		return nil, 0, 0, errors.New("pcap: write: invalid source or destination address")
	}
	if !p.Timestamp.IsZero() {
		sec, nsec = p.Timestamp.Unix(), int64(p.Timestamp.Nanosecond())
		if sec < 0 || sec > math.MaxUint32 {
			return nil, 0, 0, fmt.Errorf("pcap: write: timestamp %v out of range", p.Timestamp)
		}
	}
	udpLen := 8 + len(p.Payload)
	b = w.buf[:0]
	switch {
	case p.Src.Is4() && p.Dst.Is4():
		if 20+udpLen > math.MaxUint16 {
			return nil, 0, 0, fmt.Errorf("pcap: write: payload of %d bytes too large for IPv4", len(p.Payload))
		}
		w.id++
		b = append(b, 0x45, 0)
		b = binary.BigEndian.AppendUint16(b, uint16(20+udpLen))
		b = binary.BigEndian.AppendUint16(b, w.id)
		b = append(b, 0x40, 0, 64, protoUDP, 0, 0) // DF, TTL 64, UDP, checksum
		s, d := p.Src.As4(), p.Dst.As4()
		b = append(b, s[:]...)
		b = append(b, d[:]...)
		binary.BigEndian.PutUint16(b[10:], ^onesSum(0, b[:20]))
	case p.Src.Is6() && p.Dst.Is6():
		if udpLen > math.MaxUint16 {
			return nil, 0, 0, fmt.Errorf("pcap: write: payload of %d bytes too large for IPv6", len(p.Payload))
		}
		b = append(b, 0x60, 0, 0, 0)
		b = binary.BigEndian.AppendUint16(b, uint16(udpLen))
		b = append(b, protoUDP, 64)
		s, d := p.Src.As16(), p.Dst.As16()
		b = append(b, s[:]...)
		b = append(b, d[:]...)
	default:
		return nil, 0, 0, fmt.Errorf("pcap: write: address families differ: %v, %v", p.Src, p.Dst)
	}
	ipHdrLen := len(b)
	b = binary.BigEndian.AppendUint16(b, p.SrcPort)
	b = binary.BigEndian.AppendUint16(b, p.DstPort)
	b = binary.BigEndian.AppendUint16(b, uint16(udpLen))
	b = append(b, 0, 0)
	b = append(b, p.Payload...)
	binary.BigEndian.PutUint16(b[ipHdrLen+6:], udpChecksum(b, ipHdrLen))
	w.buf = b
	return b, sec, nsec, nil
}

// Write writes a complete libpcap file holding pkts to w, as [NewWriter],
// [Writer.WritePacket] and [Writer.Flush] do.
func Write(w io.Writer, pkts []Packet) error {
	pw, err := NewWriter(w)
	if err != nil {
		return err
	}
	for i, p := range pkts {
		if err := pw.WritePacket(p); err != nil {
			return fmt.Errorf("packet %d: %w", i, err)
		}
	}
	return pw.Flush()
}

// udpChecksum computes the UDP checksum of the IP packet b whose IP header
// is ipHdrLen bytes long, with the checksum field set to zero.
func udpChecksum(b []byte, ipHdrLen int) uint16 {
	udp := b[ipHdrLen:]
	var sum uint32
	if ipHdrLen == 20 {
		sum = uint32(onesSum(sum, b[12:20]))
	} else {
		sum = uint32(onesSum(sum, b[8:40]))
	}
	sum += protoUDP + uint32(len(udp))
	c := ^onesSum(sum, udp)
	if c == 0 {
		c = 0xffff
	}
	return c
}

// onesSum adds b, as big-endian 16-bit words, to the one's complement sum
// sum and returns the folded 16-bit result.
func onesSum(sum uint32, b []byte) uint16 {
	s := uint64(sum)
	for len(b) >= 2 {
		s += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint64(b[0]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}
