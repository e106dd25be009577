package endpoint_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// RFC 6951 Section 5.4: "After finding the SCTP association (which
// includes checking the verification tag), the UDP source port MUST be
// stored as the encapsulation port for the destination address the SCTP
// packet is received from". Packets that fail the check, from another UDP
// port of the peer's IP, never change the port; a valid one does.
func TestRemoteUDPPortLearnedOnlyFromVerifiedPackets(t *testing.T) {
	st := newSetup(t, 11, nil)
	_, sid := st.connect(t)
	a, _ := st.s.Assoc(sid)
	require.Equal(t, addrC, a.Paths()[0].Addr)
	local, peer := a.Tags()
	moved := netip.AddrPortFrom(addrC.Addr(), 40000)
	hb := &chunk.Heartbeat{Info: []byte{1, 2, 3, 4, 5, 6, 7, 8}}
	bad := []struct {
		name string
		pkt  []byte
	}{
		{"HEARTBEAT with a wrong tag", build(5000, 7, local^1, hb)},
		{"DATA with a wrong tag", build(5000, 7, local^1, dataChunk())},
		{"ABORT with the T bit and a wrong tag", build(5000, 7, peer^1, &chunk.Abort{Flags: chunk.FlagT})},
		{"SHUTDOWN COMPLETE with a wrong tag", build(5000, 7, local^1, &chunk.ShutdownComplete{})},
		// Goes to the association by peer address; its cookie fails
		// verification (RFC 9260 Section 5.1.5).
		{"COOKIE ECHO with a forged cookie", build(5000, 7, local, &chunk.CookieEcho{Cookie: make([]byte, 120)})},
	}
	for _, b := range bad {
		_ = st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: moved, To: addrS.Addr(), Data: b.pkt})
		require.Equal(t, addrC, a.Paths()[0].Addr, b.name)
		require.Equal(t, association.StateEstablished, a.State(), b.name)
		require.Empty(t, outputs(st.w.Now, st.s), b.name)
	}
	// An INIT goes to the association (RFC 9260 Section 5.2.2) and carries
	// no tag to verify: it gets an ABORT to its own port and the port
	// stays (draft-tuexen-tsvwg-sctp-udp-encaps-cons Section 4; see
	// TestInitFromSharedIPOtherPort).
	_ = st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: moved, To: addrS.Addr(), Data: build(5000, 7, 0, initChunk(0x5555))})
	requireNewPortAbort(t, outputs(st.w.Now, st.s), moved, 0x5555, addrC.Port())
	require.Equal(t, addrC, a.Paths()[0].Addr)
	// A valid HEARTBEAT from the new port moves the path there, and the
	// HEARTBEAT ACK goes there.
	require.NoError(t, st.s.HandleDatagram(&association.Datagram{Now: st.w.Now, From: moved, To: addrS.Addr(), Data: build(5000, 7, local, hb)}))
	require.Equal(t, moved, a.Paths()[0].Addr)
	out := outputs(st.w.Now, st.s)
	require.Len(t, out, 1)
	_, first := parsed(t, out[0].Data)
	require.Equal(t, chunk.TypeHeartbeatAck, first.Type)
	require.Equal(t, moved, out[0].To)
}

// A NAT rebinding: the client's UDP port changes; the server learns it
// from the first verified packet and the association carries on.
func TestNATRebinding(t *testing.T) {
	st := newSetup(t, 12, nil)
	cid, sid := st.connect(t)
	moved := netip.AddrPortFrom(addrC.Addr(), 40000)
	st.w.Remove(addrC)
	st.w.Add(moved, st.c)
	send(t, st.w.Now, st.c, cid, "after the move")
	send(t, st.w.Now, st.s, sid, "reply")
	require.True(t, st.w.RunUntil(10*time.Second, func() bool {
		st.poll()
		return len(messages(st.ds, sid)) == 1 && len(messages(st.dc, cid)) == 1
	}), "drops %v", st.w.Drops)
	a, _ := st.s.Assoc(sid)
	require.Equal(t, moved, a.Paths()[0].Addr)
}
