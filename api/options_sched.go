package api

import (
	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/stream"
)

// This file holds the stream scheduler options of RFC 8260 Section 4.3
// (SCTP_STREAM_SCHEDULER, SCTP_STREAM_SCHEDULER_VALUE): additions to
// gen_sctp, which has none.

// StreamScheduler is a stream scheduler of RFC 8260 Section 3, the
// assoc_value of sctp_stream_scheduler: see stream.Scheduler.
type StreamScheduler = stream.Scheduler

// The schedulers of RFC 8260 Section 4.3.2 (their numbering is gensctp's;
// String gives the RFC names, stream.ParseScheduler reads them).
const (
	// SSDefault is SCTP_SS_DEFAULT: SSRR.
	SSDefault = stream.RoundRobin
	// SSFCFS is SCTP_SS_FCFS: messages in the order sent.
	SSFCFS = stream.FirstComeFirstServed
	// SSRR is SCTP_SS_RR: round robin over the streams, a message a turn.
	SSRR = stream.RoundRobin
	// SSRRPkt is SCTP_SS_RR_PKT: round robin, a packet a turn, each
	// packet carrying the data of one stream.
	SSRRPkt = stream.RoundRobinPacket
	// SSPrio is SCTP_SS_PRIO: strict priority, the stream value the
	// priority, 0 (the default) the highest.
	SSPrio = stream.Priority
	// SSFB is SCTP_SS_FB: an equal share of the bytes to every stream
	// with data (RFC 8260 Section 3.5's fair capacity, SCTP_SS_FC).
	SSFB = stream.FairBandwidth
	// SSWFQ is SCTP_SS_WFQ: shares of the bytes in proportion to the
	// stream values, the weights (1 by default).
	SSWFQ = stream.WeightedFairQueueing
)

// StreamValue is RFC 8260 Section 4.3.3's struct sctp_stream_value, the
// record of sctp_stream_scheduler_value: the per-stream value of outbound
// stream StreamID for the scheduler of association AssocID.
type StreamValue struct {
	AssocID     AssocID
	StreamID    uint16
	StreamValue uint16
}

// SCTPStreamScheduler selects the stream scheduler (RFC 8260 Section
// 4.3.2, SCTP_STREAM_SCHEDULER; v.AssocValue one of SSDefault, SSFCFS,
// SSRR, SSRRPkt, SSPrio, SSFB, SSWFQ) of association v.AssocID, or with
// AssocID 0 of the associations set up later, an addition to gen_sctp;
// the default is SSRR. A live association switches at once, keeping the
// messages queued (one being fragmented is finished first). A change of
// scheduler forgets the stream values set for the previous one, as Linux
// does: set the scheduler first. An unknown scheduler is an error
// wrapping ErrInvalidOption. GetOpts reads it as an AssocValue.
func SCTPStreamScheduler(v AssocValue) Option {
	return Option{name: "sctp_stream_scheduler", apply: func(c *optCtx) error {
		s := StreamScheduler(v.AssocValue)
		if v.AssocValue > uint32(^StreamScheduler(0)) || !s.Valid() {
			return badValue(v.AssocValue)
		}
		return c.changeTarget(v.AssocID, func(cfg *association.Config) {
			if cfg.Scheduler != s {
				cfg.Scheduler, cfg.StreamValues = s, nil
			}
		})
	}}
}

// SCTPStreamSchedulerValue sets the per-stream value of outbound stream
// v.StreamID for the scheduler of association v.AssocID, or with AssocID
// 0 of the associations set up later (RFC 8260 Section 4.3.3,
// SCTP_STREAM_SCHEDULER_VALUE), an addition to gen_sctp: the priority
// for SSPrio (0, the default, the highest; "The higher the assigned
// value, the lower the priority"), the weight for SSWFQ (1 by default; 0
// is invalid). The other schedulers ignore it ("It is ignored when the
// scheduler does not need additional information"). On a live
// association it takes effect at once, for the messages queued too; a
// stream that is not one of its outbound streams is an error wrapping
// ErrInvalidStream. For later associations, values of streams beyond
// those negotiated wait until streams are added. GetOpts reads it as a
// StreamValue, for OptionQuery.StreamID.
func SCTPStreamSchedulerValue(v StreamValue) Option {
	return Option{name: "sctp_stream_scheduler_value", apply: func(c *optCtx) error {
		id, a, err := c.target(v.AssocID)
		if err != nil {
			return err
		}
		sid := chunk.StreamID(v.StreamID)
		if int(sid) >= stream.MaxStreams {
			return badValue(v.StreamID)
		}
		fn := func(cfg *association.Config) {
			cfg.StreamValues = association.SetStreamValue(cfg.StreamValues, sid, v.StreamValue)
		}
		if a == nil {
			return c.changeTemplate(fn)
		}
		if _, err := a.StreamValue(sid); err != nil {
			return err
		}
		return c.changeLive(id, a, fn)
	}}
}

// getStreamScheduler reads sctp_stream_scheduler.
func getStreamScheduler(s *Socket, q OptionQuery) (any, error) {
	id, _, cfg, err := s.targetCfgLocked(q.AssocID)
	if err != nil {
		return nil, err
	}
	return AssocValue{AssocID: id, AssocValue: uint32(cfg.Scheduler)}, nil
}

// getStreamSchedulerValue reads sctp_stream_scheduler_value of stream
// q.StreamID.
func getStreamSchedulerValue(s *Socket, q OptionQuery) (any, error) {
	id, a, cfg, err := s.targetCfgLocked(q.AssocID)
	if err != nil {
		return nil, err
	}
	sid := chunk.StreamID(q.StreamID)
	if a != nil {
		if _, err := a.StreamValue(sid); err != nil {
			return nil, err
		}
	}
	return StreamValue{AssocID: id, StreamID: q.StreamID, StreamValue: association.StreamValueOf(&cfg, sid)}, nil
}
