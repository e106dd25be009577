package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/stream"
	"github.com/stretchr/testify/require"
)

func TestSchedulerConfigValidate(t *testing.T) {
	cfg := associationtest.Config(1, 1, 2)
	for _, bad := range []func(*association.Config){
		func(c *association.Config) { c.Scheduler = 99 },
		func(c *association.Config) {
			c.Scheduler = stream.WeightedFairQueueing
			c.StreamValues = []association.StreamValue{{Stream: 1, Value: 0}}
		},
		func(c *association.Config) { c.StreamValues = []association.StreamValue{{Stream: 65535, Value: 1}} },
	} {
		c := cfg.WithDefaults()
		bad(&c)
		require.ErrorIs(t, c.Validate(), association.ErrInvalidConfig)
	}
	c := cfg.WithDefaults()
	c.Scheduler = stream.Priority
	c.StreamValues = []association.StreamValue{{Stream: 1, Value: 0}}
	require.NoError(t, c.Validate(), "priority 0 is the highest")
	require.Equal(t, []association.StreamValue{{Stream: 1, Value: 4}, {Stream: 3, Value: 2}},
		association.SetStreamValue(association.SetStreamValue(c.StreamValues, 3, 2), 1, 4))
}

// orderOn queues messages of one byte on A, before any is sent, on the
// streams listed, lets change act on A, and returns the streams of the
// messages as Z receives them.
func orderOn(t *testing.T, cfgA association.Config, streams []chunk.StreamID, change func(p *associationtest.Pair)) []chunk.StreamID {
	t.Helper()
	_, cfgZ := scenarioConfigs(7)
	p, err := associationtest.NewPair(7, cfgA, cfgZ, sim.LinkConfig{Delay: time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, p.Handshake())
	var got []chunk.StreamID
	p.OnDeliver = func(toZ bool, d association.Delivery) {
		if toZ && d.Event == nil {
			got = append(got, d.Message.Stream)
		}
	}
	for _, sid := range streams {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: sid}, []byte{1}))
	}
	change(p)
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(got) == len(streams) }))
	return got
}

// A change of scheduler (Reconfigure) or of a stream value
// (SetStreamValue) on a live association applies to the messages queued
// already; the values stay in the configuration.
func TestSchedulerLive(t *testing.T) {
	cfgA, _ := scenarioConfigs(7)
	cfgA.NoDelay = true
	queued := []chunk.StreamID{1, 1, 1, 2, 2, 2}
	got := orderOn(t, cfgA, queued, func(*associationtest.Pair) {})
	require.Equal(t, []chunk.StreamID{1, 2, 1, 2, 1, 2}, got, "round robin")

	got = orderOn(t, cfgA, queued, func(p *associationtest.Pair) {
		cfg := p.A.Config()
		cfg.Scheduler = stream.Priority
		require.NoError(t, p.A.Reconfigure(p.Now, cfg))
		require.ErrorIs(t, p.A.SetStreamValue(10, 1), association.ErrInvalidStream)
		_, err := p.A.StreamValue(10)
		require.ErrorIs(t, err, association.ErrInvalidStream)
		require.NoError(t, p.A.SetStreamValue(1, 3))
		v, err := p.A.StreamValue(1)
		require.NoError(t, err)
		require.Equal(t, uint16(3), v)
		require.Equal(t, []association.StreamValue{{Stream: 1, Value: 3}}, p.A.Config().StreamValues)
	})
	require.Equal(t, []chunk.StreamID{2, 2, 2, 1, 1, 1}, got, "priority")

	cfgA.Scheduler = stream.WeightedFairQueueing
	got = orderOn(t, cfgA, queued, func(p *associationtest.Pair) {
		require.ErrorIs(t, p.A.SetStreamValue(1, 0), stream.ErrInvalidStreamValue)
		require.NoError(t, p.A.SetStreamValue(1, 3))
	})
	require.Equal(t, []chunk.StreamID{1, 2, 1, 1, 2, 2}, got, "weights 3 and 1")
}

// A Reconfigure that leaves a stream's value out of StreamValues sets it
// back to the default in the send queue too, whether or not the scheduler
// changes (the api clears StreamValues on a change of scheduler, as Linux
// does): the queue kept the old priority or weight, which StreamValue no
// longer reported, and which came back with the scheduler it was set for.
func TestSchedulerLiveValuesCleared(t *testing.T) {
	cfgA, _ := scenarioConfigs(7)
	cfgA.NoDelay = true
	queued := []chunk.StreamID{1, 1, 1, 2, 2, 2}
	reconfigure := func(p *associationtest.Pair, s stream.Scheduler) {
		cfg := p.A.Config()
		cfg.Scheduler, cfg.StreamValues = s, nil
		require.NoError(t, p.A.Reconfigure(p.Now, cfg))
	}
	for _, s := range []stream.Scheduler{stream.Priority, stream.WeightedFairQueueing} {
		cfgA.Scheduler, cfgA.StreamValues = s, []association.StreamValue{{Stream: 1, Value: 3}}
		got := orderOn(t, cfgA, queued, func(p *associationtest.Pair) { reconfigure(p, s) })
		require.Equal(t, []chunk.StreamID{1, 2, 1, 2, 1, 2}, got, "%v, value cleared", s)
		got = orderOn(t, cfgA, queued, func(p *associationtest.Pair) {
			reconfigure(p, stream.RoundRobin)
			reconfigure(p, s)
		})
		require.Equal(t, []chunk.StreamID{1, 2, 1, 2, 1, 2}, got, "%v, round robin and back", s)
	}
}
