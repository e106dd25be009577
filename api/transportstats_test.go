package api

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// rawPacket returns an SCTP packet with a correct CRC32c: h and one DATA
// chunk.
func rawPacket(h packet.Header) []byte {
	var b packet.Builder
	b.Reset(nil, h, 1<<16)
	b.Add(&chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: 1, UserData: []byte("x")})
	return b.Finish()
}

// TransportStats counts, at the server's UDP port and at its SCTP port,
// the packets of an association, a datagram with a bad CRC32c, one
// shorter than an SCTP common header, and two out-of-the-blue packets
// (one for the server's SCTP port, one for a port nobody has), sent by
// the client's UDP socket on loopback.
func TestTransportStats(t *testing.T) {
	srv := server(t)
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv)
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("hello")))
	recvData(t, srv)

	to := netip.AddrPortFrom(lo, uint16(srv.UDPPort()))
	ootb := rawPacket(packet.Header{SrcPort: 4242, DstPort: srv.Port(), VerificationTag: 0x1234})
	nowhere := rawPacket(packet.Header{SrcPort: 4242, DstPort: srv.Port() + 1, VerificationTag: 0x1234})
	bad := rawPacket(packet.Header{SrcPort: 4242, DstPort: srv.Port(), VerificationTag: 0x1234})
	bad[len(bad)-1] ^= 0xff
	for _, b := range [][]byte{ootb, nowhere, bad, {1, 2, 3}} {
		require.NoError(t, cli.stk.Conn().WriteTo(b, to, lo))
	}
	as, err := srv.AssocIDs()
	require.NoError(t, err)
	require.Len(t, as, 1)
	// The ABORTs answering the out-of-the-blue packets are counted after
	// the drops that caused them, and the UDP socket counts what it wrote
	// after the stack handed it over: wait for both too.
	var ts TransportStats
	var st AssocStats
	require.Eventually(t, func() bool {
		st, err = srv.AssocStats(as[0])
		require.NoError(t, err)
		ts, err = srv.TransportStats()
		require.NoError(t, err)
		return ts.Stack.Dropped() >= 4 && ts.Stack.PacketsOut >= st.PacketsSent+2 &&
			ts.UDP.DatagramsOut+1 >= ts.Stack.PacketsOut
	}, 10*time.Second, time.Millisecond)
	require.Equal(t, uint64(2), ts.Stack.OutOfTheBlue())
	require.Equal(t, uint64(1), ts.Stack.ChecksumErrors)
	require.Equal(t, uint64(1), ts.Stack.Truncated)
	require.Equal(t, uint64(4), ts.Stack.Dropped())
	require.Equal(t, uint64(1), ts.Port.OutOfTheBlue(), "the other port's is not the socket's")
	require.Equal(t, uint64(1), ts.Port.ChecksumErrors)
	require.Zero(t, ts.Port.Truncated, "too short to name a port")

	require.GreaterOrEqual(t, ts.Port.PacketsIn, st.PacketsReceived+2, "the association's and the dropped ones")
	require.GreaterOrEqual(t, ts.Stack.PacketsIn, ts.Port.PacketsIn+2)
	require.GreaterOrEqual(t, ts.UDP.DatagramsIn, ts.Stack.PacketsIn, "the UDP socket read them all")
	require.GreaterOrEqual(t, ts.Stack.PacketsOut, st.PacketsSent+2, "the association's and the ABORTs")
	require.GreaterOrEqual(t, ts.UDP.DatagramsOut, ts.Stack.PacketsOut-1)

	require.NoError(t, srv.Close())
	_, err = srv.TransportStats()
	require.ErrorIs(t, err, net.ErrClosed)
	_, err = srv.AssocIDs()
	require.ErrorIs(t, err, net.ErrClosed)
}

// TransportStats reads the counters in an order that keeps them
// consistent while datagrams arrive: the UDP socket counts a datagram
// before the stack handles it, so the UDP counters read last are never
// behind the stack's. Before, they were read first, and a datagram read
// and handled between the two reads made the stack's count the larger.
func TestTransportStatsWhileReceiving(t *testing.T) {
	srv := server(t)
	cli := open(t)
	to := netip.AddrPortFrom(lo, uint16(srv.UDPPort()))
	stop := make(chan struct{})
	sent := make(chan error, 1)
	go func() {
		// Datagrams too short for an SCTP header: each one is counted
		// and dropped, nothing answers.
		for {
			select {
			case <-stop:
				sent <- nil
				return
			default:
			}
			if err := cli.stk.Conn().WriteTo([]byte{1, 2, 3}, to, lo); err != nil {
				sent <- err
				return
			}
		}
	}()
	defer func() {
		close(stop)
		require.NoError(t, <-sent)
	}()
	for range 10000 {
		ts, err := srv.TransportStats()
		require.NoError(t, err)
		require.GreaterOrEqual(t, ts.UDP.DatagramsIn, ts.Stack.PacketsIn)
		require.GreaterOrEqual(t, ts.Stack.PacketsIn, ts.Port.PacketsIn)
	}
}

// AssocIDs lists the associations of a one-to-many socket that are not
// peeled off, and the one of a one-to-one socket.
func TestAssocIDs(t *testing.T) {
	srv := server(t)
	cli := clientOf(t, srv)
	ids, err := cli.AssocIDs()
	require.NoError(t, err)
	require.Empty(t, ids)
	a := connect(t, cli, srv)
	b := connect(t, cli, server(t, LocalUDPPort(srv.UDPPort()), Port(srv.Port()+1)))
	ids, err = cli.AssocIDs()
	require.NoError(t, err)
	require.Equal(t, []AssocID{min(a.AssocID, b.AssocID), max(a.AssocID, b.AssocID)}, ids)
	p, err := cli.Peeloff(a.AssocID)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	ids, err = cli.AssocIDs()
	require.NoError(t, err)
	require.Equal(t, []AssocID{b.AssocID}, ids)
	ids, err = p.AssocIDs()
	require.NoError(t, err)
	require.Equal(t, []AssocID{a.AssocID}, ids)
}
