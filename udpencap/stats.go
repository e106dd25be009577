package udpencap

import (
	"math/bits"
	"sync/atomic"
)

// BatchClasses is the number of size classes in [Stats].ReadBatches and
// [Stats].WriteBatches: class i counts system calls that moved between
// 2^i and 2^(i+1)-1 datagrams, and the last class everything above.
const BatchClasses = 8

// Stats are the counters of a [Conn] since [Listen].
type Stats struct {
	// DatagramsIn and BytesIn count datagrams (and their payload bytes)
	// read from the sockets, before hooks.
	DatagramsIn, BytesIn uint64
	// DatagramsOut and BytesOut count datagrams (and payload bytes) handed
	// to the kernel, after hooks.
	DatagramsOut, BytesOut uint64
	// ReadCalls and WriteCalls count the system calls that read or wrote
	// at least one datagram; DatagramsIn/ReadCalls is the mean read batch
	// (with GRO, of datagrams, not of the super-datagrams a call read).
	ReadCalls, WriteCalls uint64
	// ReadBatches and WriteBatches histogram the datagrams per system call
	// by powers of two (see [BatchClasses]), for tuning BatchSize.
	ReadBatches, WriteBatches [BatchClasses]uint64
	// HookDropsIn and HookDropsOut count datagrams dropped by a hook;
	// HookDuplicates and HookDelays those it duplicated or delayed.
	HookDropsIn, HookDropsOut, HookDuplicates, HookDelays uint64
	// ICMPErrors counts ignored read errors derived from ICMP messages
	// (RFC 6951 Section 5.5).
	ICMPErrors uint64
	// Truncated counts datagrams dropped for being longer than the
	// receive buffer.
	Truncated uint64
	// GSOSends counts UDP GSO super-datagrams sent (each carries several
	// datagrams of DatagramsOut).
	GSOSends uint64
	// GROReceives counts UDP GRO super-datagrams received (each carried
	// several datagrams of DatagramsIn).
	GROReceives uint64
}

// counters is the live, atomically updated form of Stats.
type counters struct {
	datagramsIn, bytesIn, datagramsOut, bytesOut atomic.Uint64
	readCalls, writeCalls                        atomic.Uint64
	readBatches, writeBatches                    [BatchClasses]atomic.Uint64
	hookDropsIn, hookDropsOut                    atomic.Uint64
	hookDuplicates, hookDelays                   atomic.Uint64
	icmpErrors, truncated, gsoSends              atomic.Uint64
	groReceives                                  atomic.Uint64
}

func class(n int) int {
	return min(bits.Len(uint(n))-1, BatchClasses-1)
}

// received counts the datagrams ms read, and, if call, one read system
// call that returned them (with GRO, later reads may hand out more
// datagrams of the super-datagrams it read without a call).
func (c *counters) received(ms []Message, call bool) {
	if len(ms) == 0 {
		return
	}
	var bytes int
	for i := range ms {
		bytes += len(ms[i].Data)
	}
	c.datagramsIn.Add(uint64(len(ms)))
	c.bytesIn.Add(uint64(bytes))
	if call {
		c.readCalls.Add(1)
		c.readBatches[class(len(ms))].Add(1)
	}
}

// writeCall counts one write system call that sent n datagrams.
func (c *counters) writeCall(n int) {
	if n <= 0 {
		return
	}
	c.writeCalls.Add(1)
	c.writeBatches[class(n)].Add(1)
}

// sent counts the datagrams and bytes of ms.
func (c *counters) sent(ms []OutMessage) {
	if len(ms) == 0 {
		return
	}
	var bytes int
	for i := range ms {
		bytes += len(ms[i].Data)
	}
	c.datagramsOut.Add(uint64(len(ms)))
	c.bytesOut.Add(uint64(bytes))
}

// Stats returns a snapshot of the counters. It is safe for concurrent use.
func (c *Conn) Stats() Stats {
	s := &c.stats
	out := Stats{
		DatagramsIn:    s.datagramsIn.Load(),
		BytesIn:        s.bytesIn.Load(),
		DatagramsOut:   s.datagramsOut.Load(),
		BytesOut:       s.bytesOut.Load(),
		ReadCalls:      s.readCalls.Load(),
		WriteCalls:     s.writeCalls.Load(),
		HookDropsIn:    s.hookDropsIn.Load(),
		HookDropsOut:   s.hookDropsOut.Load(),
		HookDuplicates: s.hookDuplicates.Load(),
		HookDelays:     s.hookDelays.Load(),
		ICMPErrors:     s.icmpErrors.Load(),
		Truncated:      s.truncated.Load(),
		GSOSends:       s.gsoSends.Load(),
		GROReceives:    s.groReceives.Load(),
	}
	for i := range BatchClasses {
		out.ReadBatches[i] = s.readBatches[i].Load()
		out.WriteBatches[i] = s.writeBatches[i].Load()
	}
	return out
}
