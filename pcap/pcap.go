// Package pcap reads and writes classic libpcap capture files of
// SCTP-over-UDP traffic (RFC 6951): the [Writer] records the packets of
// a socket given the api.Capture option (or any UDP datagrams), in a file
// that Wireshark and tshark open; the reader returns the UDP datagrams
// of a capture, for tests and tools.
//
// Only the classic format is supported (both byte orders, microsecond and
// nanosecond timestamps), not pcapng. The reader understands the link types
// Null/Loopback (0), Ethernet (1), raw IP (101, 228, 229), OpenBSD loopback
// (108), Linux cooked capture SLL (113) and SLL2 (276). It decodes IPv4
// (with options) and IPv6 (walking the common extension headers) and returns
// the UDP datagrams it finds; every other frame is skipped. Fragmented IP
// packets are not reassembled.
//
// The reader never panics on malformed input: truncated or inconsistent
// data yields an error wrapping one of the sentinel errors below, and no
// allocation is sized from a length read from the input.
package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"
)

// Sentinel errors; errors returned by [Parse], [ParseOptions] and
// [ReadFile] wrap one of them and can be tested with [errors.Is].
var (
	// ErrNotPcap reports input that is not a classic libpcap file
	// (unknown magic number or unsupported format version).
	ErrNotPcap = errors.New("pcap: not a classic libpcap file")
	// ErrUnsupportedLinkType reports a file whose link-layer header
	// type the reader does not know.
	ErrUnsupportedLinkType = errors.New("pcap: unsupported link type")
	// ErrTruncated reports input that ends before a header or record
	// does, or a frame whose IP packet was cut short by the capture.
	ErrTruncated = errors.New("pcap: truncated")
	// ErrMalformed reports an IP or UDP header with inconsistent fields.
	ErrMalformed = errors.New("pcap: malformed packet")
	// ErrFragment reports an IPv4 or IPv6 fragment; the reader does not
	// reassemble fragments. See [Options.SkipFragments].
	ErrFragment = errors.New("pcap: fragmented IP packet")
)

// Link-layer header types (https://www.tcpdump.org/linktypes.html).
const (
	linkTypeNull      = 0
	linkTypeEthernet  = 1
	linkTypeRaw       = 101
	linkTypeLoop      = 108
	linkTypeLinuxSLL  = 113
	linkTypeIPv4      = 228
	linkTypeIPv6      = 229
	linkTypeLinuxSLL2 = 276
)

// Magic numbers, as read in little-endian byte order.
const (
	magicMicro        = 0xa1b2c3d4
	magicNano         = 0xa1b23c4d
	magicMicroSwapped = 0xd4c3b2a1
	magicNanoSwapped  = 0x4d3cb2a1
	magicPcapng       = 0x0a0d0d0a
)

const (
	fileHeaderLen   = 24
	recordHeaderLen = 16
	protoUDP        = 17
)

// Packet is one UDP datagram found in a capture.
type Packet struct {
	// Index is the 1-based position of the record in the file, counting
	// skipped records too, so it matches Wireshark's frame number.
	// [Write] ignores it.
	Index int
	// Timestamp is the capture time of the record.
	Timestamp time.Time
	// Src and Dst are the IP source and destination addresses. IPv4
	// packets give 4-byte addresses (Is4), IPv6 packets 16-byte ones.
	Src, Dst netip.Addr
	// SrcPort and DstPort are the UDP source and destination ports.
	SrcPort, DstPort uint16
	// Payload is the UDP payload, as delimited by the UDP length field.
	// When returned by the reader it aliases the input data (with its
	// capacity capped at its length).
	Payload []byte
}

// Options changes how [ParseOptions] treats packets it cannot return.
type Options struct {
	// SkipFragments skips fragmented IPv4 and IPv6 packets instead of
	// failing with [ErrFragment]. An IPv6 "atomic" fragment (offset 0,
	// no more fragments) is complete and is always returned.
	SkipFragments bool
	// SkipTruncated skips frames that end before their link-layer or IP
	// header or before the end of the IP packet, as happens with a small
	// snapshot length, instead of failing with [ErrTruncated]. Truncated
	// file or record headers are still errors.
	SkipTruncated bool
}

// ReadFile reads the classic libpcap file at path and returns its UDP
// datagrams, like [Parse].
func ReadFile(path string) ([]Packet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pkts, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pkts, nil
}

// Parse decodes a classic libpcap file held in data and returns its UDP
// datagrams in file order. Frames that are not IPv4 or IPv6, and IP packets
// that are not UDP, are skipped. Fragments and truncated IP packets are
// errors; use [ParseOptions] to skip them instead.
func Parse(data []byte) ([]Packet, error) {
	return ParseOptions(data, Options{})
}

// ParseOptions is [Parse] with options.
func ParseOptions(data []byte, opts Options) ([]Packet, error) {
	if len(data) < fileHeaderLen {
		if len(data) >= 4 && binary.LittleEndian.Uint32(data) == magicPcapng {
			return nil, fmt.Errorf("%w: pcapng files are not supported", ErrNotPcap)
		}
		return nil, fmt.Errorf("%w: file header needs %d bytes, have %d", ErrTruncated, fileHeaderLen, len(data))
	}
	var (
		bo   binary.ByteOrder
		nano bool
	)
	switch m := binary.LittleEndian.Uint32(data); m {
	case magicMicro:
		bo = binary.LittleEndian
	case magicNano:
		bo, nano = binary.LittleEndian, true
	case magicMicroSwapped:
		bo = binary.BigEndian
	case magicNanoSwapped:
		bo, nano = binary.BigEndian, true
	case magicPcapng:
		return nil, fmt.Errorf("%w: pcapng files are not supported", ErrNotPcap)
	default:
		return nil, fmt.Errorf("%w: bad magic number %#08x", ErrNotPcap, m)
	}
	if major, minor := bo.Uint16(data[4:]), bo.Uint16(data[6:]); major != 2 {
		return nil, fmt.Errorf("%w: unsupported version %d.%d", ErrNotPcap, major, minor)
	}
	// The upper bits of the link type field may carry FCS information;
	// the link type proper is in the low 16 bits. Any FCS trailer is
	// ignored because IP lengths delimit the packets.
	linkType := bo.Uint32(data[20:]) & 0xffff
	switch linkType {
	case linkTypeNull, linkTypeEthernet, linkTypeRaw, linkTypeLoop,
		linkTypeLinuxSLL, linkTypeIPv4, linkTypeIPv6, linkTypeLinuxSLL2:
	default:
		return nil, fmt.Errorf("%w: %d", ErrUnsupportedLinkType, linkType)
	}
	fracUnit := int64(time.Microsecond)
	if nano {
		fracUnit = int64(time.Nanosecond)
	}

	var pkts []Packet
	off := fileHeaderLen
	for index := 1; off < len(data); index++ {
		if len(data)-off < recordHeaderLen {
			return nil, fmt.Errorf("record %d at offset %d: %w: record header needs %d bytes, have %d",
				index, off, ErrTruncated, recordHeaderLen, len(data)-off)
		}
		hdr := data[off : off+recordHeaderLen]
		sec := bo.Uint32(hdr[0:])
		frac := bo.Uint32(hdr[4:])
		capLen := bo.Uint32(hdr[8:])
		origLen := bo.Uint32(hdr[12:])
		recOff := off
		off += recordHeaderLen
		if uint64(capLen) > uint64(len(data)-off) {
			return nil, fmt.Errorf("record %d at offset %d: %w: captured length %d exceeds the %d bytes left",
				index, recOff, ErrTruncated, capLen, len(data)-off)
		}
		frame := data[off : off+int(capLen) : off+int(capLen)]
		off += int(capLen)

		p, ok, err := decodeFrame(linkType, frame)
		if err != nil {
			if (opts.SkipFragments && errors.Is(err, ErrFragment)) ||
				(opts.SkipTruncated && errors.Is(err, ErrTruncated)) {
				continue
			}
			if errors.Is(err, ErrTruncated) && capLen < origLen {
				err = fmt.Errorf("%w (frame captured %d of %d bytes)", err, capLen, origLen)
			}
			return nil, fmt.Errorf("record %d at offset %d: %w", index, recOff, err)
		}
		if !ok {
			continue
		}
		p.Index = index
		p.Timestamp = time.Unix(int64(sec), int64(frac)*fracUnit).UTC()
		pkts = append(pkts, p)
	}
	return pkts, nil
}

// decodeFrame strips the link-layer header of frame and decodes the IP and
// UDP headers. ok is false when the frame holds no UDP datagram.
func decodeFrame(linkType uint32, frame []byte) (p Packet, ok bool, err error) {
	ip, ipVersion, ok, err := linkPayload(linkType, frame)
	if err != nil || !ok {
		return Packet{}, false, err
	}
	if len(ip) == 0 {
		return Packet{}, false, fmt.Errorf("%w: empty IP packet", ErrTruncated)
	}
	v := int(ip[0] >> 4)
	if ipVersion != 0 && v != ipVersion {
		return Packet{}, false, fmt.Errorf("%w: link layer announces IPv%d, header says version %d", ErrMalformed, ipVersion, v)
	}
	var udp []byte
	switch v {
	case 4:
		p.Src, p.Dst, udp, ok, err = decodeIPv4(ip)
	case 6:
		p.Src, p.Dst, udp, ok, err = decodeIPv6(ip)
	default:
		return Packet{}, false, fmt.Errorf("%w: IP version %d", ErrMalformed, v)
	}
	if err != nil || !ok {
		return Packet{}, false, err
	}
	if len(udp) < 8 {
		return Packet{}, false, fmt.Errorf("%w: UDP header needs 8 bytes, IP payload has %d", ErrMalformed, len(udp))
	}
	udpLen := int(binary.BigEndian.Uint16(udp[4:]))
	if udpLen < 8 || udpLen > len(udp) {
		return Packet{}, false, fmt.Errorf("%w: UDP length %d, IP payload has %d bytes", ErrMalformed, udpLen, len(udp))
	}
	p.SrcPort = binary.BigEndian.Uint16(udp[0:])
	p.DstPort = binary.BigEndian.Uint16(udp[2:])
	p.Payload = udp[8:udpLen:udpLen]
	return p, true, nil
}

// linkPayload returns the network-layer packet carried by frame. ipVersion
// is 4 or 6 when the link layer says which IP version follows, 0 when the
// IP header must tell. ok is false for frames that carry no IP packet.
func linkPayload(linkType uint32, frame []byte) (ip []byte, ipVersion int, ok bool, err error) {
	switch linkType {
	case linkTypeRaw:
		return frame, 0, true, nil
	case linkTypeIPv4:
		return frame, 4, true, nil
	case linkTypeIPv6:
		return frame, 6, true, nil
	case linkTypeNull, linkTypeLoop:
		if len(frame) < 4 {
			return nil, 0, false, fmt.Errorf("%w: loopback header needs 4 bytes, have %d", ErrTruncated, len(frame))
		}
		// The address family is in the capturing host's byte order
		// (network order for LOOP); accept either.
		v := ipVersionOfFamily(binary.LittleEndian.Uint32(frame))
		if v == 0 {
			v = ipVersionOfFamily(binary.BigEndian.Uint32(frame))
		}
		if v == 0 {
			return nil, 0, false, nil
		}
		return frame[4:], v, true, nil
	case linkTypeEthernet:
		if len(frame) < 14 {
			return nil, 0, false, fmt.Errorf("%w: Ethernet header needs 14 bytes, have %d", ErrTruncated, len(frame))
		}
		etherType := binary.BigEndian.Uint16(frame[12:])
		rest := frame[14:]
		// Skip up to two VLAN tags (802.1Q, 802.1ad, QinQ).
		for i := 0; i < 2 && (etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100); i++ {
			if len(rest) < 4 {
				return nil, 0, false, fmt.Errorf("%w: VLAN tag needs 4 bytes, have %d", ErrTruncated, len(rest))
			}
			etherType = binary.BigEndian.Uint16(rest[2:])
			rest = rest[4:]
		}
		return etherTypePayload(etherType, rest)
	case linkTypeLinuxSLL:
		if len(frame) < 16 {
			return nil, 0, false, fmt.Errorf("%w: Linux SLL header needs 16 bytes, have %d", ErrTruncated, len(frame))
		}
		return etherTypePayload(binary.BigEndian.Uint16(frame[14:]), frame[16:])
	case linkTypeLinuxSLL2:
		if len(frame) < 20 {
			return nil, 0, false, fmt.Errorf("%w: Linux SLL2 header needs 20 bytes, have %d", ErrTruncated, len(frame))
		}
		return etherTypePayload(binary.BigEndian.Uint16(frame[0:]), frame[20:])
	}
	return nil, 0, false, fmt.Errorf("%w: %d", ErrUnsupportedLinkType, linkType)
}

func etherTypePayload(etherType uint16, rest []byte) ([]byte, int, bool, error) {
	switch etherType {
	case 0x0800:
		return rest, 4, true, nil
	case 0x86dd:
		return rest, 6, true, nil
	}
	return nil, 0, false, nil
}

// ipVersionOfFamily maps a BSD/Linux address family number, as found in
// Null/Loopback headers, to an IP version, or 0.
func ipVersionOfFamily(af uint32) int {
	switch af {
	case 2:
		return 4
	case 10, 24, 28, 30: // Linux, NetBSD/OpenBSD, FreeBSD, Darwin
		return 6
	}
	return 0
}

// decodeIPv4 returns the addresses and the IP payload of a UDP packet; ok
// is false for other protocols.
func decodeIPv4(b []byte) (src, dst netip.Addr, payload []byte, ok bool, err error) {
	if len(b) < 20 {
		return src, dst, nil, false, fmt.Errorf("%w: IPv4 header needs 20 bytes, have %d", ErrTruncated, len(b))
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 {
		return src, dst, nil, false, fmt.Errorf("%w: IPv4 header length %d", ErrMalformed, ihl)
	}
	if len(b) < ihl {
		return src, dst, nil, false, fmt.Errorf("%w: IPv4 header length %d, have %d bytes", ErrTruncated, ihl, len(b))
	}
	total := int(binary.BigEndian.Uint16(b[2:]))
	if total < ihl {
		return src, dst, nil, false, fmt.Errorf("%w: IPv4 total length %d shorter than header length %d", ErrMalformed, total, ihl)
	}
	if total > len(b) {
		return src, dst, nil, false, fmt.Errorf("%w: IPv4 total length %d, have %d bytes", ErrTruncated, total, len(b))
	}
	if b[9] != protoUDP {
		return src, dst, nil, false, nil
	}
	if frag := binary.BigEndian.Uint16(b[6:]); frag&0x3fff != 0 {
		return src, dst, nil, false, fmt.Errorf("%w: IPv4 more-fragments %t, offset %d",
			ErrFragment, frag&0x2000 != 0, int(frag&0x1fff)*8)
	}
	src = netip.AddrFrom4([4]byte(b[12:16]))
	dst = netip.AddrFrom4([4]byte(b[16:20]))
	return src, dst, b[ihl:total:total], true, nil
}

// maxIPv6Headers bounds the extension header walk.
const maxIPv6Headers = 16

// decodeIPv6 returns the addresses and the UDP header and payload of a UDP
// packet, walking the usual extension headers; ok is false for other
// protocols, for ESP, and for "no next header".
func decodeIPv6(b []byte) (src, dst netip.Addr, payload []byte, ok bool, err error) {
	if len(b) < 40 {
		return src, dst, nil, false, fmt.Errorf("%w: IPv6 header needs 40 bytes, have %d", ErrTruncated, len(b))
	}
	plen := int(binary.BigEndian.Uint16(b[4:]))
	if plen == 0 {
		return src, dst, nil, false, fmt.Errorf("%w: IPv6 payload length 0 (jumbograms are not supported)", ErrMalformed)
	}
	if 40+plen > len(b) {
		return src, dst, nil, false, fmt.Errorf("%w: IPv6 payload length %d, have %d bytes", ErrTruncated, plen, len(b)-40)
	}
	src = netip.AddrFrom16([16]byte(b[8:24]))
	dst = netip.AddrFrom16([16]byte(b[24:40]))
	next := b[6]
	rest := b[40 : 40+plen : 40+plen]
	for range maxIPv6Headers {
		var n int
		switch next {
		case protoUDP:
			return src, dst, rest, true, nil
		case 0, 43, 60, 135, 139, 140: // hop-by-hop, routing, destination options, mobility, HIP, shim6
			if len(rest) < 8 {
				return src, dst, nil, false, fmt.Errorf("%w: IPv6 extension header %d needs 8 bytes, have %d", ErrMalformed, next, len(rest))
			}
			n = (int(rest[1]) + 1) * 8
		case 44: // fragment
			if len(rest) < 8 {
				return src, dst, nil, false, fmt.Errorf("%w: IPv6 fragment header needs 8 bytes, have %d", ErrMalformed, len(rest))
			}
			if f := binary.BigEndian.Uint16(rest[2:]); f&0xfff9 != 0 {
				return src, dst, nil, false, fmt.Errorf("%w: IPv6 more-fragments %t, offset %d",
					ErrFragment, f&1 != 0, int(f&0xfff8))
			}
			n = 8
		case 51: // authentication header
			if len(rest) < 8 {
				return src, dst, nil, false, fmt.Errorf("%w: IPv6 AH needs 8 bytes, have %d", ErrMalformed, len(rest))
			}
			n = (int(rest[1]) + 2) * 4
		default: // upper-layer protocol other than UDP, ESP, no next header
			return src, dst, nil, false, nil
		}
		if n > len(rest) {
			return src, dst, nil, false, fmt.Errorf("%w: IPv6 extension header %d of %d bytes, have %d", ErrMalformed, next, n, len(rest))
		}
		next = rest[0]
		rest = rest[n:]
	}
	return src, dst, nil, false, fmt.Errorf("%w: more than %d IPv6 extension headers", ErrMalformed, maxIPv6Headers)
}
