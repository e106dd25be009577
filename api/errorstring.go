package api

// errorStrings are gen_sctp's error_string/1 results for the cause codes
// of RFC 4960 Section 3.3.10 (the gen_sctp documentation), word for word.
var errorStrings = [...]string{
	1:  "Invalid Stream Identifier",
	2:  "Missing Mandatory Parameter",
	3:  "Stale Cookie Error",
	4:  "Out of Resource",
	5:  "Unresolvable Address",
	6:  "Unrecognized Chunk Type",
	7:  "Invalid Mandatory Parameter",
	8:  "Unrecognized Parameters",
	9:  "No User Data",
	10: "Cookie Received While Shutting Down",
	11: "Restart of an Association with New Addresses",
	12: "User Initiated Abort",
	13: "Protocol Violation",
}

// newerErrorStrings are the cause codes gen_sctp does not know (it
// returns unknown_error for them): RFC 5061 Sections 4.3.1 to 4.3.5,
// RFC 4895 Section 4.1 and draft-tuexen-tsvwg-sctp-udp-encaps-cons
// Section 4 (14, the code Linux uses).
var newerErrorStrings = map[int]string{
	14:  "Restart of an Association with New Encapsulation Port",
	160: "Request to Delete Last Remaining IP Address",
	161: "Operation Refused Due to Resource Shortage",
	162: "Request to Delete Source IP Address",
	163: "Association Aborted Due to Illegal ASCONF-ACK",
	164: "Request Refused - No Authorization",
	261: "Unsupported HMAC Identifier",
}

// ErrorString explains an SCTP error cause code, as in the error field
// of the event records (gen_sctp error_string/1): "ok" for 0 (the atom
// ok there), the gen_sctp strings for 1 to 13, and "unknown_error" (the
// atom) for other codes. Addition: the causes of RFC 5061 (160 to 164),
// RFC 4895 (261) and of UDP encapsulation (14) get their names too.
func ErrorString(code int) string {
	switch {
	case code == 0:
		return "ok"
	case code > 0 && code < len(errorStrings):
		return errorStrings[code]
	}
	if s, ok := newerErrorStrings[code]; ok {
		return s
	}
	return "unknown_error"
}
