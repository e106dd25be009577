package endpoint

import (
	"errors"

	"github.com/gensctp/gensctp/packet"
)

// DropReasons is the length of Counters.Drops: one entry per DropReason
// (entry 0 unused).
const DropReasons = int(DropUnboundAddress) + 1

// Counters count the SCTP packets an Endpoint (one SCTP port) or a Mux
// (one UDP encapsulation socket, every SCTP port on it) was handed and
// produced, and why those not processed normally were dropped. The core
// updates them as plain fields: read them where the core is serialised.
type Counters struct {
	// PacketsIn and BytesIn count the packets handed to HandleDatagram
	// and their bytes (the UDP payload: SCTP common header and chunks).
	PacketsIn, BytesIn uint64
	// PacketsOut and BytesOut count the packets AppendPacket returned,
	// replies of the endpoint itself included.
	PacketsOut, BytesOut uint64
	// Drops counts the packets not handed to an association, by
	// DropReason (Drops[DropOutOfTheBlue] counts the out-of-the-blue
	// packets of RFC 9260 Section 8.4, whether answered or not).
	Drops [DropReasons]uint64
	// ChecksumErrors and Truncated break Drops[DropMalformed] down: the
	// packets with a wrong CRC32c (RFC 9260 Section 6.8), and those
	// shorter than their common header or than a chunk's length says.
	ChecksumErrors, Truncated uint64
	// Discarded counts the packets an association discarded, in whole or
	// in part (an *association.DiscardError).
	Discarded uint64
}

// OutOfTheBlue returns the count of the out-of-the-blue packets.
func (c *Counters) OutOfTheBlue() uint64 { return c.Drops[DropOutOfTheBlue] }

// Dropped returns the count of the packets dropped for any reason.
func (c *Counters) Dropped() uint64 {
	var n uint64
	for _, v := range c.Drops {
		n += v
	}
	return n
}

// Add adds the counts of o to c (the shards of one socket).
func (c *Counters) Add(o *Counters) {
	c.PacketsIn += o.PacketsIn
	c.BytesIn += o.BytesIn
	c.PacketsOut += o.PacketsOut
	c.BytesOut += o.BytesOut
	for i, v := range o.Drops {
		c.Drops[i] += v
	}
	c.ChecksumErrors += o.ChecksumErrors
	c.Truncated += o.Truncated
	c.Discarded += o.Discarded
}

// in counts a packet of n bytes that HandleDatagram handled with the
// outcome err. Nothing but two additions for a packet processed normally.
func (c *Counters) in(n int, err error) {
	c.PacketsIn++
	c.BytesIn += uint64(n)
	if err == nil {
		return
	}
	de, ok := err.(*DropError) // returned as is: no errors.As, which allocates
	if !ok {
		c.Discarded++
		return
	}
	if int(de.Reason) < len(c.Drops) {
		c.Drops[de.Reason]++
	}
	if de.Reason != DropMalformed {
		return
	}
	switch {
	case errors.Is(de.Err, packet.ErrChecksum):
		c.ChecksumErrors++
	case errors.Is(de.Err, packet.ErrTruncated):
		c.Truncated++
	}
}

// out counts a packet of n bytes returned by AppendPacket.
func (c *Counters) out(n int) {
	c.PacketsOut++
	c.BytesOut += uint64(n)
}

// Counters returns the counters of the endpoint.
func (e *Endpoint) Counters() Counters { return e.counters }

// Counters returns the counters of the Mux: every packet of its UDP
// socket, whatever its SCTP port.
func (m *Mux) Counters() Counters { return m.counters }
