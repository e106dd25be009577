package chunk

import "strconv"

// TFlags are the chunk flags of ABORT (RFC 9260 Section 3.3.7) and SHUTDOWN
// COMPLETE (RFC 9260 Section 3.3.13): the T bit and seven reserved bits.
//
//	+-+-+-+-+-+-+-+-+
//	|  Reserved   |T|
//	+-+-+-+-+-+-+-+-+
//
// The reserved bits are "set to 0 on transmit and ignored on receipt"; the
// chunk types keep them as received so that re-encoding is byte-identical.
type TFlags uint8

// FlagT is the T bit ("Reflected verification tag"). It is set when the
// sender put the Verification Tag it received into the packet instead of
// the tag the peer expects (RFC 9260 Section 3.3.13: "If the Verification
// Tag is reflected, the T bit MUST be set to 1"). The receiver's checks are
// in RFC 9260 Section 8.5.1, rules B and C.
const FlagT TFlags = 1 << 0

// Has reports whether all bits of g are set in f.
func (f TFlags) Has(g TFlags) bool { return f&g == g }

// Reflected reports whether the T bit is set.
func (f TFlags) Reflected() bool { return f&FlagT != 0 }

// String returns "T" when the T bit is set, followed by "+0x.." for any
// reserved bits, for example "T+0x80"; it returns "" for no bits.
func (f TFlags) String() string {
	var s []byte
	if f.Has(FlagT) {
		s = append(s, 'T')
	}
	if rest := f &^ FlagT; rest != 0 {
		s = append(s, "+0x"...)
		s = strconv.AppendUint(s, uint64(rest), 16)
	}
	return string(s)
}
