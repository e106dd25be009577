package packet

import (
	"encoding/binary"

	"github.com/gensctp/gensctp/chunk"
)

// RFC 9260 Section 3.1: SCTP Common Header
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|      Source Port Number       |    Destination Port Number    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       Verification Tag                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                           Checksum                            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// HeaderLen is the length of the SCTP common header.
const HeaderLen = 12

// Header is the SCTP common header (RFC 9260 Section 3.1).
type Header struct {
	SrcPort         uint16
	DstPort         uint16
	VerificationTag chunk.VerificationTag
	// Checksum is the checksum field as received (see SetChecksum for its
	// byte order). Append writes it as given; Builder.Finish computes it.
	Checksum uint32
}

// ParseHeader reads the common header at the start of b.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, &Error{Err: ErrTruncated, Offset: len(b)}
	}
	return Header{
		SrcPort:         binary.BigEndian.Uint16(b),
		DstPort:         binary.BigEndian.Uint16(b[2:]),
		VerificationTag: chunk.VerificationTag(binary.BigEndian.Uint32(b[4:])),
		Checksum:        checksumField(b),
	}, nil
}

// Append appends the encoded header to b.
func (h *Header) Append(b []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, h.SrcPort)
	b = binary.BigEndian.AppendUint16(b, h.DstPort)
	b = binary.BigEndian.AppendUint32(b, uint32(h.VerificationTag))
	return binary.LittleEndian.AppendUint32(b, h.Checksum)
}
