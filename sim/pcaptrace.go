package sim

import (
	"io"
	"time"

	"github.com/gensctp/gensctp/pcap"
)

// PcapTrace writes the datagrams of a Network as a libpcap capture (see
// package pcap: raw IP, UDP with valid checksums, nanosecond timestamps)
// that Wireshark and tshark open. Its Hook is a trace hook (SetTrace).
// Timestamps are virtual times counted from the Unix epoch, so that the
// same run writes the same bytes.
type PcapTrace struct {
	w  *pcap.Writer
	at EventKind
	// Skipped counts the datagrams the capture could not hold (an IPv4
	// source with an IPv6 destination, which no IP packet carries).
	Skipped int
}

// NewPcapTrace returns a capture into out of every datagram at the event
// at: EventSent for what the senders put on the links (the view of a
// capture at the senders, dropped datagrams included), EventDelivered for
// what arrived (at the receivers, with their arrival times). Any other
// kind means EventSent. Call Close at the end.
func NewPcapTrace(out io.Writer, at EventKind) (*PcapTrace, error) {
	w, err := pcap.NewWriter(out)
	if err != nil {
		return nil, err
	}
	if at != EventDelivered {
		at = EventSent
	}
	return &PcapTrace{w: w, at: at}, nil
}

// Hook is the trace hook to pass to Network.SetTrace (or to call from
// one's own hook): it writes the datagram of every event of the capture's
// kind.
func (c *PcapTrace) Hook(e Event) {
	if e.Kind != c.at {
		return
	}
	d := &e.Datagram
	t := d.Sent
	if e.Kind == EventDelivered {
		t = d.At
	}
	err := c.w.WritePacket(pcap.Packet{
		Timestamp: time.Unix(0, int64(t)),
		Src:       d.From.Addr(), Dst: d.To.Addr(),
		SrcPort: d.From.Port(), DstPort: d.To.Port(),
		Payload: d.Data,
	})
	if err != nil {
		c.Skipped++
	}
}

// Close writes out what the capture holds; it does not close the
// io.Writer. It returns the first error of the io.Writer, if any.
func (c *PcapTrace) Close() error { return c.w.Close() }
