package chunk

import (
	"errors"
	"io"
	"strconv"
	"strings"
)

// Errors wrapped by *ParseError. Short input wraps io.ErrUnexpectedEOF.
var (
	// ErrLength reports a length field that is below the minimum for its
	// type, inconsistent with the fields it covers, or different from the
	// fixed length the RFC gives the type.
	ErrLength = errors.New("invalid length")
	// ErrPadding reports padding that is missing where it is required or
	// bytes left over that cannot be padding.
	ErrPadding = errors.New("invalid padding")
	// ErrType reports a TLV whose type is not the one the parser was asked
	// to parse.
	ErrType = errors.New("unexpected type")
	// ErrValue reports a field whose value the RFC does not allow.
	ErrValue = errors.New("invalid value")
	// ErrMissingParam reports a mandatory parameter that is absent.
	ErrMissingParam = errors.New("missing mandatory parameter")
)

// ParseError describes malformed input. It names the innermost TLV that
// failed, the byte offset of the problem from the start of the buffer given
// to the outermost parse call, and the error cause (RFC 9260 Section 3.3.10)
// that a receiver should report, if any. Use errors.Is with the sentinel
// errors of this package or io.ErrUnexpectedEOF to classify it.
type ParseError struct {
	// Err is the kind of problem: io.ErrUnexpectedEOF, ErrLength,
	// ErrPadding, ErrType, ErrValue or ErrMissingParam.
	Err error
	// Offset is the byte offset of the faulty field.
	Offset int
	// Chunk is the chunk type being parsed; valid when HasChunk is set.
	Chunk Type
	// HasChunk reports whether the error occurred inside a chunk.
	HasChunk bool
	// Param is the parameter type being parsed, or 0.
	Param ParamType
	// ErrorCause is the code of the error-cause TLV being parsed, or 0.
	ErrorCause CauseCode
	// Cause is the error cause a receiver should report to the peer, or 0
	// when the RFC names none.
	Cause CauseCode
}

// Error implements error.
func (e *ParseError) Error() string {
	var sb strings.Builder
	sb.WriteString("chunk: ")
	if e.HasChunk {
		sb.WriteString(e.Chunk.String())
		sb.WriteString(": ")
	}
	if e.Param != 0 {
		sb.WriteString("parameter ")
		sb.WriteString(e.Param.String())
		sb.WriteString(": ")
	}
	if e.ErrorCause != 0 {
		sb.WriteString("error cause ")
		sb.WriteString(e.ErrorCause.String())
		sb.WriteString(": ")
	}
	sb.WriteString(e.Err.Error())
	sb.WriteString(" at offset ")
	sb.WriteString(strconv.Itoa(e.Offset))
	if e.Cause != 0 {
		sb.WriteString(" (cause: ")
		sb.WriteString(e.Cause.String())
		sb.WriteString(")")
	}
	return sb.String()
}

// Unwrap returns Err.
func (e *ParseError) Unwrap() error { return e.Err }

func errTruncated(off int) *ParseError {
	return &ParseError{Err: io.ErrUnexpectedEOF, Offset: off, Cause: CauseProtocolViolation}
}

func errAt(err error, off int, cause CauseCode) *ParseError {
	return &ParseError{Err: err, Offset: off, Cause: cause}
}

// inChunk attributes err, raised at offset off within chunk t, to the chunk
// and makes its offset relative to the chunk start.
func inChunk(err error, t Type, off int) error {
	var pe *ParseError
	if !errors.As(err, &pe) {
		return err
	}
	pe.Offset += off
	if !pe.HasChunk {
		pe.HasChunk = true
		pe.Chunk = t
	}
	return pe
}

// inParam attributes err, raised at offset off within parameter t.
func inParam(err error, t ParamType, off int) error {
	var pe *ParseError
	if !errors.As(err, &pe) {
		return err
	}
	pe.Offset += off
	if pe.Param == 0 && pe.ErrorCause == 0 {
		pe.Param = t
	}
	return pe
}

// inCause attributes err, raised at offset off within error cause c.
func inCause(err error, c CauseCode, off int) error {
	var pe *ParseError
	if !errors.As(err, &pe) {
		return err
	}
	pe.Offset += off
	if pe.Param == 0 && pe.ErrorCause == 0 {
		pe.ErrorCause = c
	}
	return pe
}

// shift moves the offset of err by off without naming a TLV.
func shift(err error, off int) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		pe.Offset += off
	}
	return err
}
