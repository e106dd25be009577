package sim

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   LinkConfig
		field string // "" means valid
	}{
		{"zero value is a perfect link", LinkConfig{}, ""},
		{"realistic", LinkConfig{Delay: 30 * time.Millisecond, Jitter: time.Millisecond, Bandwidth: 10e6,
			QueueLimit: 64 << 10, Loss: 0.01, Duplicate: 0.001, Reorder: 0.01, ReorderDelay: 5 * time.Millisecond,
			Corrupt: 0.001, MTU: 1280}, ""},
		{"certain loss", LinkConfig{Loss: 1}, ""},
		{"negative delay", LinkConfig{Delay: -1}, "Delay"},
		{"negative jitter", LinkConfig{Jitter: -1}, "Jitter"},
		{"negative reorder delay", LinkConfig{ReorderDelay: -1}, "ReorderDelay"},
		{"loss above 1", LinkConfig{Loss: 1.5}, "Loss"},
		{"negative loss", LinkConfig{Loss: -0.1}, "Loss"},
		{"NaN duplicate", LinkConfig{Duplicate: math.NaN()}, "Duplicate"},
		{"reorder above 1", LinkConfig{Reorder: 2, ReorderDelay: 1}, "Reorder"},
		{"negative corrupt", LinkConfig{Corrupt: -1}, "Corrupt"},
		{"negative bandwidth", LinkConfig{Bandwidth: -1}, "Bandwidth"},
		{"negative queue", LinkConfig{QueueLimit: -1}, "QueueLimit"},
		{"huge queue", LinkConfig{QueueLimit: MaxQueueLimit + 1}, "QueueLimit"},
		{"negative MTU", LinkConfig{MTU: -1}, "MTU"},
		{"reorder without delay", LinkConfig{Reorder: 0.1}, "ReorderDelay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidConfig)
			var ce *ConfigError
			require.True(t, errors.As(err, &ce))
			require.Equal(t, tt.field, ce.Field)
			require.Contains(t, err.Error(), tt.field)

			n := New(1)
			require.ErrorIs(t, n.SetLink(addrA, addrB, tt.cfg), ErrInvalidConfig)
			require.ErrorIs(t, n.SetLinkBoth(addrA, addrB, tt.cfg), ErrInvalidConfig)
			require.ErrorIs(t, n.SetDefault(tt.cfg), ErrInvalidConfig)
			require.Equal(t, LinkConfig{}, n.Link(addrA, addrB), "an invalid config changes nothing")
		})
	}
}

func TestSerialization(t *testing.T) {
	require.Equal(t, time.Millisecond, serialization(1250, 10e6))
	require.Equal(t, time.Duration(0), serialization(1250, 0))
	require.Equal(t, time.Duration(1), serialization(1, math.MaxInt64), "rounds up")
	require.Equal(t, 8*time.Second, serialization(1, 1))
	require.Positive(t, serialization(MaxQueueLimit, 1), "no overflow at the largest queue")
}
