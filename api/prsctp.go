package api

import (
	"fmt"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
)

// This file holds partial reliability (PR-SCTP, RFC 3758 and RFC 7496):
// additions to gen_sctp, which has none, named after RFC 6458 and RFC
// 7496.

// PrPolicy is a partial reliability policy (RFC 7496 Section 3,
// pr_policy): see association.PRPolicy.
type PrPolicy = association.PRPolicy

// The policies of RFC 7496 Section 3 (SCTP_PR_SCTP_NONE, _TTL, _RTX and
// _PRIO).
const (
	// PrNone: reliable.
	PrNone = association.PRNone
	// PrTTL: timed reliability, Value in milliseconds since Send.
	PrTTL = association.PRTimed
	// PrRtx: limited retransmissions, Value the most retransmissions.
	PrRtx = association.PRRetransmit
	// PrPrio: priority (buffer) policy, Value the priority, 0 the
	// highest.
	PrPrio = association.PRPriority
)

// PrInfo is RFC 7496's struct sctp_prinfo (RFC 6458 Section 5.3.7): the
// partial reliability policy of a message and its value, an addition to
// gen_sctp. The zero PrInfo in a SndRcvInfo given to SendInfo means the
// socket's default (SCTPDefaultPrInfo, itself PrNone by default), unless
// the SndRcvInfo's PrInfoValid is set.
type PrInfo struct {
	Policy PrPolicy
	Value  uint32
}

// check reports a policy that does not exist.
func (p PrInfo) check() error {
	if p.Policy >= association.PRPolicies {
		return fmt.Errorf("%w: %v", association.ErrInvalidPolicy, p.Policy)
	}
	return nil
}

// SCTPPrSupported offers partial reliability (RFC 3758
// Forward-TSN-Supported, RFC 6458 and RFC 7496 Section 4.1
// SCTP_PR_SUPPORTED) in the associations set up later, an addition to
// gen_sctp: on by default. Off, an association neither offers nor
// accepts it, and the policies of PrInfo abandon only messages none of
// which was sent yet. Associations already set up keep what they
// negotiated. GetOpts reads it as a bool.
func SCTPPrSupported(on bool) Option {
	return Option{name: "sctp_pr_supported", apply: func(c *optCtx) error {
		return c.changeTemplate(func(cfg *association.Config) { cfg.PartialReliabilityDisabled = !on })
	}}
}

// SCTPDefaultPrInfo sets the partial reliability policy of the messages
// sent with no PrInfo of their own (RFC 7496 Section 4.2,
// SCTP_DEFAULT_PRINFO), for every association of the socket, an
// addition to gen_sctp; the default is PrNone. The PrInfo of
// sctp_default_send_param, when not zero, and that of a SndRcvInfo given
// to SendInfo (see SndRcvInfo.PrInfoValid) take precedence. A policy that does not
// exist is an error wrapping ErrInvalidOption and
// association.ErrInvalidPolicy. GetOpts reads it as a PrInfo.
func SCTPDefaultPrInfo(p PrInfo) Option {
	return Option{name: "sctp_default_prinfo", apply: func(c *optCtx) error {
		if err := p.check(); err != nil {
			return err
		}
		c.st.defaultPr = p
		return nil
	}}
}

// prInfoOf returns the partial reliability of a message sent with p.
func (st *settings) prInfoOf(p SndRcvInfo) PrInfo {
	if p.PrInfo == (PrInfo{}) && !p.PrInfoValid {
		return st.defaultPr
	}
	return p.PrInfo
}

// PrStatus is RFC 7496 Section 4.3's struct sctp_prstatus for every
// policy at once: the messages abandoned, before any of them was sent
// (Unsent) and after (Sent), by policy (index PrPolicy; PrNone counts the
// messages whose TimeToLive ended before they were sent), of an
// association (SCTP_PR_ASSOC_STATUS) or of one of its outbound streams
// (SCTP_PR_STREAM_STATUS). An addition to gen_sctp.
type PrStatus struct {
	AssocID AssocID
	// Stream is the stream of PrStreamStatus (0 for Socket.PrStatus).
	Stream    uint16
	Abandoned [association.PRPolicies]association.PRCounts
	// ForwardTSNsSent and ForwardTSNsReceived count the FORWARD TSN
	// chunks of the association (Socket.PrStatus only): those sent, and
	// those received and accepted, out-of-date ones included, not those
	// discarded (see association.PRStatus).
	ForwardTSNsSent, ForwardTSNsReceived uint64
}

// Total returns the abandoned messages of every policy (RFC 7496's
// SCTP_PR_SCTP_ALL).
func (p PrStatus) Total() association.PRCounts {
	var t association.PRCounts
	for _, c := range p.Abandoned {
		t.Unsent += c.Unsent
		t.Sent += c.Sent
	}
	return t
}

// PrStatus returns the partial reliability counters of association
// assoc (sctp_pr_assoc_status); on a one-to-one socket 0 means its
// association. Errors as AssocStats.
func (s *Socket) PrStatus(assoc AssocID) (PrStatus, error) {
	var out PrStatus
	err := s.do(func(timer.Time) error {
		id, a, err := s.assocLocked(assoc)
		if err != nil {
			return err
		}
		st := a.PRStatus()
		out = PrStatus{AssocID: id, Abandoned: st.Abandoned,
			ForwardTSNsSent: st.ForwardTSNsSent, ForwardTSNsReceived: st.ForwardTSNsReceived}
		return nil
	})
	return out, opError("pr_assoc_status", assoc, -1, err)
}

// PrStreamStatus returns the messages of outbound stream stream of
// association assoc abandoned (sctp_pr_stream_status). Errors as
// AssocStats; a stream the association does not have is
// ErrInvalidStream.
func (s *Socket) PrStreamStatus(assoc AssocID, stream uint16) (PrStatus, error) {
	var out PrStatus
	err := s.do(func(timer.Time) error {
		id, a, err := s.assocLocked(assoc)
		if err != nil {
			return err
		}
		if out, _ := a.Streams(); stream >= out {
			return fmt.Errorf("%w: stream %d", ErrInvalidStream, stream)
		}
		out = PrStatus{AssocID: id, Stream: stream, Abandoned: a.PRStreamStatus(chunk.StreamID(stream))}
		return nil
	})
	return out, opError("pr_stream_status", assoc, int(stream), err)
}
