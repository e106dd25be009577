package association

import (
	"encoding/binary"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
)

// authHeaderLen is the length of an AUTH chunk before its HMAC.
const authHeaderLen = 8

// authSigner returns what authenticates the chunks of the packets we
// send (packet.Builder.Auth), or nil without AUTH. RFC 4895 Section 6.2:
// "Endpoints MUST send all requested chunks that have been authenticated
// where this has been requested by the peer."
func (a *Association) authSigner() packet.Authenticator {
	if !a.authOn() {
		return nil
	}
	return a.authOf()
}

// AuthRequired implements packet.Authenticator: the peer listed t in its
// CHUNKS parameter, or Config.Auth.SendChunks does.
func (s *authState) AuthRequired(t chunk.Type) bool { return s.sendChunks.has(t) }

// AuthLen implements packet.Authenticator.
func (s *authState) AuthLen() int { return authHeaderLen + hmacLen(s.sendHMAC) }

// AppendAuth implements packet.Authenticator: an AUTH chunk with the
// active key's identifier and the HMAC field zero (RFC 4895 Section 6.2,
// Figure 6). RFC 4895 Section 6.2: "If the endpoint has no endpoint pair
// shared key for the peer, it MUST use Shared Key Identifier zero with an
// empty endpoint pair shared key."
func (s *authState) AppendAuth(b []byte) []byte {
	n := s.AuthLen()
	b = append(b, byte(chunk.TypeAuth), 0)
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	b = binary.BigEndian.AppendUint16(b, s.active)
	b = binary.BigEndian.AppendUint16(b, uint16(s.sendHMAC))
	for range n - authHeaderLen {
		b = append(b, 0)
	}
	return b
}

// Sign implements packet.Authenticator: the HMAC of data with the
// association shared key of the active key. Without one (every key
// deleted), the HMAC stays zero and the peer discards the chunks.
func (s *authState) Sign(data, mac []byte) {
	h := s.hmac(s.active, s.sendHMAC)
	if h == nil {
		return
	}
	h.Write(data)
	copy(mac, h.Sum(s.mac[:0]))
}

// dataType returns the type of the chunks that carry user messages: I-DATA
// with user message interleaving (RFC 8260), DATA otherwise.
func (a *Association) dataType() chunk.Type {
	if a.idata() {
		return chunk.TypeIData
	}
	return chunk.TypeData
}

// authDataLen returns the length of the AUTH chunk that goes before the
// DATA or I-DATA chunks we send, 0 when they are not authenticated: a
// packet of user data has that much less room (maxPayload).
func (a *Association) authDataLen() int {
	if s := a.authSigner(); s != nil && s.AuthRequired(a.dataType()) {
		return s.AuthLen()
	}
	return 0
}
