package api

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// Many goroutines send and receive on the same sockets at once: two
// echo readers on the server, three senders and one reader per client.
// Every message comes back exactly once; Close stops the readers.
func TestConcurrentSendRecv(t *testing.T) {
	noLeak(t)
	srv := server(t, SCTPNodelay(true))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var echo sync.WaitGroup
	for range 2 {
		echo.Add(1)
		go func() {
			defer echo.Done()
			for {
				d, err := srv.Recv(ctx)
				if err != nil {
					return
				}
				if d.Kind == KindData {
					_ = srv.SendInfoContext(ctx, d.Info, d.Data)
				}
			}
		}()
	}
	const clients, senders, perSender = 2, 3, 200
	var wg sync.WaitGroup
	for c := range clients {
		cli := clientOf(t, srv, SCTPNodelay(true), Sndbuf(16<<10))
		ac := connect(t, cli, srv)
		got := make(map[uint32]int)
		var mu sync.Mutex
		wg.Add(1)
		go func() { // reader
			defer wg.Done()
			for n := 0; n < senders*perSender; {
				d, err := cli.Recv(ctx)
				if err != nil {
					t.Errorf("client %d: %v", c, err)
					return
				}
				if d.Kind == KindData {
					mu.Lock()
					got[binary.BigEndian.Uint32(d.Data)]++
					mu.Unlock()
					n++
				}
			}
		}()
		for k := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perSender {
					msg := make([]byte, 4+i%700)
					binary.BigEndian.PutUint32(msg, uint32(k*perSender+i))
					if err := cli.SendContext(ctx, ac.AssocID, uint16(k), msg); err != nil {
						t.Errorf("send: %v", err)
						return
					}
				}
			}()
		}
		t.Cleanup(func() {
			mu.Lock()
			defer mu.Unlock()
			require.Len(t, got, senders*perSender)
			for _, n := range got {
				require.Equal(t, 1, n)
			}
		})
	}
	wg.Wait()
	require.NoError(t, srv.Close())
	echo.Wait()
	_, err := srv.Recv(ctx)
	require.True(t, errors.Is(err, net.ErrClosed))
}

// SetOwner (controlling_process): new deliveries go to the new channel;
// messages and ordinary events buffered in the socket's own channel are
// forwarded first; a passive notice stays with the old owner.
func TestSetOwner(t *testing.T) {
	noLeak(t)
	srv := server(t, Active(ActiveTrue))
	cli := clientOf(t, srv, SCTPNodelay(true))
	ac := connect(t, cli, srv)
	up := next(t, srv.Deliveries()).Event.(*AssocChange)
	require.Equal(t, CommUp, up.State)
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("queued")))
	require.Eventually(t, func() bool { return len(srv.Deliveries()) == 1 }, 5*time.Second, time.Millisecond)
	// A passive notice in the own channel: switch to a count and back.
	require.NoError(t, srv.SetOpts(Active(ActiveCount(0)), Active(ActiveTrue)))
	require.Eventually(t, func() bool { return len(srv.Deliveries()) == 2 }, 5*time.Second, time.Millisecond)

	mine := make(chan Delivery, 4)
	require.NoError(t, srv.SetOwner(mine))
	require.Equal(t, "queued", string(next(t, mine).Data), "forwarded")
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("new")))
	require.Equal(t, "new", string(next(t, mine).Data))
	require.Equal(t, KindPassive, next(t, srv.Deliveries()).Kind, "stays with the old owner")
	require.Empty(t, srv.Deliveries())

	// Unbuffered channels work too; nil returns to the own channel.
	unbuf := make(chan Delivery)
	require.NoError(t, srv.SetOwner(unbuf))
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("unbuffered")))
	require.Equal(t, "unbuffered", string(next(t, unbuf).Data))
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("pending")))
	// Wait until the delivery is parked with the stack (blocked on unbuf).
	require.Eventually(t, func() bool {
		held := false
		_ = srv.do(func(timer.Time) error {
			a, ok := srv.share.ep.Assoc(up.AssocID)
			held = srv.park.IsParked() && srv.outbox.len() == 1 && srv.stash.len() == 0 && (!ok || a.Pending() == 0)
			return nil
		})
		return held
	}, 5*time.Second, time.Millisecond)
	require.NoError(t, srv.SetOwner(nil))
	require.Equal(t, "pending", string(next(t, srv.Deliveries()).Data))
}
