package association

import (
	"fmt"
	"slices"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/stream"
)

// StreamValue is a per-stream value of the stream scheduler (RFC 8260
// Section 4.3.3, struct sctp_stream_value): the priority of an outbound
// stream for stream.Priority (0, the default, is the highest), its weight
// for stream.WeightedFairQueueing (1 by default, never 0).
type StreamValue struct {
	Stream chunk.StreamID
	Value  uint16
}

// validScheduler checks Config.Scheduler and Config.StreamValues.
func (c *Config) validScheduler() error {
	if !c.Scheduler.Valid() {
		return fmt.Errorf("%w: Scheduler = %v", ErrInvalidConfig, c.Scheduler)
	}
	for _, v := range c.StreamValues {
		if int(v.Stream) >= stream.MaxStreams || c.Scheduler == stream.WeightedFairQueueing && v.Value == 0 {
			return fmt.Errorf("%w: StreamValues stream %d value %d", ErrInvalidConfig, v.Stream, v.Value)
		}
	}
	return nil
}

// applyScheduler sets the send queue's scheduler and per-stream values
// to the configuration's. Values of streams at or above the number of
// outbound streams are left for when streams are added (setOutbound).
func (a *Association) applyScheduler(q *stream.SendQueue) {
	if q.Scheduler() != a.cfg.Scheduler {
		q.SetScheduler(a.cfg.Scheduler)
	}
	a.applyStreamValues(q)
}

// applyStreamValues sets the per-stream values of the configuration in
// the send queue.
func (a *Association) applyStreamValues(q *stream.SendQueue) {
	for _, v := range a.cfg.StreamValues {
		_ = q.SetStreamValue(v.Stream, v.Value) // beyond the streams: ignored, checked by Validate
	}
}

// reconfigureScheduler applies a change of the scheduler or of the
// per-stream values by Reconfigure to the send queue, if there is one:
// the values are those of the new configuration, a stream left out of it
// back to the default (the send queue keeps a priority and a weight per
// stream, which stayed as the old configuration set them).
func (a *Association) reconfigureScheduler(old *Config) {
	if a.sendq == nil || old.Scheduler == a.cfg.Scheduler && slices.Equal(old.StreamValues, a.cfg.StreamValues) {
		return
	}
	a.sendq.ClearStreamValues()
	a.applyScheduler(a.sendq)
}

// SetStreamValue sets the per-stream value of outbound stream id for the
// association's scheduler (RFC 8260 Section 4.3.3,
// SCTP_STREAM_SCHEDULER_VALUE): a priority for stream.Priority, a weight
// for stream.WeightedFairQueueing; the other schedulers ignore it. It
// takes effect at once, for the messages already queued too, and is kept
// in the configuration (Config().StreamValues). It fails with
// ErrInvalidStream for a stream that is not one of the outbound streams
// and stream.ErrInvalidStreamValue for a weight of 0.
func (a *Association) SetStreamValue(id chunk.StreamID, v uint16) error {
	switch {
	case uint16(id) >= a.outboundStreams():
		return ErrInvalidStream
	case a.cfg.Scheduler == stream.WeightedFairQueueing && v == 0:
		return stream.ErrInvalidStreamValue
	}
	if a.sendq != nil {
		if err := a.sendq.SetStreamValue(id, v); err != nil {
			return err
		}
	}
	cfg := *a.cfg
	cfg.StreamValues = SetStreamValue(cfg.StreamValues, id, v)
	a.cfg = &cfg
	return nil
}

// StreamValue returns the per-stream value of outbound stream id for the
// association's scheduler (see SetStreamValue): 0 for a scheduler without
// one, the default (priority 0, weight 1) for a stream without one set.
func (a *Association) StreamValue(id chunk.StreamID) (uint16, error) {
	if uint16(id) >= a.outboundStreams() {
		return 0, ErrInvalidStream
	}
	return StreamValueOf(a.cfg, id), nil
}

// outboundStreams returns the number of outbound streams: negotiated, or
// requested before the handshake completes.
func (a *Association) outboundStreams() uint16 {
	if a.outbound != 0 {
		return a.outbound
	}
	return a.cfg.OutboundStreams
}

// SetStreamValue returns vs with the value of stream id set to v: a new
// slice (vs may be shared by several configurations), sorted by stream.
func SetStreamValue(vs []StreamValue, id chunk.StreamID, v uint16) []StreamValue {
	out := make([]StreamValue, 0, len(vs)+1)
	for _, x := range vs {
		if x.Stream != id {
			out = append(out, x)
		}
	}
	out = append(out, StreamValue{Stream: id, Value: v})
	slices.SortFunc(out, func(a, b StreamValue) int { return int(a.Stream) - int(b.Stream) })
	return out
}

// StreamValueOf returns the per-stream value of stream id under the
// scheduler of cfg: the last of cfg.StreamValues for id, else the
// default (0, or weight 1 for stream.WeightedFairQueueing).
func StreamValueOf(cfg *Config, id chunk.StreamID) uint16 {
	if !cfg.Scheduler.HasStreamValue() {
		return 0
	}
	for i := len(cfg.StreamValues) - 1; i >= 0; i-- {
		if v := cfg.StreamValues[i]; v.Stream == id {
			return v.Value
		}
	}
	if cfg.Scheduler == stream.WeightedFairQueueing {
		return 1
	}
	return 0
}
