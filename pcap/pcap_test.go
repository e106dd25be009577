package pcap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"maps"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// SCTP encapsulation ports used by all captures in testdata.
const (
	encapPortA = 9900
	encapPortB = 9901
)

// captures describes every file in testdata: the number of UDP datagrams,
// how many of them are IPv6, and the count of each top-level SCTP chunk type
// (as listed in testdata/README.md, without chunks nested in error causes
// or ICMP quotes).
var captures = []struct {
	name   string
	udp    int
	ipv6   int
	chunks map[byte]int
}{
	{"tsctp_transfer.pcap", 207, 0, map[byte]int{0: 100, 1: 1, 2: 1, 3: 100, 7: 1, 8: 1, 10: 1, 11: 1, 14: 1}},
	{"tsctp_loss_gap_dup_tsn.pcap", 558, 0, map[byte]int{0: 419, 1: 2, 2: 2, 3: 270, 7: 1, 8: 2, 10: 1, 11: 1, 14: 1}},
	{"tsctp_fragmented_unordered.pcap", 180, 0, map[byte]int{0: 84, 1: 1, 2: 1, 3: 89, 7: 1, 8: 1, 10: 1, 11: 1, 14: 1}},
	{"tsctp_prsctp_forward_tsn_loss.pcap", 498, 0, map[byte]int{0: 400, 1: 2, 2: 2, 3: 237, 7: 1, 8: 1, 10: 1, 11: 1, 14: 1, 192: 89}},
	{"echo_heartbeat_ipv4_ipv6.pcap", 25, 8, map[byte]int{0: 4, 1: 1, 2: 1, 3: 3, 4: 6, 5: 6, 7: 1, 8: 1, 10: 1, 11: 1, 14: 1}},
	{"echo_injected_error_abort.pcap", 16, 4, map[byte]int{0: 3, 1: 1, 2: 1, 3: 2, 4: 2, 5: 2, 6: 1, 9: 1, 10: 1, 11: 1, 245: 1}},
	{"rtcweb_stream_reset.pcap", 28, 0, map[byte]int{0: 8, 1: 1, 2: 1, 3: 7, 7: 1, 8: 1, 10: 1, 11: 1, 14: 1, 130: 8}},
	{"sctpgen_idata_interleaved.pcap", 72, 0, map[byte]int{1: 1, 2: 1, 3: 32, 7: 1, 8: 1, 10: 1, 11: 1, 14: 1, 64: 36}},
	{"sctpgen_idata_iforward_tsn_loss.pcap", 322, 0, map[byte]int{1: 1, 2: 1, 3: 154, 7: 1, 8: 1, 10: 1, 11: 1, 14: 1, 64: 300, 194: 21}},
	{"sctpgen_abort_user_linger.pcap", 11, 0, map[byte]int{0: 5, 1: 1, 2: 1, 3: 3, 6: 1, 10: 1, 11: 1}},
	{"sctpgen_abort_ootb_init.pcap", 2, 0, map[byte]int{1: 1, 6: 1}},
	{"sctpgen_abort_ootb_init_sll.pcap", 2, 0, map[byte]int{1: 1, 6: 1}},
	{"sctpgen_abort_tbit_after_restart.pcap", 10, 0, map[byte]int{0: 2, 1: 1, 2: 1, 3: 2, 6: 1, 7: 1, 10: 1, 11: 1}},
	{"sctpgen_init_icmp_unreachable.pcap", 1, 0, map[byte]int{1: 1}},
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// sctpChecksumOK verifies the CRC32c of an SCTP packet.
func sctpChecksumOK(b []byte) bool {
	want := binary.LittleEndian.Uint32(b[8:12])
	c := crc32.Update(0, castagnoli, b[:8])
	c = crc32.Update(c, castagnoli, []byte{0, 0, 0, 0})
	c = crc32.Update(c, castagnoli, b[12:])
	return c == want
}

// countChunks adds the top-level chunk types of an SCTP packet to counts.
func countChunks(t *testing.T, b []byte, counts map[byte]int) {
	t.Helper()
	for off := 12; off < len(b); {
		if len(b)-off < 4 {
			t.Fatalf("trailing %d bytes after last chunk", len(b)-off)
		}
		n := int(binary.BigEndian.Uint16(b[off+2:]))
		if n < 4 || n > len(b)-off {
			t.Fatalf("chunk type %d at %d: bad length %d (packet %d bytes)", b[off], off, n, len(b))
		}
		counts[b[off]]++
		off += (n + 3) &^ 3
	}
}

func TestCaptures(t *testing.T) {
	files, err := filepath.Glob("testdata/*.pcap")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(captures) {
		t.Errorf("testdata has %d captures, table lists %d", len(files), len(captures))
	}
	loopback4 := netip.MustParseAddr("127.0.0.1")
	loopback6 := netip.MustParseAddr("::1")
	for _, c := range captures {
		t.Run(c.name, func(t *testing.T) {
			pkts, err := ReadFile(filepath.Join("testdata", c.name))
			if err != nil {
				t.Fatal(err)
			}
			if len(pkts) != c.udp {
				t.Errorf("got %d UDP packets, want %d", len(pkts), c.udp)
			}
			counts := map[byte]int{}
			ipv6 := 0
			for i, p := range pkts {
				if i > 0 && (p.Index <= pkts[i-1].Index || p.Timestamp.Before(pkts[i-1].Timestamp)) {
					t.Errorf("packet %d: index/timestamp not increasing", p.Index)
				}
				if y := p.Timestamp.Year(); y < 2020 || y > 2100 {
					t.Errorf("packet %d: implausible timestamp %v", p.Index, p.Timestamp)
				}
				if p.Src.Is6() {
					ipv6++
					if p.Src != loopback6 || p.Dst != loopback6 {
						t.Errorf("packet %d: addresses %v -> %v", p.Index, p.Src, p.Dst)
					}
				} else if p.Src != loopback4 || p.Dst != loopback4 {
					t.Errorf("packet %d: addresses %v -> %v", p.Index, p.Src, p.Dst)
				}
				ports := [2]uint16{p.SrcPort, p.DstPort}
				if ports != [2]uint16{encapPortA, encapPortB} && ports != [2]uint16{encapPortB, encapPortA} {
					t.Errorf("packet %d: UDP ports %d -> %d", p.Index, p.SrcPort, p.DstPort)
					continue
				}
				if len(p.Payload) < 12 {
					t.Errorf("packet %d: SCTP packet of %d bytes", p.Index, len(p.Payload))
					continue
				}
				if !sctpChecksumOK(p.Payload) {
					t.Errorf("packet %d: bad SCTP CRC32c", p.Index)
				}
				countChunks(t, p.Payload, counts)
			}
			if ipv6 != c.ipv6 {
				t.Errorf("got %d IPv6 packets, want %d", ipv6, c.ipv6)
			}
			if !maps.Equal(counts, c.chunks) {
				t.Errorf("chunk counts %v, want %v", counts, c.chunks)
			}
			if len(pkts) > 0 && pkts[0].Payload[12] != 1 {
				t.Errorf("first chunk is type %d, want INIT", pkts[0].Payload[12])
			}
		})
	}
}

func TestTransferDetails(t *testing.T) {
	pkts, err := ReadFile("testdata/tsctp_transfer.pcap")
	if err != nil {
		t.Fatal(err)
	}
	first := pkts[0]
	if first.Index != 1 || first.SrcPort != encapPortB || first.DstPort != encapPortA {
		t.Errorf("first packet: index %d ports %d -> %d", first.Index, first.SrcPort, first.DstPort)
	}
	// INIT chunk: length 106 excludes the 2 padding bytes that follow
	// the last parameter (Supported Address Types, length 6).
	if n := binary.BigEndian.Uint16(first.Payload[14:]); n != 106 || len(first.Payload) != 12+108 {
		t.Errorf("INIT chunk length %d in payload of %d bytes", n, len(first.Payload))
	}
	var last []byte
	for _, p := range pkts[len(pkts)-3:] {
		last = append(last, p.Payload[12])
	}
	if !bytes.Equal(last, []byte{7, 8, 14}) {
		t.Errorf("last chunk types %v, want SHUTDOWN, SHUTDOWN ACK, SHUTDOWN COMPLETE", last)
	}
	if want := time.Date(2026, 11, 23, 8, 27, 59, 7350000, time.UTC); !first.Timestamp.Equal(want) {
		t.Errorf("first timestamp %v, want %v", first.Timestamp, want)
	}
}

// record is one record of a capture file, as split by splitRecords.
type record struct {
	sec, frac, origLen uint32
	data               []byte
}

// splitRecords splits a little-endian microsecond file into records.
func splitRecords(t *testing.T, data []byte) (linkType uint32, recs []record) {
	t.Helper()
	if binary.LittleEndian.Uint32(data) != magicMicro {
		t.Fatal("test helper expects a little-endian microsecond file")
	}
	linkType = binary.LittleEndian.Uint32(data[20:])
	for off := fileHeaderLen; off < len(data); {
		h := data[off:]
		n := int(binary.LittleEndian.Uint32(h[8:]))
		recs = append(recs, record{
			sec:     binary.LittleEndian.Uint32(h[0:]),
			frac:    binary.LittleEndian.Uint32(h[4:]),
			origLen: binary.LittleEndian.Uint32(h[12:]),
			data:    h[recordHeaderLen : recordHeaderLen+n],
		})
		off += recordHeaderLen + n
	}
	return linkType, recs
}

// buildFile assembles a capture file from records.
func buildFile(bo binary.AppendByteOrder, nano bool, linkType uint32, recs []record) []byte {
	magic := uint32(magicMicro)
	if nano {
		magic = magicNano
	}
	b := bo.AppendUint32(nil, magic)
	b = bo.AppendUint16(b, 2)
	b = bo.AppendUint16(b, 4)
	b = bo.AppendUint32(b, 0)
	b = bo.AppendUint32(b, 0)
	b = bo.AppendUint32(b, 262144)
	b = bo.AppendUint32(b, linkType)
	for _, r := range recs {
		b = bo.AppendUint32(b, r.sec)
		b = bo.AppendUint32(b, r.frac)
		b = bo.AppendUint32(b, uint32(len(r.data)))
		orig := r.origLen
		if orig == 0 {
			orig = uint32(len(r.data))
		}
		b = bo.AppendUint32(b, orig)
		b = append(b, r.data...)
	}
	return b
}

// TestEncodings rewrites a real Ethernet capture (IPv4 and IPv6) into every
// supported byte order, timestamp resolution and link type, and checks that
// the decoded packets do not change.
func TestEncodings(t *testing.T) {
	data, err := os.ReadFile("testdata/echo_heartbeat_ipv4_ipv6.pcap")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	lt, recs := splitRecords(t, data)
	if lt != linkTypeEthernet {
		t.Fatalf("link type %d", lt)
	}
	// rewrap replaces the 14-byte Ethernet header of every record.
	rewrap := func(f func(etherType uint16, ip []byte) []byte) []record {
		out := make([]record, len(recs))
		for i, r := range recs {
			out[i] = r
			out[i].data = f(binary.BigEndian.Uint16(r.data[12:]), r.data[14:])
		}
		return out
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	family := func(bo binary.AppendByteOrder, et uint16, v6 uint32) []byte {
		af := uint32(2)
		if et == 0x86dd {
			af = v6
		}
		return bo.AppendUint32(nil, af)
	}
	nanoRecs := make([]record, len(recs))
	for i, r := range recs {
		nanoRecs[i] = r
		nanoRecs[i].frac = r.frac * 1000
	}
	vlan := rewrap(func(et uint16, ip []byte) []byte {
		return cat(make([]byte, 12), []byte{0x81, 0x00, 0x00, 0x05}, binary.BigEndian.AppendUint16(nil, et), ip)
	})
	sll := rewrap(func(et uint16, ip []byte) []byte {
		return cat([]byte{0, 4, 3, 4, 0, 6}, make([]byte, 8), binary.BigEndian.AppendUint16(nil, et), ip)
	})
	sll2 := rewrap(func(et uint16, ip []byte) []byte {
		return cat(binary.BigEndian.AppendUint16(nil, et), []byte{0, 0, 0, 0, 0, 1, 3, 4, 4, 6}, make([]byte, 8), ip)
	})
	raw := rewrap(func(_ uint16, ip []byte) []byte { return ip })
	nullLE := rewrap(func(et uint16, ip []byte) []byte { return cat(family(binary.LittleEndian, et, 10), ip) })
	nullBE := rewrap(func(et uint16, ip []byte) []byte { return cat(family(binary.BigEndian, et, 30), ip) })
	loop := rewrap(func(et uint16, ip []byte) []byte { return cat(family(binary.BigEndian, et, 24), ip) })
	var only4, only6 []record
	var want4, want6 []Packet
	for _, r := range raw {
		if r.data[0]>>4 == 4 {
			only4 = append(only4, r)
		} else {
			only6 = append(only6, r)
		}
	}
	for _, p := range want {
		if p.Src.Is4() {
			want4 = append(want4, p)
		} else {
			want6 = append(want6, p)
		}
	}
	tests := []struct {
		name string
		file []byte
		want []Packet
	}{
		{"big-endian", buildFile(binary.BigEndian, false, linkTypeEthernet, recs), want},
		{"nanosecond", buildFile(binary.LittleEndian, true, linkTypeEthernet, nanoRecs), want},
		{"nanosecond big-endian", buildFile(binary.BigEndian, true, linkTypeEthernet, nanoRecs), want},
		{"ethernet with FCS bits", buildFile(binary.LittleEndian, false, linkTypeEthernet|0x14000000, recs), want},
		{"vlan", buildFile(binary.LittleEndian, false, linkTypeEthernet, vlan), want},
		{"sll", buildFile(binary.LittleEndian, false, linkTypeLinuxSLL, sll), want},
		{"sll2", buildFile(binary.BigEndian, false, linkTypeLinuxSLL2, sll2), want},
		{"raw", buildFile(binary.LittleEndian, false, linkTypeRaw, raw), want},
		{"null little-endian", buildFile(binary.LittleEndian, false, linkTypeNull, nullLE), want},
		{"null big-endian", buildFile(binary.BigEndian, false, linkTypeNull, nullBE), want},
		{"loop", buildFile(binary.LittleEndian, false, linkTypeLoop, loop), want},
		{"ipv4", buildFile(binary.LittleEndian, false, linkTypeIPv4, only4), want4},
		{"ipv6", buildFile(binary.LittleEndian, false, linkTypeIPv6, only6), want6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d packets, want %d", len(got), len(tt.want))
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				g.Index, w.Index = 0, 0
				if !reflect.DeepEqual(g, w) {
					t.Errorf("packet %d: got %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

// ipv4UDP builds an IPv4/UDP packet (checksums left zero).
func ipv4UDP(payload []byte, mod func(ip []byte)) []byte {
	ip := make([]byte, 28+len(payload))
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(len(ip)))
	ip[8], ip[9] = 64, protoUDP
	copy(ip[12:], []byte{127, 0, 0, 1, 127, 0, 0, 1})
	binary.BigEndian.PutUint16(ip[20:], 9901)
	binary.BigEndian.PutUint16(ip[22:], 9900)
	binary.BigEndian.PutUint16(ip[24:], uint16(8+len(payload)))
	copy(ip[28:], payload)
	if mod != nil {
		mod(ip)
	}
	return ip
}

// ipv6UDP builds an IPv6 packet whose payload is ext followed by a UDP
// datagram; next is the first next-header value.
func ipv6UDP(next byte, ext, payload []byte) []byte {
	ip := make([]byte, 40, 40+len(ext)+8+len(payload))
	ip[0] = 0x60
	binary.BigEndian.PutUint16(ip[4:], uint16(len(ext)+8+len(payload)))
	ip[6], ip[7] = next, 64
	ip[23], ip[39] = 1, 1
	ip = append(ip, ext...)
	ip = binary.BigEndian.AppendUint16(ip, 9901)
	ip = binary.BigEndian.AppendUint16(ip, 9900)
	ip = binary.BigEndian.AppendUint16(ip, uint16(8+len(payload)))
	ip = append(ip, 0, 0)
	return append(ip, payload...)
}

func rawFile(frames ...[]byte) []byte {
	recs := make([]record, len(frames))
	for i, f := range frames {
		recs[i] = record{sec: 1700000000, data: f}
	}
	return buildFile(binary.LittleEndian, false, linkTypeRaw, recs)
}

func TestSyntheticPackets(t *testing.T) {
	payload := []byte("0123456789abcdef")
	withOptions := ipv4UDP(nil, nil)[:20]
	withOptions[0] = 0x46
	withOptions = append(withOptions, 1, 1, 1, 0) // NOP NOP NOP EOL
	withOptions = append(withOptions, ipv4UDP(payload, nil)[20:]...)
	binary.BigEndian.PutUint16(withOptions[2:], uint16(len(withOptions)))
	hopByHop := []byte{60, 0, 1, 4, 0, 0, 0, 0}    // next: destination options
	destOpts := []byte{44, 0, 1, 4, 0, 0, 0, 0}    // next: fragment
	atomicFrag := []byte{17, 0, 0, 0, 0, 0, 0, 42} // offset 0, M=0
	tcp := ipv4UDP(payload, func(ip []byte) { ip[9] = 6 })
	icmp6 := ipv6UDP(58, nil, payload)
	esp := ipv6UDP(50, nil, payload)
	padded := append(ipv4UDP(payload, nil), 0, 0, 0, 0) // e.g. Ethernet padding

	tests := []struct {
		name    string
		frames  [][]byte
		want    int
		src     string
		payload []byte
	}{
		{"ipv4", [][]byte{ipv4UDP(payload, nil)}, 1, "127.0.0.1", payload},
		{"ipv4 options", [][]byte{withOptions}, 1, "127.0.0.1", payload},
		{"ipv4 trailing bytes", [][]byte{padded}, 1, "127.0.0.1", payload},
		{"empty udp payload", [][]byte{ipv4UDP(nil, nil)}, 1, "127.0.0.1", []byte{}},
		{"ipv6 extension headers", [][]byte{ipv6UDP(0, bytes.Join([][]byte{hopByHop, destOpts, atomicFrag}, nil), payload)}, 1, "::1", payload},
		{"non-udp skipped", [][]byte{tcp, icmp6, esp, ipv4UDP(payload, nil)}, 1, "127.0.0.1", payload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(rawFile(tt.frames...))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Fatalf("got %d packets, want %d", len(got), tt.want)
			}
			p := got[len(got)-1]
			if p.Src.String() != tt.src || p.SrcPort != 9901 || p.DstPort != 9900 || !bytes.Equal(p.Payload, tt.payload) {
				t.Errorf("got %+v", p)
			}
			if p.Index != len(tt.frames) {
				t.Errorf("index %d, want %d", p.Index, len(tt.frames))
			}
			if cap(p.Payload) != len(p.Payload) {
				t.Errorf("payload capacity %d exceeds length %d", cap(p.Payload), len(p.Payload))
			}
		})
	}
}

func TestFragmentsAndTruncation(t *testing.T) {
	payload := []byte("0123456789abcdef")
	good := ipv4UDP(payload, nil)
	moreFrags := ipv4UDP(payload, func(ip []byte) { ip[6] = 0x20 })
	laterFrag := ipv4UDP(payload, func(ip []byte) { ip[7] = 0x10 })
	frag6 := ipv6UDP(44, []byte{17, 0, 0, 1, 0, 0, 0, 42}, payload)
	cut := buildFile(binary.LittleEndian, false, linkTypeRaw, []record{
		{sec: 1, data: good[:30], origLen: uint32(len(good))},
		{sec: 2, data: good},
	})
	for _, tt := range []struct {
		name string
		file []byte
		opts Options
		want int
		err  error
	}{
		{"ipv4 more fragments", rawFile(moreFrags, good), Options{}, 0, ErrFragment},
		{"ipv4 offset", rawFile(laterFrag, good), Options{}, 0, ErrFragment},
		{"ipv6 fragment", rawFile(frag6, good), Options{}, 0, ErrFragment},
		{"skip fragments", rawFile(moreFrags, laterFrag, frag6, good), Options{SkipFragments: true}, 1, nil},
		{"snaplen", cut, Options{}, 0, ErrTruncated},
		{"skip truncated", cut, Options{SkipTruncated: true}, 1, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOptions(tt.file, tt.opts)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if len(got) != tt.want {
				t.Errorf("got %d packets, want %d", len(got), tt.want)
			}
			if err != nil {
				t.Log(err)
			}
		})
	}
}

func TestBadInputs(t *testing.T) {
	good, err := os.ReadFile("testdata/sctpgen_abort_ootb_init.pcap")
	if err != nil {
		t.Fatal(err)
	}
	firstLen := int(binary.LittleEndian.Uint32(good[fileHeaderLen+8:]))
	set32 := func(off int, v uint32) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	ip := fileHeaderLen + recordHeaderLen + 14 // first IP header
	ethFile := func(mod func(ip []byte)) []byte {
		b := bytes.Clone(good)
		mod(b[ip:])
		return b
	}
	payload := []byte("0123456789abcdef")
	v6 := ipv6UDP(17, nil, payload)

	tests := []struct {
		name string
		data []byte
		err  error
	}{
		{"empty", nil, ErrTruncated},
		{"short file header", good[:10], ErrTruncated},
		{"file header only minus one", good[:23], ErrTruncated},
		{"bad magic", set32(0, 0x12345678), ErrNotPcap},
		{"pcapng", append([]byte{0x0a, 0x0d, 0x0d, 0x0a}, good[4:]...), ErrNotPcap},
		{"bad version", set32(4, 0x00040001), ErrNotPcap},
		{"unsupported link type", set32(20, 105), ErrUnsupportedLinkType},
		{"truncated record header", good[:fileHeaderLen+5], ErrTruncated},
		{"caplen beyond end", set32(fileHeaderLen+8, uint32(len(good))), ErrTruncated},
		{"caplen huge", set32(fileHeaderLen+8, 0xffffffff), ErrTruncated},
		{"record cut", good[:fileHeaderLen+recordHeaderLen+firstLen-1], ErrTruncated},
		{"short ethernet", rawLink(linkTypeEthernet, make([]byte, 10)), ErrTruncated},
		{"short sll", rawLink(linkTypeLinuxSLL, make([]byte, 15)), ErrTruncated},
		{"short sll2", rawLink(linkTypeLinuxSLL2, make([]byte, 19)), ErrTruncated},
		{"short null", rawLink(linkTypeNull, []byte{2, 0}), ErrTruncated},
		{"short vlan", rawLink(linkTypeEthernet, append(make([]byte, 12), 0x81, 0, 0)), ErrTruncated},
		{"empty ip", rawLink(linkTypeRaw, nil), ErrTruncated},
		{"short ipv4", rawLink(linkTypeRaw, []byte{0x45, 0, 0, 20}), ErrTruncated},
		{"ip version 5", rawLink(linkTypeRaw, []byte{0x55, 0, 0, 20}), ErrMalformed},
		{"ipv6 on ipv4 link type", rawLink(linkTypeIPv4, v6), ErrMalformed},
		{"ethertype/version mismatch", ethFile(func(b []byte) { b[0] = 0x65 }), ErrMalformed},
		{"ihl < 5", ethFile(func(b []byte) { b[0] = 0x44 }), ErrMalformed},
		{"ihl beyond packet", rawLink(linkTypeRaw, append([]byte{0x4f, 0, 0, 60}, make([]byte, 20)...)), ErrTruncated},
		{"total length < ihl", ethFile(func(b []byte) { b[2], b[3] = 0, 19 }), ErrMalformed},
		{"total length beyond frame", ethFile(func(b []byte) { b[2], b[3] = 0xff, 0xff }), ErrTruncated},
		{"udp length < 8", ethFile(func(b []byte) { b[24], b[25] = 0, 7 }), ErrMalformed},
		{"udp length beyond ip", ethFile(func(b []byte) { b[24], b[25] = 0xff, 0xff }), ErrMalformed},
		{"no udp header", rawLink(linkTypeRaw, ipv4UDP(nil, func(ip []byte) { ip[3] = 24 })[:24]), ErrMalformed},
		{"short ipv6", rawLink(linkTypeRaw, v6[:39]), ErrTruncated},
		{"ipv6 jumbo", rawLink(linkTypeRaw, func() []byte { b := bytes.Clone(v6); b[4], b[5] = 0, 0; return b }()), ErrMalformed},
		{"ipv6 payload beyond frame", rawLink(linkTypeRaw, v6[:len(v6)-1]), ErrTruncated},
		{"ipv6 short extension", rawLink(linkTypeRaw, func() []byte {
			b := ipv6UDP(0, nil, nil)[:44] // hop-by-hop header cut to 4 bytes
			b[4], b[5] = 0, 4
			return b
		}()), ErrMalformed},
		{"ipv6 extension beyond payload", rawLink(linkTypeRaw, ipv6UDP(60, []byte{17, 200, 0, 0, 0, 0, 0, 0}, payload)), ErrMalformed},
		{"ipv6 extension loop", rawLink(linkTypeRaw, ipv6UDP(60, bytes.Repeat([]byte{60, 0, 0, 0, 0, 0, 0, 0}, 20), nil)), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkts, err := Parse(tt.data)
			if err == nil {
				t.Fatalf("no error, %d packets", len(pkts))
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("error %q does not wrap %q", err, tt.err)
			}
			if pkts != nil {
				t.Errorf("packets returned with error")
			}
			t.Log(err)
		})
	}
}

// rawLink builds a one-record little-endian file of the given link type.
func rawLink(linkType uint32, frame []byte) []byte {
	return buildFile(binary.LittleEndian, false, linkType, []record{{sec: 1, data: frame}})
}

func TestReadFileMissing(t *testing.T) {
	if _, err := ReadFile("testdata/does-not-exist.pcap"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v", err)
	}
}

func TestWriteRoundTrip(t *testing.T) {
	in, err := ReadFile("testdata/echo_heartbeat_ipv4_ipv6.pcap")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	out, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("%d packets in, %d out", len(in), len(out))
	}
	for i := range in {
		a, b := in[i], out[i]
		a.Index, b.Index = 0, 0
		if !reflect.DeepEqual(a, b) {
			t.Errorf("packet %d: in %+v, out %+v", i, a, b)
		}
	}
	// Check the IPv4 header and UDP checksums of every record.
	lt, recs := splitRecords(t, append([]byte{0xd4, 0xc3, 0xb2, 0xa1}, buf.Bytes()[4:]...))
	if lt != linkTypeRaw {
		t.Errorf("link type %d", lt)
	}
	for i, r := range recs {
		ip := r.data
		hdr := 40
		var pseudo uint32
		if ip[0]>>4 == 4 {
			hdr = 20
			if s := onesSum(0, ip[:20]); s != 0xffff {
				t.Errorf("record %d: IPv4 header checksum sums to %#x", i, s)
			}
			pseudo = uint32(onesSum(0, ip[12:20]))
		} else {
			pseudo = uint32(onesSum(0, ip[8:40]))
		}
		udp := ip[hdr:]
		if s := onesSum(pseudo+protoUDP+uint32(len(udp)), udp); s != 0xffff {
			t.Errorf("record %d: UDP checksum sums to %#x", i, s)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	a4 := netip.MustParseAddr("192.0.2.1")
	a6 := netip.MustParseAddr("2001:db8::1")
	for _, p := range []Packet{
		{Src: a4},
		{Src: a4, Dst: a6},
		{Src: a4, Dst: a4, Payload: make([]byte, 65535-27)},
		{Src: a6, Dst: a6, Payload: make([]byte, 65535-7)},
		{Src: a4, Dst: a4, Timestamp: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if err := Write(new(bytes.Buffer), []Packet{p}); err == nil {
			t.Errorf("no error writing %v -> %v, %d bytes, %v", p.Src, p.Dst, len(p.Payload), p.Timestamp)
		}
	}
	// Largest payloads fit.
	for _, p := range []Packet{
		{Src: a4, Dst: a4, Payload: make([]byte, 65535-28)},
		{Src: a6, Dst: a6, Payload: make([]byte, 65535-8)},
	} {
		var buf bytes.Buffer
		if err := Write(&buf, []Packet{p}); err != nil {
			t.Fatal(err)
		}
		got, err := Parse(buf.Bytes())
		if err != nil || len(got) != 1 || len(got[0].Payload) != len(p.Payload) {
			t.Errorf("round trip of %d bytes: %v", len(p.Payload), err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{
		"sctpgen_abort_ootb_init.pcap",
		"sctpgen_abort_ootb_init_sll.pcap",
		"sctpgen_init_icmp_unreachable.pcap",
		"echo_injected_error_abort.pcap",
	} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(rawFile(ipv6UDP(0, []byte{44, 0, 1, 4, 0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0, 1}, []byte("x"))))
	f.Add(rawLink(linkTypeNull, append([]byte{2, 0, 0, 0}, ipv4UDP([]byte("abc"), nil)...)))
	f.Add(rawLink(linkTypeLinuxSLL2, append([]byte{0x86, 0xdd}, make([]byte, 18)...)))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opts := range []Options{{}, {SkipFragments: true, SkipTruncated: true}} {
			pkts, err := ParseOptions(data, opts)
			if err != nil {
				if pkts != nil {
					t.Fatal("packets returned with error")
				}
				continue
			}
			for _, p := range pkts {
				if p.Timestamp.Unix() > math.MaxUint32 {
					// A fraction field beyond one second can push
					// the time past what a record can hold.
					return
				}
			}
			var buf bytes.Buffer
			if err := Write(&buf, pkts); err != nil {
				t.Fatalf("cannot write parsed packets: %v", err)
			}
			again, err := Parse(buf.Bytes())
			if err != nil {
				t.Fatalf("cannot parse written packets: %v", err)
			}
			if len(again) != len(pkts) {
				t.Fatalf("round trip: %d packets, then %d", len(pkts), len(again))
			}
			for i := range pkts {
				a, b := pkts[i], again[i]
				if a.Src != b.Src || a.Dst != b.Dst || a.SrcPort != b.SrcPort || a.DstPort != b.DstPort ||
					!a.Timestamp.Equal(b.Timestamp) || !bytes.Equal(a.Payload, b.Payload) {
					t.Fatalf("round trip of packet %d: %+v, then %+v", i, a, b)
				}
			}
		}
	})
}
