package chunk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTFlags(t *testing.T) {
	require.Equal(t, "T", FlagT.String())
	require.Equal(t, "", TFlags(0).String())
	require.Equal(t, "T+0x80", (FlagT | 0x80).String())
	require.Equal(t, "+0x2", TFlags(2).String())
	require.True(t, FlagT.Reflected())
	require.True(t, (FlagT | 0x10).Has(FlagT))
	require.False(t, TFlags(0xfe).Reflected())
	require.False(t, TFlags(0xfe).Has(FlagT))
}
