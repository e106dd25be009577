package chunk

import "encoding/binary"

// draft-tuexen-tsvwg-sctp-udp-encaps-cons Section 4: Restart of an
// Association with New Encapsulation Port (14)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Cause Code = 14        |       Cause Length = 8        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Current Encapsulation Port  |     New Encapsulation Port    |
//	+-------------------------------+-------------------------------+

// RestartWithNewEncapsulationPortCause is the Restart of an Association
// with New Encapsulation Port error cause
// (draft-tuexen-tsvwg-sctp-udp-encaps-cons Section 4, code 14 as Linux
// sends it): an INIT for an existing association came from another UDP
// port than the association's remote encapsulation port for that address,
// and is refused with an ABORT, since an INIT carries no verification
// tag that could prove it comes from the peer.
type RestartWithNewEncapsulationPortCause struct {
	// Current is "the remote encapsulation port currently being used for
	// the destination address the received packet containing the INIT
	// chunk was sent from" (0 when not encapsulated).
	Current uint16
	// New is the UDP source port of the packet with the INIT (0 when not
	// encapsulated).
	New uint16
}

// CauseCode implements Cause.
func (c *RestartWithNewEncapsulationPortCause) CauseCode() CauseCode {
	return CauseRestartWithNewEncapsulationPort
}

// Len implements Cause.
func (c *RestartWithNewEncapsulationPortCause) Len() int { return 8 }

// Append implements Cause.
func (c *RestartWithNewEncapsulationPortCause) Append(b []byte) []byte {
	b = appendTLVHeader(b, uint16(CauseRestartWithNewEncapsulationPort), 8)
	b = binary.BigEndian.AppendUint16(b, c.Current)
	return binary.BigEndian.AppendUint16(b, c.New)
}

// Parse fills c from the error cause at the start of b and returns the
// bytes it occupies. The Cause Length must be 8.
func (c *RestartWithNewEncapsulationPortCause) Parse(b []byte) (int, error) {
	v, n, err := openFixedCause(b, CauseRestartWithNewEncapsulationPort, 8)
	if err != nil {
		return 0, err
	}
	c.Current = binary.BigEndian.Uint16(v)
	c.New = binary.BigEndian.Uint16(v[2:])
	return n, nil
}
