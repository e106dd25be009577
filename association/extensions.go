package association

import "github.com/gensctp/gensctp/chunk"

// extensions lists the extension chunks this implementation supports,
// each with the Config switch that turns it off: the Supported Extensions
// parameter of RFC 5061 Section 4.2.7 in our INIT and INIT ACK lists those
// that are on.
var extensions = [...]struct {
	t  chunk.Type
	on func(*Config) bool
}{
	{chunk.TypeForwardTSN, func(c *Config) bool { return !c.PartialReliabilityDisabled }},
	{chunk.TypeReConfig, func(c *Config) bool { return !c.ReconfigDisabled }},
	// RFC 8260 Section 2.2.1: I-DATA only when asked for; I-FORWARD-TSN
	// with it when PR-SCTP is on (Section 2.3.1: "the partial
	// reliability extension is negotiated and can be used in combination
	// with user message interleaving only if both endpoints indicated
	// their support of user message interleaving and the I-FORWARD-TSN
	// chunk").
	{chunk.TypeIData, func(c *Config) bool { return c.Interleaving }},
	{chunk.TypeIForwardTSN, func(c *Config) bool { return c.Interleaving && !c.PartialReliabilityDisabled }},
	// RFC 4895 has no Supported Extensions rule of its own; Linux and
	// usrsctp list AUTH there when they offer it, and so do we.
	{chunk.TypeAuth, func(c *Config) bool { return !c.Auth.Disabled }},
	// RFC 5061 Section 4.1: "An implementation supporting this extension
	// MUST list the ASCONF, the ASCONF-ACK, and the AUTH chunks in its
	// INIT and INIT-ACK parameters" (see asconfOffered).
	{chunk.TypeASCONF, asconfOffered},
	{chunk.TypeASCONFAck, asconfOffered},
}

// extensionLists holds the Supported Extensions parameter for each set of
// extensions on (bit i for extensions[i]), built once: INIT ACKs share
// them (they are only read), so that answering an INIT allocates no list.
var extensionLists = func() (l [1 << len(extensions)]*chunk.SupportedExtensions) {
	for set := range l {
		p := &chunk.SupportedExtensions{}
		for i, e := range extensions {
			if set&(1<<i) != 0 {
				p.Types = append(p.Types, e.t)
			}
		}
		l[set] = p
	}
	return l
}()

// forwardTSNSupported is the Forward-TSN-Supported parameter (RFC 3758
// Section 3.1), shared as extensionLists are.
var forwardTSNSupported = &chunk.ForwardTSNSupported{}

// extensionParams appends to ps the parameters that offer the extensions
// cfg has on: Forward-TSN-Supported for PR-SCTP (RFC 3758 Section 3.3.1)
// and the Supported Extensions parameter listing their chunk types, as
// the kernel stacks and usrsctp send both.
func extensionParams(cfg *Config, ps []chunk.Param) []chunk.Param {
	set := 0
	for i, e := range extensions {
		if e.on(cfg) {
			set |= 1 << i
		}
	}
	if set == 0 {
		return ps
	}
	if !cfg.PartialReliabilityDisabled {
		ps = append(ps, forwardTSNSupported)
	}
	return append(ps, extensionLists[set])
}

// extensionFeatures returns what the peer's Forward-TSN-Supported or
// Supported Extensions parameter p offers. Either one offers PR-SCTP:
// RFC 3758 Section 3.3 negotiates it with the first, and some stacks
// list FORWARD-TSN in the second alone. RE-CONFIG is offered in the
// second (RFC 6525 Section 5.1.1).
func extensionFeatures(p chunk.Param) features {
	var f features
	switch p := p.(type) {
	case *chunk.ForwardTSNSupported:
		f |= featForwardTSN
	case *chunk.SupportedExtensions:
		if p.Supports(chunk.TypeForwardTSN) {
			f |= featForwardTSN
		}
		if p.Supports(chunk.TypeReConfig) {
			f |= featReconfig
		}
		if p.Supports(chunk.TypeIData) {
			f |= featIData
		}
		if p.Supports(chunk.TypeIForwardTSN) {
			f |= featIForwardTSN
		}
		if p.Supports(chunk.TypeASCONF) && p.Supports(chunk.TypeASCONFAck) {
			f |= featASCONF
		}
	}
	return f
}

// prsctp reports whether partial reliability (RFC 3758) is in use: on in
// our Config and offered by the peer. RFC 3758 Section 3.3.2: an endpoint
// whose peer did not offer it "MUST NOT send a FORWARD TSN chunk at any
// time during the associations life", and one that did not offer it
// treats a FORWARD TSN as an unknown chunk.
//
// With user message interleaving (idata) PR-SCTP also needs both ends to
// have listed I-FORWARD-TSN (RFC 8260 Section 2.3.1), which then takes
// the place of FORWARD TSN.
func (a *Association) prsctp() bool {
	return !a.cfg.PartialReliabilityDisabled && a.peerFeatures&featForwardTSN != 0 &&
		(!a.idata() || a.peerFeatures&featIForwardTSN != 0)
}

// idata reports whether user message interleaving (RFC 8260) is in use:
// on in our Config and offered by the peer. RFC 8260 Section 2.2.1: "User
// message interleaving has been negotiated for an association if both
// endpoints have indicated I-DATA support"; then "I-DATA chunks MUST be
// used for all user messages and DATA chunks MUST NOT be used", and
// otherwise the reverse.
func (a *Association) idata() bool {
	return a.cfg.Interleaving && a.peerFeatures&featIData != 0
}

// iforward reports whether I-FORWARD-TSN takes the place of FORWARD TSN:
// PR-SCTP with user message interleaving (RFC 8260 Section 2.3.1).
func (a *Association) iforward() bool { return a.idata() && a.prsctp() }

// Interleaving reports whether the association negotiated user message
// interleaving (I-DATA, RFC 8260): both ends offered it. Before the
// handshake completes it is false.
func (a *Association) Interleaving() bool {
	return a.state >= StateEstablished && a.idata()
}

// PartialReliability reports whether the association negotiated partial
// reliability (PR-SCTP, RFC 3758): both ends offered it. Before the
// handshake completes it is false.
func (a *Association) PartialReliability() bool {
	return a.state >= StateEstablished && a.prsctp()
}
