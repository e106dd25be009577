package chunk

import (
	"encoding/binary"
	"errors"
	"io"
)

// causeParser is a Cause that can fill itself from the wire.
type causeParser interface {
	Cause
	Parse(b []byte) (int, error)
}

// newCause returns a new, zero typed cause for code, or nil when this
// package has no typed cause for it.
func newCause(code CauseCode) causeParser {
	switch code {
	case CauseInvalidStreamIdentifier:
		return new(InvalidStreamIdentifierCause)
	case CauseMissingMandatoryParameter:
		return new(MissingMandatoryParameterCause)
	case CauseStaleCookie:
		return new(StaleCookieCause)
	case CauseOutOfResource:
		return new(OutOfResourceCause)
	case CauseUnresolvableAddress:
		return new(UnresolvableAddressCause)
	case CauseUnrecognizedChunkType:
		return new(UnrecognizedChunkTypeCause)
	case CauseInvalidMandatoryParameter:
		return new(InvalidMandatoryParameterCause)
	case CauseUnrecognizedParameters:
		return new(UnrecognizedParametersCause)
	case CauseNoUserData:
		return new(NoUserDataCause)
	case CauseCookieWhileShuttingDown:
		return new(CookieWhileShuttingDownCause)
	case CauseRestartWithNewAddresses:
		return new(RestartWithNewAddressesCause)
	case CauseUserInitiatedAbort:
		return new(UserInitiatedAbortCause)
	case CauseProtocolViolation:
		return new(ProtocolViolationCause)
	case CauseRestartWithNewEncapsulationPort:
		return new(RestartWithNewEncapsulationPortCause)
	case CauseDeleteLastRemainingAddress:
		return new(DeleteLastRemainingAddressCause)
	case CauseResourceShortage:
		return new(ResourceShortageCause)
	case CauseDeleteSourceAddress:
		return new(DeleteSourceAddressCause)
	case CauseIllegalASCONFAck:
		return new(IllegalASCONFAckCause)
	case CauseNoAuthorization:
		return new(NoAuthorizationCause)
	case CauseUnsupportedHMACIdentifier:
		return new(UnsupportedHMACIdentifierCause)
	}
	return nil
}

// ParseCause parses the error cause at the start of b into the typed cause
// for its code (for example *StaleCookieCause), or into *UnknownCause when
// this package does not interpret the code. It returns the cause and the
// number of bytes it occupies, padding included. Byte-slice fields of the
// cause alias b.
//
// A typed cause whose layout is wrong (for example a Stale Cookie cause
// whose Length is not 8) is an error; it is not downgraded to UnknownCause.
func ParseCause(b []byte) (Cause, int, error) {
	if len(b) < headerLen {
		return nil, 0, errTruncated(len(b))
	}
	return parseCauseReuse(b, nil)
}

// parseCauseReuse is ParseCause that parses into old instead of a new value
// when old is a cause of the kind the code at the start of b calls for. The
// caller has checked that b holds a header.
func parseCauseReuse(b []byte, old Cause) (Cause, int, error) {
	code := CauseCode(binary.BigEndian.Uint16(b))
	c := newCauseReuse(code, old)
	n, err := c.Parse(b)
	if err != nil {
		return nil, 0, err
	}
	return c, n, nil
}

// newCauseReuse returns old if it is the type that parses code, else a new
// cause of that type.
func newCauseReuse(code CauseCode, old Cause) causeParser {
	_, oldUnknown := old.(*UnknownCause)
	if p, ok := old.(causeParser); ok && !oldUnknown && p.CauseCode() == code {
		return p
	}
	if c := newCause(code); c != nil {
		return c
	}
	if oldUnknown {
		return old.(*UnknownCause)
	}
	return new(UnknownCause)
}

// parseCauses parses the region b, a sequence of error causes such as the
// value of an ERROR or ABORT chunk (RFC 9260 Sections 3.3.7 and 3.3.10),
// entirely, appending the causes to dst. b must extend through the padding
// of its last cause (see openTLV). An empty region yields dst unchanged
// (nil for a nil dst). Error offsets are relative to b.
//
// The region is complete: a cause whose Length runs past the end of b is
// reported as ErrLength at that cause's Length field, not as truncation.
//
// To avoid allocating when a value is parsed again, parseCauses reuses the
// causes it finds in the spare capacity of dst (between len and cap) when
// they have the type the next code calls for. Such a reused cause is
// overwritten; a caller that passes x[:0] must not keep causes of x beyond
// the parse.
func parseCauses(b []byte, dst []Cause) ([]Cause, error) {
	start := len(dst)
	for off := 0; off < len(b); {
		rest := b[off:]
		if len(rest) < headerLen {
			// Bytes that cannot hold a cause header: not a cause, and
			// not padding either (each cause covers its own padding).
			return dst[:start], errAt(ErrPadding, off, CauseProtocolViolation)
		}
		var old Cause
		if len(dst) < cap(dst) {
			old = dst[:len(dst)+1][len(dst)]
		}
		c, n, err := parseCauseReuse(rest, old)
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				code := CauseCode(binary.BigEndian.Uint16(rest))
				err = inCause(errAt(ErrLength, 2, CauseProtocolViolation), code, 0)
			}
			return dst[:start], shift(err, off)
		}
		dst = append(dst, c)
		off += n
	}
	return dst, nil
}

// causesLen returns the number of bytes appendCauses adds for cs. Nil
// entries are skipped.
func causesLen(cs []Cause) int {
	n := 0
	for _, c := range cs {
		if c != nil {
			n += c.Len()
		}
	}
	return n
}

// appendCauses appends every cause of cs, each padded, to b. Nil entries
// are skipped.
func appendCauses(b []byte, cs []Cause) []byte {
	for _, c := range cs {
		if c != nil {
			b = c.Append(b)
		}
	}
	return b
}

// rawCauseLen is the Len of a cause whose information is v.
func rawCauseLen(v []byte) int { return pad4(headerLen + len(v)) }

// appendRawCause appends a cause whose information is v, then its padding.
func appendRawCause(b []byte, code CauseCode, v []byte) []byte {
	n := headerLen + len(v)
	b = appendTLVHeader(b, uint16(code), n)
	b = append(b, v...)
	return appendPadding(b, n)
}

// appendEmptyCause appends a cause without information (Length 4).
func appendEmptyCause(b []byte, code CauseCode) []byte {
	return appendTLVHeader(b, uint16(code), headerLen)
}

// parseEmptyCause validates a cause without information: the RFCs fix its
// Length at 4.
func parseEmptyCause(b []byte, code CauseCode) (int, error) {
	_, n, err := openFixedCause(b, code, headerLen)
	return n, err
}
