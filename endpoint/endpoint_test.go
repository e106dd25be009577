package endpoint_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// quietSetup returns a setup whose client and server have an established
// association (their IDs returned) and nothing left to send or poll: the
// client's next deadline is a heartbeat, more than RTO.Initial away.
func quietSetup(t *testing.T, seed uint64) (st *setup, cid, sid endpoint.AssocID) {
	t.Helper()
	st = newSetup(t, seed, nil)
	cid, sid = st.connect(t)
	st.w.Run(time.Second)
	st.poll()
	require.Empty(t, outputs(st.w.Now, st.c))
	require.Greater(t, st.c.NextDeadline(), soon(t, st, cid))
	return st, cid, sid
}

// soon is the time within which a timer started now on the client's
// association cid runs (an RTO is at most RTO.Initial once the handshake
// measured the round trip of the tests' link).
func soon(t *testing.T, st *setup, cid endpoint.AssocID) timer.Time {
	t.Helper()
	a, ok := st.c.Assoc(cid)
	require.True(t, ok)
	return st.w.Now.Add(a.Config().RTO.Initial)
}

// chunkTypes returns the types of the chunks of the packets out.
func chunkTypes(t *testing.T, out []association.Outgoing) []chunk.Type {
	t.Helper()
	var types []chunk.Type
	for _, o := range out {
		p, _ := parsed(t, o.Data)
		it := p.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			types = append(types, r.Type)
		}
	}
	return types
}

// A change made through the pointer Assoc returned, with no other call,
// is seen by the endpoint's next call: its send queue (AppendPacket sends
// the DATA of a Send, the SHUTDOWN of a Shutdown, the ABORT of an Abort),
// its deadline heap (NextDeadline is the T2-shutdown of a Shutdown, the
// Autoclose of a Reconfigure, the heartbeat of a SetPathParams), its
// routing (a packet for an association aborted is out of the blue at the
// next HandleDatagram) and its poll queue (the CommLost of an Abort).
func TestAssocChangesSeen(t *testing.T) {
	t.Run("send", func(t *testing.T) {
		st, cid, sid := quietSetup(t, 71)
		a, ok := st.c.Assoc(cid)
		require.True(t, ok)
		require.NoError(t, a.Send(st.w.Now, association.SendInfo{PPID: 42}, []byte("seen")))
		out := outputs(st.w.Now, st.c)
		require.Contains(t, chunkTypes(t, out), chunk.TypeData)
		for _, o := range out {
			require.NoError(t, st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: addrC, To: addrS.Addr(),
				Data: o.Data}))
		}
		st.poll()
		require.Equal(t, []string{"seen"}, messages(st.ds, sid))
	})
	t.Run("shutdown", func(t *testing.T) {
		st, cid, _ := quietSetup(t, 72)
		by := soon(t, st, cid)
		a, _ := st.c.Assoc(cid)
		require.NoError(t, a.Shutdown(st.w.Now))
		require.LessOrEqual(t, st.c.NextDeadline(), by, "T2-shutdown in the deadline heap")
		require.Contains(t, chunkTypes(t, outputs(st.w.Now, st.c)), chunk.TypeShutdown)
	})
	t.Run("reconfigure", func(t *testing.T) {
		st, cid, _ := quietSetup(t, 73)
		a, _ := st.c.Assoc(cid)
		cfg := a.Config()
		cfg.Autoclose = time.Second
		require.NoError(t, a.Reconfigure(st.w.Now, cfg))
		require.Equal(t, st.w.Now.Add(time.Second), st.c.NextDeadline(), "Autoclose in the deadline heap")
	})
	t.Run("path parameters", func(t *testing.T) {
		st, cid, _ := quietSetup(t, 74)
		before := st.c.NextDeadline() // the heartbeat of the default interval, 30 s
		a, _ := st.c.Assoc(cid)
		require.NoError(t, a.SetPathParams(st.w.Now, addrS.Addr(),
			association.PathParams{HeartbeatInterval: 100 * time.Millisecond}))
		require.Less(t, st.c.NextDeadline(), before, "the new heartbeat in the deadline heap")
	})
	t.Run("abort", func(t *testing.T) {
		st, cid, _ := quietSetup(t, 75)
		a, _ := st.c.Assoc(cid)
		local, peer := a.Tags()
		a.Abort(st.w.Now, nil)
		err := st.c.HandleDatagram(&association.Datagram{Now: st.w.Now, From: addrS, To: addrC.Addr(),
			Data: build(7, 5000, local, dataChunk())})
		var de *endpoint.DropError
		require.True(t, errors.As(err, &de), "%v", err)
		require.Equal(t, endpoint.DropOutOfTheBlue, de.Reason, "no longer routed to the association")
		require.True(t, endpointtest.HasEvent(endpointtest.Drain(st.c), cid, association.CommLost))
		sent := false
		for _, o := range outputs(st.w.Now, st.c) {
			if p, first := parsed(t, o.Data); first.Type == chunk.TypeAbort && p.VerificationTag == peer {
				sent = true
			}
		}
		require.True(t, sent, "the association's ABORT")
	})
}

// The associations of an endpoint share its buffer pool (each endpoint
// has its own, even when made from another's configuration): a message
// sent goes back to it once acknowledged, and the pool keeps no free
// buffer once the endpoint's last association is gone.
func TestBuffersShared(t *testing.T) {
	st := newSetup(t, 80, nil)
	require.NotSame(t, st.c.Buffers(), st.s.Buffers())
	other, err := endpoint.New(st.c.Config(), st.w.Now)
	require.NoError(t, err)
	require.NotSame(t, st.c.Buffers(), other.Buffers(), "a pool of its own")

	cid, sid := st.connect(t)
	ca, _ := st.c.Assoc(cid)
	sa, _ := st.s.Assoc(sid)
	require.Same(t, st.c.Buffers(), ca.Config().Buffers)
	require.Same(t, st.s.Buffers(), sa.Config().Buffers)
	require.NoError(t, st.s.SetAssocConfig(st.s.Config().Assoc))
	require.Same(t, st.s.Buffers(), st.s.Config().Assoc.Buffers, "SetAssocConfig keeps the pool")

	send(t, st.w.Now, st.c, cid, "hello")
	require.True(t, st.w.RunUntil(time.Second, func() bool {
		st.poll()
		return len(messages(st.ds, sid)) == 1 && ca.Outstanding() == 0
	}))
	require.Equal(t, 64, st.c.Buffers().Retained(), "the acknowledged message's buffer")

	st.c.Close(st.w.Now)
	require.True(t, st.w.RunUntil(10*time.Second, func() bool {
		st.poll()
		return st.c.Len() == 0
	}))
	require.Zero(t, st.c.Buffers().Retained(), "no association left: no free buffer kept")
}
