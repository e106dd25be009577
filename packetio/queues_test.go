package packetio

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

// QueueOf steers a packet by its verification tag mod n (RFC 9260
// Section 3.1: bytes 4 to 8 of the common header), so that the packets
// of an association whose tag a sharded stack drew for shard k land on
// queue k; a packet too short for a tag, and any packet with one queue,
// goes to queue 0.
func TestQueueOf(t *testing.T) {
	pkt := func(tag uint32) []byte {
		b := make([]byte, 16)
		binary.BigEndian.PutUint32(b[4:8], tag)
		return b
	}
	for _, tc := range []struct {
		b    []byte
		n    int
		want int
	}{
		{pkt(7), 4, 3},
		{pkt(8), 4, 0},
		{pkt(0xffffffff), 3, 0},
		{pkt(0xfffffffe), 3, 2},
		{pkt(0), 4, 0}, // an INIT: the reader of queue 0 hands it on
		{pkt(5), 1, 0},
		{pkt(5), 0, 0},
		{make([]byte, 7), 4, 0},
	} {
		require.Equal(t, tc.want, QueueOf(tc.b, tc.n), "tag bytes %x, n %d", tc.b[4:min(8, len(tc.b))], tc.n)
	}
}
