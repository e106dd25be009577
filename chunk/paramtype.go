package chunk

import "strconv"

// ParamType is the type of a chunk parameter (RFC 9260 Section 3.2.1).
type ParamType uint16

// Parameter types of RFC 9260 and of the extensions.
const (
	ParamHeartbeatInfo             ParamType = 1      // RFC 9260 Section 3.3.5
	ParamIPv4Address               ParamType = 5      // RFC 9260 Section 3.3.2.1.1
	ParamIPv6Address               ParamType = 6      // RFC 9260 Section 3.3.2.1.2
	ParamStateCookie               ParamType = 7      // RFC 9260 Section 3.3.3.1.1
	ParamUnrecognizedParameter     ParamType = 8      // RFC 9260 Section 3.3.3.1.2
	ParamCookiePreservative        ParamType = 9      // RFC 9260 Section 3.3.2.1.3
	ParamHostNameAddress           ParamType = 11     // RFC 9260 Section 3.3.2.1.4
	ParamSupportedAddressTypes     ParamType = 12     // RFC 9260 Section 3.3.2.1.5
	ParamOutgoingSSNResetRequest   ParamType = 13     // RFC 6525 Section 4.1
	ParamIncomingSSNResetRequest   ParamType = 14     // RFC 6525 Section 4.2
	ParamSSNTSNResetRequest        ParamType = 15     // RFC 6525 Section 4.3
	ParamReconfigResponse          ParamType = 16     // RFC 6525 Section 4.4
	ParamAddOutgoingStreams        ParamType = 17     // RFC 6525 Section 4.5
	ParamAddIncomingStreams        ParamType = 18     // RFC 6525 Section 4.6
	ParamECNCapable                ParamType = 0x8000 // RFC 9260 Section 3.3.2 (reserved); layout from RFC 4960 Appendix A
	ParamZeroChecksumAcceptable    ParamType = 0x8001 // RFC 9653 Section 4
	ParamRandom                    ParamType = 0x8002 // RFC 4895 Section 3.1
	ParamChunkList                 ParamType = 0x8003 // RFC 4895 Section 3.2
	ParamRequestedHMACAlgorithm    ParamType = 0x8004 // RFC 4895 Section 3.3
	ParamPadding                   ParamType = 0x8005 // RFC 4820 Section 4
	ParamSupportedExtensions       ParamType = 0x8008 // RFC 5061 Section 4.2.7
	ParamForwardTSNSupported       ParamType = 0xC000 // RFC 3758 Section 3.1
	ParamAddIPAddress              ParamType = 0xC001 // RFC 5061 Section 4.2.1
	ParamDeleteIPAddress           ParamType = 0xC002 // RFC 5061 Section 4.2.2
	ParamErrorCauseIndication      ParamType = 0xC003 // RFC 5061 Section 4.2.3
	ParamSetPrimaryAddress         ParamType = 0xC004 // RFC 5061 Section 4.2.4
	ParamSuccessIndication         ParamType = 0xC005 // RFC 5061 Section 4.2.5
	ParamAdaptationLayerIndication ParamType = 0xC006 // RFC 5061 Section 4.2.6
)

var paramNames = map[ParamType]string{
	ParamHeartbeatInfo:             "Heartbeat Info",
	ParamIPv4Address:               "IPv4 Address",
	ParamIPv6Address:               "IPv6 Address",
	ParamStateCookie:               "State Cookie",
	ParamUnrecognizedParameter:     "Unrecognized Parameter",
	ParamCookiePreservative:        "Cookie Preservative",
	ParamHostNameAddress:           "Host Name Address",
	ParamSupportedAddressTypes:     "Supported Address Types",
	ParamOutgoingSSNResetRequest:   "Outgoing SSN Reset Request",
	ParamIncomingSSNResetRequest:   "Incoming SSN Reset Request",
	ParamSSNTSNResetRequest:        "SSN/TSN Reset Request",
	ParamReconfigResponse:          "Re-configuration Response",
	ParamAddOutgoingStreams:        "Add Outgoing Streams Request",
	ParamAddIncomingStreams:        "Add Incoming Streams Request",
	ParamECNCapable:                "ECN Capable",
	ParamZeroChecksumAcceptable:    "Zero Checksum Acceptable",
	ParamRandom:                    "Random",
	ParamChunkList:                 "Chunk List",
	ParamRequestedHMACAlgorithm:    "Requested HMAC Algorithm",
	ParamPadding:                   "Padding",
	ParamSupportedExtensions:       "Supported Extensions",
	ParamForwardTSNSupported:       "Forward-TSN-Supported",
	ParamAddIPAddress:              "Add IP Address",
	ParamDeleteIPAddress:           "Delete IP Address",
	ParamErrorCauseIndication:      "Error Cause Indication",
	ParamSetPrimaryAddress:         "Set Primary Address",
	ParamSuccessIndication:         "Success Indication",
	ParamAdaptationLayerIndication: "Adaptation Layer Indication",
}

// String returns the parameter name used by the RFCs, or "ParamType(n)".
func (t ParamType) String() string {
	if s, ok := paramNames[t]; ok {
		return s
	}
	return "ParamType(" + strconv.Itoa(int(t)) + ")"
}

// Action returns what RFC 9260 Section 3.2.1 says to do with this parameter
// type when it is not recognized.
func (t ParamType) Action() Action { return Action(t >> 14) }

// Known reports whether this package parses the type into a typed parameter
// (rather than UnknownParam).
func (t ParamType) Known() bool {
	_, ok := paramNames[t]
	return ok
}

// CauseCode is the code of an error cause (RFC 9260 Section 3.3.10).
type CauseCode uint16

// Error cause codes of RFC 9260 Section 3.3.10 and of the extensions.
const (
	CauseInvalidStreamIdentifier    CauseCode = 1      // RFC 9260 Section 3.3.10.1
	CauseMissingMandatoryParameter  CauseCode = 2      // RFC 9260 Section 3.3.10.2
	CauseStaleCookie                CauseCode = 3      // RFC 9260 Section 3.3.10.3
	CauseOutOfResource              CauseCode = 4      // RFC 9260 Section 3.3.10.4
	CauseUnresolvableAddress        CauseCode = 5      // RFC 9260 Section 3.3.10.5
	CauseUnrecognizedChunkType      CauseCode = 6      // RFC 9260 Section 3.3.10.6
	CauseInvalidMandatoryParameter  CauseCode = 7      // RFC 9260 Section 3.3.10.7
	CauseUnrecognizedParameters     CauseCode = 8      // RFC 9260 Section 3.3.10.8
	CauseNoUserData                 CauseCode = 9      // RFC 9260 Section 3.3.10.9
	CauseCookieWhileShuttingDown    CauseCode = 10     // RFC 9260 Section 3.3.10.10
	CauseRestartWithNewAddresses    CauseCode = 11     // RFC 9260 Section 3.3.10.11
	CauseUserInitiatedAbort         CauseCode = 12     // RFC 9260 Section 3.3.10.12
	CauseProtocolViolation          CauseCode = 13     // RFC 9260 Section 3.3.10.13
	CauseDeleteLastRemainingAddress CauseCode = 0x00A0 // RFC 5061 Section 4.3.1
	CauseResourceShortage           CauseCode = 0x00A1 // RFC 5061 Section 4.3.2
	CauseDeleteSourceAddress        CauseCode = 0x00A2 // RFC 5061 Section 4.3.3
	CauseIllegalASCONFAck           CauseCode = 0x00A3 // RFC 5061 Section 4.3.4
	CauseNoAuthorization            CauseCode = 0x00A4 // RFC 5061 Section 4.3.5
	CauseUnsupportedHMACIdentifier  CauseCode = 0x0105 // RFC 4895 Section 4.1
)

// CauseRestartWithNewEncapsulationPort is the error cause of
// draft-tuexen-tsvwg-sctp-udp-encaps-cons Section 4, with the code Linux
// sends.
const CauseRestartWithNewEncapsulationPort CauseCode = 14

var causeNames = map[CauseCode]string{
	CauseInvalidStreamIdentifier:    "Invalid Stream Identifier",
	CauseMissingMandatoryParameter:  "Missing Mandatory Parameter",
	CauseStaleCookie:                "Stale Cookie Error",
	CauseOutOfResource:              "Out of Resource",
	CauseUnresolvableAddress:        "Unresolvable Address",
	CauseUnrecognizedChunkType:      "Unrecognized Chunk Type",
	CauseInvalidMandatoryParameter:  "Invalid Mandatory Parameter",
	CauseUnrecognizedParameters:     "Unrecognized Parameters",
	CauseNoUserData:                 "No User Data",
	CauseCookieWhileShuttingDown:    "Cookie Received While Shutting Down",
	CauseRestartWithNewAddresses:    "Restart of an Association with New Addresses",
	CauseUserInitiatedAbort:         "User-Initiated Abort",
	CauseProtocolViolation:          "Protocol Violation",
	CauseDeleteLastRemainingAddress: "Request to Delete Last Remaining IP Address",
	CauseResourceShortage:           "Operation Refused Due to Resource Shortage",
	CauseDeleteSourceAddress:        "Request to Delete Source IP Address",
	CauseIllegalASCONFAck:           "Association Aborted Due to Illegal ASCONF-ACK",
	CauseNoAuthorization:            "Request Refused - No Authorization",
	CauseUnsupportedHMACIdentifier:  "Unsupported HMAC Identifier",

	CauseRestartWithNewEncapsulationPort: "Restart of an Association with New Encapsulation Port",
}

// String returns the cause name used by the RFCs, or "CauseCode(n)".
func (c CauseCode) String() string {
	if s, ok := causeNames[c]; ok {
		return s
	}
	return "CauseCode(" + strconv.Itoa(int(c)) + ")"
}

// Known reports whether this package parses the code into a typed error
// cause (rather than UnknownCause).
func (c CauseCode) Known() bool {
	_, ok := causeNames[c]
	return ok
}
