package stack

import (
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// build returns the packet of the chunks cs, with its checksum.
func build(h packet.Header, cs ...chunk.Chunk) []byte {
	var b packet.Builder
	b.Reset(make([]byte, 0, 1500), h, 1500)
	for _, c := range cs {
		b.Add(c)
	}
	return b.Finish()
}

var (
	sumFrom = netip.MustParseAddrPort("127.0.0.1:9899")
	sumTo   = netip.MustParseAddrPort("127.0.0.1:9900")
)

// The summary of a packet is one line, with each chunk and its main
// fields, the way tshark summarises it.
func TestAppendSummary(t *testing.T) {
	h := packet.Header{SrcPort: 5000, DstPort: 5001, VerificationTag: 0x1234abcd}
	for _, tc := range []struct {
		name string
		pkt  []byte
		want string
	}{
		{"data and sack", build(h,
			&chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: 5, SSN: 3, UserData: make([]byte, 64)},
			&chunk.SACK{CumTSNAck: 4, ARwnd: 65536, GapBlocks: []chunk.GapBlock{{Start: 2, End: 3}}}),
			"DATA(tsn=5 sid=0 ssn=3 ppid=0 len=64 flags=BE) SACK(cum=4 a_rwnd=65536 gaps=1 dups=0)"},
		{"init ack", build(h, &chunk.InitAck{InitiateTag: 0xabcdef01, ARwnd: 1 << 20, OutboundStreams: 10,
			InboundStreams: 65535, InitialTSN: 77}),
			"INIT_ACK(itag=0xabcdef01 a_rwnd=1048576 os=10 mis=65535 tsn=77)"},
		{"idata", build(h, &chunk.IData{Flags: chunk.FlagEnd, TSN: 9, StreamID: 2, MID: 4, FSN: 1, UserData: []byte("abc")}),
			"I-DATA(tsn=9 sid=2 mid=4 fsn=1 len=3 flags=E)"},
		{"abort", build(h, &chunk.Abort{Flags: chunk.FlagT, Causes: []chunk.Cause{&chunk.UserInitiatedAbortCause{Reason: []byte("bye")}}}),
			`ABORT(flags=T cause="User-Initiated Abort")`},
		{"shutdown and others", build(h, &chunk.Shutdown{CumTSNAck: 12}, &chunk.CookieAck{}),
			"SHUTDOWN(cum=12) COOKIE_ACK(len=0)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(appendSummary(nil, "recv", sumFrom, sumTo, tc.pkt))
			require.Equal(t, "recv 127.0.0.1:9899 → 127.0.0.1:9900 sctp 5000 → 5001 vtag 0x1234abcd "+tc.want, got)
		})
	}
}

// What cannot be read is said, not hidden: a wrong checksum, a truncated
// chunk, a datagram too short for the common header.
func TestAppendSummaryMalformed(t *testing.T) {
	h := packet.Header{SrcPort: 1, DstPort: 2, VerificationTag: 7}
	p := build(h, &chunk.Shutdown{CumTSNAck: 1})
	p[12+4+3]++ // the cumulative TSN: the checksum no longer matches
	require.Equal(t, "send 127.0.0.1:9899 → 127.0.0.1:9900 sctp 1 → 2 vtag 0x00000007 bad-checksum SHUTDOWN(cum=2)",
		string(appendSummary(nil, "send", sumFrom, sumTo, p)))
	require.Equal(t, "send 127.0.0.1:9899 → 127.0.0.1:9900 sctp 1 → 2 vtag 0x00000007 bad-checksum malformed",
		string(appendSummary(nil, "send", sumFrom, sumTo, p[:len(p)-2])))
	require.Equal(t, "recv 127.0.0.1:9899 → 127.0.0.1:9900 malformed (5 bytes)",
		string(appendSummary(nil, "recv", sumFrom, sumTo, p[:5])))
}
