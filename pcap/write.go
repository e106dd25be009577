package pcap

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
)

// writeSnapLen is the snapshot length written in file headers; it is
// larger than any packet the writer produces.
const writeSnapLen = 262144

// writeBufSize is the size of a Writer's buffer.
const writeBufSize = 64 << 10

// ErrWriterFailed is wrapped by the errors of a [Writer] whose
// underlying io.Writer failed: from then on it writes nothing more (a
// record cut in the middle would make the rest of the file unreadable),
// and every WritePacket and Flush fails with that first error.
var ErrWriterFailed = errors.New("pcap: capture writer failed")

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
type Writer struct {
	mu     sync.Mutex
	bw     *bufio.Writer
	buf    []byte
	rh     [recordHeaderLen]byte // a record header, kept here so as not to allocate one per packet
	id     uint16
	err    error // the first error of bw, wrapped in ErrWriterFailed
	closed bool
}

// NewWriter writes the file header to w and returns a Writer for the
// packet records. The header is flushed to w at once, so that a capture
// with no packet is a valid file.
func NewWriter(w io.Writer) (*Writer, error) {
	var h [fileHeaderLen]byte
	binary.LittleEndian.PutUint32(h[0:], magicNano)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], writeSnapLen)
	binary.LittleEndian.PutUint32(h[20:], linkTypeRaw)
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWriterFailed, err)
	}
	return &Writer{bw: bufio.NewWriterSize(w, writeBufSize)}, nil
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

// Flush writes the buffered records to the io.Writer. It returns the
// error that stopped the Writer, if any.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil && !w.closed {
		w.fail(w.bw.Flush())
	}
	return w.err
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
// [ErrWriterFailed]).
func (w *Writer) WritePacket(p Packet) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.err != nil:
		return w.err
	case w.closed:
		return ErrWriterClosed
	}
	if !p.Src.IsValid() || !p.Dst.IsValid() {
		return errors.New("pcap: write: invalid source or destination address")
	}
	var sec, nsec int64
	if !p.Timestamp.IsZero() {
		sec, nsec = p.Timestamp.Unix(), int64(p.Timestamp.Nanosecond())
		if sec < 0 || sec > math.MaxUint32 {
			return fmt.Errorf("pcap: write: timestamp %v out of range", p.Timestamp)
		}
	}
	udpLen := 8 + len(p.Payload)
	b := w.buf[:0]
	switch {
	case p.Src.Is4() && p.Dst.Is4():
		if 20+udpLen > math.MaxUint16 {
			return fmt.Errorf("pcap: write: payload of %d bytes too large for IPv4", len(p.Payload))
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
			return fmt.Errorf("pcap: write: payload of %d bytes too large for IPv6", len(p.Payload))
		}
		b = append(b, 0x60, 0, 0, 0)
		b = binary.BigEndian.AppendUint16(b, uint16(udpLen))
		b = append(b, protoUDP, 64)
		s, d := p.Src.As16(), p.Dst.As16()
		b = append(b, s[:]...)
		b = append(b, d[:]...)
	default:
		return fmt.Errorf("pcap: write: address families differ: %v, %v", p.Src, p.Dst)
	}
	ipHdrLen := len(b)
	b = binary.BigEndian.AppendUint16(b, p.SrcPort)
	b = binary.BigEndian.AppendUint16(b, p.DstPort)
	b = binary.BigEndian.AppendUint16(b, uint16(udpLen))
	b = append(b, 0, 0)
	b = append(b, p.Payload...)
	binary.BigEndian.PutUint16(b[ipHdrLen+6:], udpChecksum(b, ipHdrLen))
	w.buf = b

	rh := w.rh[:]
	binary.LittleEndian.PutUint32(rh[0:], uint32(sec))
	binary.LittleEndian.PutUint32(rh[4:], uint32(nsec))
	binary.LittleEndian.PutUint32(rh[8:], uint32(len(b)))
	binary.LittleEndian.PutUint32(rh[12:], uint32(len(b)))
	_, _ = w.bw.Write(rh)
	_, err := w.bw.Write(b)
	w.fail(err) // bufio keeps the first error: the second Write has it
	return w.err
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
