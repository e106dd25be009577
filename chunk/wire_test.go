package chunk

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

// wire is what every chunk, parameter and error cause implements.
type wire interface {
	Len() int
	Append(b []byte) []byte
}

// parseAs adapts a type's Parse method to a function returning a new value.
func parseAs[T any, PT interface {
	*T
	Parse([]byte) (int, error)
}](b []byte) (PT, int, error) {
	v := PT(new(T))
	n, err := v.Parse(b)
	return v, n, err
}

// checkWire runs the four-part wire test on one
// golden encoding: (a) golden decodes to want, (b) want encodes to golden,
// (c) Len agrees with what Append writes, (d) every proper prefix of golden
// fails with a truncation error. It also checks that parsing ignores bytes
// after the value and that Append extends a non-empty slice.
func checkWire[PT wire](t *testing.T, golden []byte, want PT, parse func([]byte) (PT, int, error)) {
	t.Helper()
	got, n, err := parse(golden)
	require.NoError(t, err, "parse golden")
	require.Equal(t, len(golden), n, "bytes consumed")
	require.Equal(t, want, got, "decoded value")

	enc := want.Append(nil)
	require.Equal(t, golden, enc, "encoding")
	require.Equal(t, len(golden), want.Len(), "Len")
	require.Equal(t, len(golden), got.Len(), "Len of parsed value")

	prefix := []byte{0xde, 0xad}
	enc = got.Append(prefix)
	require.Equal(t, append([]byte{0xde, 0xad}, golden...), enc, "Append to a non-empty slice")

	// Trailing bytes after the value are not consumed.
	longer := append(append([]byte(nil), golden...), 1, 2, 3, 4, 5, 6, 7, 8)
	got2, n2, err := parse(longer)
	require.NoError(t, err, "parse with trailing bytes")
	require.Equal(t, len(golden), n2)
	require.Equal(t, want, got2)

	for i := 0; i < len(golden); i++ {
		// Copy so that a read past the prefix would be caught by the race
		// of capacity: the slice has exactly i bytes of capacity.
		p := bytes.Clone(golden[:i])
		_, _, err := parse(p[:i:i])
		require.Error(t, err, "prefix of %d bytes", i)
		require.True(t, errors.Is(err, io.ErrUnexpectedEOF), "prefix of %d bytes: want truncation, got %v", i, err)
		var pe *ParseError
		require.True(t, errors.As(err, &pe), "prefix of %d bytes: not a *ParseError: %T", i, err)
		require.LessOrEqual(t, pe.Offset, i, "offset of truncation")
	}
}

// hexBytes decodes a string of hex digits, ignoring spaces, newlines and
// "|" separators, so that golden bytes can be laid out like a dissection.
func hexBytes(s string) []byte {
	var out []byte
	var hi byte
	half := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			continue
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		panic("hexBytes: odd number of digits")
	}
	return out
}

// requireParseError checks that err is a *ParseError of the given kind.
func requireParseError(t *testing.T, err error, kind error, cause CauseCode) *ParseError {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, kind)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, cause, pe.Cause, "cause of %v", err)
	return pe
}
