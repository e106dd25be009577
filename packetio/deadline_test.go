package packetio_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/packetio"
	"github.com/stretchr/testify/require"
)

// The zero Deadline has none; a past one is passed at once, a future one
// once its time comes (its channel closes), and clearing it makes it
// pending again.
func TestDeadline(t *testing.T) {
	var d packetio.Deadline
	require.False(t, d.Passed())
	d.Set(time.Unix(1, 0))
	require.True(t, d.Passed())
	d.Set(time.Time{})
	require.False(t, d.Passed())
	d.Set(time.Now().Add(time.Millisecond))
	select {
	case <-d.Wait():
	case <-time.After(10 * time.Second):
		t.Fatal("the deadline did not pass")
	}
	d.Set(time.Now().Add(time.Hour))
	require.False(t, d.Passed())
	d.Stop()
}
