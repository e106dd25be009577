package packetiotest

import (
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Each Write is one packet and each Read returns one whole packet (cut
// to the reader's buffer, as UDP does).
func TestPipePackets(t *testing.T) {
	a, b := Pipe()
	defer a.Close()
	defer b.Close()
	for _, p := range []string{"first", "second packet", "x"} {
		n, err := a.Write([]byte(p))
		require.NoError(t, err)
		require.Equal(t, len(p), n)
	}
	buf := make([]byte, 64)
	for _, want := range []string{"first", "second packet", "x"} {
		n, err := b.Read(buf)
		require.NoError(t, err)
		require.Equal(t, want, string(buf[:n]))
	}
	_, err := b.Write([]byte("truncated"))
	require.NoError(t, err)
	n, err := a.Read(buf[:5])
	require.NoError(t, err)
	require.Equal(t, "trunc", string(buf[:n]))
}

// A Write never waits: beyond QueueLen unread packets, the packets are
// dropped and counted.
func TestPipeDropsWhenFull(t *testing.T) {
	a, b := Pipe()
	defer a.Close()
	defer b.Close()
	for range QueueLen + 10 {
		_, err := a.Write([]byte("p"))
		require.NoError(t, err)
	}
	require.Equal(t, uint64(10), a.Drops())
	require.Zero(t, b.Drops())
}

// The packets written before a Close are read, then io.EOF; the closed
// end fails with io.ErrClosedPipe, and writes to it too.
func TestPipeClose(t *testing.T) {
	a, b := Pipe()
	_, err := a.Write([]byte("last words"))
	require.NoError(t, err)
	require.NoError(t, a.Close())
	buf := make([]byte, 64)
	n, err := b.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "last words", string(buf[:n]))
	_, err = b.Read(buf)
	require.ErrorIs(t, err, io.EOF)
	_, err = b.Write([]byte("x"))
	require.ErrorIs(t, err, io.ErrClosedPipe)
	_, err = a.Read(buf)
	require.ErrorIs(t, err, io.ErrClosedPipe)
	_, err = a.Write([]byte("x"))
	require.ErrorIs(t, err, io.ErrClosedPipe)
	require.NoError(t, a.Close())
}

// A blocked Read returns at its deadline, and a Write after its write
// deadline fails; clearing the deadlines makes both work again.
func TestPipeDeadlines(t *testing.T) {
	a, b := Pipe()
	defer a.Close()
	defer b.Close()
	require.NoError(t, b.SetReadDeadline(time.Now().Add(10*time.Millisecond)))
	_, err := b.Read(make([]byte, 8))
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.NoError(t, a.SetDeadline(time.Unix(1, 0)))
	_, err = a.Write([]byte("late"))
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.NoError(t, a.SetDeadline(time.Time{}))
	require.NoError(t, b.SetReadDeadline(time.Time{}))
	_, err = a.Write([]byte("on time"))
	require.NoError(t, err)
	buf := make([]byte, 8)
	n, err := b.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "on time", string(buf[:n]))
	require.Equal(t, "packetpipe", a.LocalAddr().String())
	require.Equal(t, "packetpipe", b.RemoteAddr().Network())
}

// Packets through the pipe reuse its buffers: nothing is allocated in
// steady state.
func TestPipeAllocs(t *testing.T) {
	a, b := Pipe()
	defer a.Close()
	defer b.Close()
	p, buf := make([]byte, 1200), make([]byte, 1500)
	roundTrip := func() {
		if _, err := a.Write(p); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	roundTrip()
	require.Zero(t, testing.AllocsPerRun(100, roundTrip))
}
