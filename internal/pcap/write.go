package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// writeSnapLen is the snapshot length written in file headers; it is
// larger than any packet the writer produces.
const writeSnapLen = 262144

// Writer writes UDP datagrams to a classic libpcap file with nanosecond
// timestamps and link type raw IP (101), building IPv4 or IPv6 and UDP
// headers with valid checksums. A Writer is not safe for concurrent use.
type Writer struct {
	w   io.Writer
	buf []byte
	id  uint16
}

// NewWriter writes the file header to w and returns a Writer for the
// packet records.
func NewWriter(w io.Writer) (*Writer, error) {
	var h [fileHeaderLen]byte
	binary.LittleEndian.PutUint32(h[0:], magicNano)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], writeSnapLen)
	binary.LittleEndian.PutUint32(h[20:], linkTypeRaw)
	if _, err := w.Write(h[:]); err != nil {
		return nil, err
	}
	return &Writer{w: w}, nil
}

// WritePacket appends p as one record. Src and Dst must both be IPv4 or
// both IPv6 addresses (an IPv6 zone is dropped); the payload must fit in
// one IP packet. A zero Timestamp is written as the Unix epoch; other
// timestamps must lie between 1970 and 2106. p.Index is ignored.
func (w *Writer) WritePacket(p Packet) error {
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

	var rh [recordHeaderLen]byte
	binary.LittleEndian.PutUint32(rh[0:], uint32(sec))
	binary.LittleEndian.PutUint32(rh[4:], uint32(nsec))
	binary.LittleEndian.PutUint32(rh[8:], uint32(len(b)))
	binary.LittleEndian.PutUint32(rh[12:], uint32(len(b)))
	if _, err := w.w.Write(rh[:]); err != nil {
		return err
	}
	_, err := w.w.Write(b)
	return err
}

// Write writes a complete libpcap file holding pkts to w, as [NewWriter]
// and [Writer.WritePacket] do.
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
	return nil
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
