package stack

import (
	"crypto/rand"
	"encoding/binary"
	mrand "math/rand/v2"
)

// cryptoSource is a math/rand/v2 Source backed by crypto/rand, for
// verification tags, initial TSNs and cookie secrets in production (RFC
// 9260 Section 5.3.1: "It is very important that the Initiate Tag value be
// randomized").
type cryptoSource struct{}

func (cryptoSource) Uint64() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return binary.LittleEndian.Uint64(b[:])
}

// CryptoSource returns a randomness source backed by crypto/rand.
func CryptoSource() mrand.Source { return cryptoSource{} }
