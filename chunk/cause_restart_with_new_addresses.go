package chunk

// RFC 9260 Section 3.3.10.11: Restart of an Association with New Addresses
// (11)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Cause Code = 11        |         Cause Length          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                       New Address TLVs                        /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// "Each New Address TLV is an exact copy of the TLV that was found in the
// INIT chunk that was new, including the Parameter Type and the Parameter
// Length."

// RestartWithNewAddressesCause is the Restart of an Association with New
// Addresses error cause (RFC 9260 Section 3.3.10.11): an INIT chunk for an
// existing association added addresses, and is refused.
//
// Addresses is kept as raw bytes and not parsed. The caller keeps it short
// enough for the Cause Length to fit in 16 bits.
type RestartWithNewAddressesCause struct {
	// Addresses holds the new address parameter TLVs, headers included,
	// exactly as covered by the Cause Length. After Parse it aliases the
	// input.
	Addresses []byte
}

// CauseCode implements Cause.
func (c *RestartWithNewAddressesCause) CauseCode() CauseCode {
	return CauseRestartWithNewAddresses
}

// Len implements Cause.
func (c *RestartWithNewAddressesCause) Len() int { return rawCauseLen(c.Addresses) }

// Append implements Cause.
func (c *RestartWithNewAddressesCause) Append(b []byte) []byte {
	return appendRawCause(b, CauseRestartWithNewAddresses, c.Addresses)
}

// Parse fills c from the error cause at the start of b and returns the
// bytes it occupies.
func (c *RestartWithNewAddressesCause) Parse(b []byte) (int, error) {
	v, n, err := openCause(b, CauseRestartWithNewAddresses, headerLen)
	if err != nil {
		return 0, err
	}
	c.Addresses = v
	return n, nil
}
