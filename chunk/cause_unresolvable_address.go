package chunk

// RFC 9260 Section 3.3.10.5: Unresolvable Address (5)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Cause Code = 5         |         Cause Length          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                     Unresolvable Address                      /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The Unresolvable Address field "contains the complete Type, Length, and
// Value of the address parameter (or Host Name parameter) that contains the
// unresolvable address or host name". A Host Name parameter may have an
// odd length; the cause is then padded after the copied bytes.

// UnresolvableAddressCause is the Unresolvable Address error cause (RFC
// 9260 Section 3.3.10.5): the sender cannot resolve an address parameter,
// for example because it does not support its type.
//
// Address is kept as raw bytes and not parsed, so that a cause holding a
// malformed or unknown parameter still round-trips. The caller keeps it
// short enough for the Cause Length to fit in 16 bits.
type UnresolvableAddressCause struct {
	// Address is the address or Host Name parameter, header included,
	// exactly as covered by the Cause Length. After Parse it aliases the
	// input.
	Address []byte
}

// CauseCode implements Cause.
func (c *UnresolvableAddressCause) CauseCode() CauseCode { return CauseUnresolvableAddress }

// Len implements Cause.
func (c *UnresolvableAddressCause) Len() int { return rawCauseLen(c.Address) }

// Append implements Cause.
func (c *UnresolvableAddressCause) Append(b []byte) []byte {
	return appendRawCause(b, CauseUnresolvableAddress, c.Address)
}

// Parse fills c from the error cause at the start of b and returns the
// bytes it occupies.
func (c *UnresolvableAddressCause) Parse(b []byte) (int, error) {
	v, n, err := openCause(b, CauseUnresolvableAddress, headerLen)
	if err != nil {
		return 0, err
	}
	c.Address = v
	return n, nil
}
