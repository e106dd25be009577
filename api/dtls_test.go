package api

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/packetio/packetiotest"
	"github.com/stretchr/testify/require"
)

// dtlsPair opens a listening socket and a client socket over the ends of
// an in-memory pipe taken for DTLS (OverDTLS), with the options of each,
// and connects them to SCTP port 5000; it returns the sockets and the
// client's association.
func dtlsPair(t *testing.T, cliOpts, srvOpts []Option) (cli, srv *Socket, ac *AssocChange, rc *recordingConn) {
	t.Helper()
	a, b := packetiotest.Pipe()
	rc = &recordingConn{Conn: a}
	srv = openOn(t, append([]Option{OverDTLS(b)}, srvOpts...)...)
	require.NoError(t, srv.Listen(true))
	cli = openOn(t, append([]Option{OverDTLS(rc)}, cliOpts...)...)
	ac, err := cli.Connect(testCtx(t), netip.IPv4Unspecified(), DTLSPort)
	require.NoError(t, err)
	require.Equal(t, CommUp, ac.State)
	require.Equal(t, CommUp, recvEvent[*AssocChange](t, srv).State)
	return cli, srv, ac, rc
}

// pathParams returns the sctp_peer_addr_params of the socket (assoc 0).
func pathParams(t *testing.T, s *Socket) PaddrParams {
	t.Helper()
	p, err := GetOpt[PaddrParams](s, OptionQuery{Name: "sctp_peer_addr_params"})
	require.NoError(t, err)
	return p
}

// A socket over DTLS takes the defaults of RFC 8261 and RFC 8841: SCTP
// port 5000, a PMTU of 1200 bytes less the DTLS overhead, and
// Path.Max.Retrans equal to Association.Max.Retrans; the options
// override each. Over OverConn nothing changes.
func TestOverDTLSDefaults(t *testing.T) {
	noLeak(t)
	cli, srv, ac, _ := dtlsPair(t, nil, nil)
	require.Equal(t, uint16(5000), srv.Port())
	require.Equal(t, uint16(5000), cli.Port())
	require.Equal(t, 1163, DTLSMTU)
	for _, s := range []*Socket{cli, srv} {
		p := pathParams(t, s)
		require.EqualValues(t, DTLSMTU, p.PathMtu)
		require.EqualValues(t, association.DefaultMaxRetrans, p.PathMaxRxt)
	}
	st, err := cli.AssocStats(ac.AssocID)
	require.NoError(t, err)
	require.Equal(t, DTLSMTU, st.Paths[0].MTU)
	require.NoError(t, cli.Send(ac.AssocID, 0, make([]byte, 3000)))
	require.Len(t, recvData(t, srv).Data, 3000)

	a, b := packetiotest.Pipe()
	defer b.Close()
	s := openOn(t, OverDTLS(a), Port(5001), SCTPPeerAddrParams(PaddrParams{PathMtu: 1000, PathMaxRxt: 3}),
		SCTPAssocInfo(AssocParams{AssocMaxRxt: 7}))
	require.Equal(t, uint16(5001), s.Port())
	p := pathParams(t, s)
	require.EqualValues(t, 1000, p.PathMtu)
	require.EqualValues(t, 3, p.PathMaxRxt)
	s = openOn(t, OverDTLS(a), Port(5002), SCTPAssocInfo(AssocParams{AssocMaxRxt: 7}))
	require.EqualValues(t, 7, pathParams(t, s).PathMaxRxt)

	c, d := packetiotest.Pipe()
	defer d.Close()
	s = openOn(t, OverConn(c))
	require.NotEqual(t, uint16(DTLSPort), s.Port())
	require.EqualValues(t, association.DefaultMTU, pathParams(t, s).PathMtu)
}

// zeroSumPackets counts the packets written to rc with a zero checksum
// field, and those with an INIT or COOKIE ECHO chunk among them.
func zeroSumPackets(t *testing.T, rc *recordingConn) (zero, zeroHandshake int) {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, b := range rc.packets {
		p, err := packet.Parse(b, packet.Options{AcceptZeroChecksum: true})
		require.NoError(t, err)
		if !p.Findings.Has(packet.FindingZeroChecksum) {
			continue
		}
		zero++
		if t := b[packet.HeaderLen]; t == byte(chunk.TypeInit) || t == byte(chunk.TypeCookieEcho) {
			zeroHandshake++
		}
	}
	return zero, zeroHandshake
}

// SCTPAcceptZeroChecksum on both ends over DTLS: the association
// negotiates the zero checksum of RFC 9653, and the client's packets go
// out without a CRC32c (but for its INIT and COOKIE ECHO), counted on
// both ends; with one end off, every packet carries the CRC32c.
func TestOverDTLSZeroChecksum(t *testing.T) {
	noLeak(t)
	on := []Option{SCTPAcceptZeroChecksum(EDMIDLowerLayerDTLS)}
	for _, tc := range []struct {
		name     string
		cli, srv []Option
		want     bool
	}{{"both", on, on, true}, {"client only", on, nil, false}, {"server only", nil, on, false}} {
		t.Run(tc.name, func(t *testing.T) {
			cli, srv, ac, rc := dtlsPair(t, tc.cli, tc.srv)
			for i := range 10 {
				require.NoError(t, cli.Send(ac.AssocID, 0, make([]byte, 500*i+1)))
			}
			var sid AssocID
			for i := range 10 {
				d := recvData(t, srv)
				require.Len(t, d.Data, 500*i+1)
				sid = d.Info.AssocID
			}
			// The counters agree with the wire once the packets counted
			// have been written and received (polled, bounded).
			var cs, ss AssocStats
			var zero, hs int
			for range 500 {
				var err error
				cs, err = cli.AssocStats(ac.AssocID)
				require.NoError(t, err)
				ss, err = srv.AssocStats(sid)
				require.NoError(t, err)
				zero, hs = zeroSumPackets(t, rc)
				if uint64(zero) == cs.ZeroChecksumsSent && cs.ZeroChecksumsSent == ss.ZeroChecksumsReceived {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			require.Equal(t, tc.want, cs.ZeroChecksum)
			require.Equal(t, tc.want, ss.ZeroChecksum)
			require.Zero(t, hs, "INIT and COOKIE ECHO carry a CRC32c")
			require.EqualValues(t, zero, cs.ZeroChecksumsSent)
			require.Equal(t, cs.ZeroChecksumsSent, ss.ZeroChecksumsReceived)
			if !tc.want {
				require.Zero(t, zero)
				return
			}
			require.NotZero(t, zero)
		})
	}
}

// The zero checksum needs DTLS (RFC 9653 Section 6): refused with
// ErrTransportUnsupported on UDP and over OverConn, at Open and later;
// an identifier other than none and DTLS is a bad value.
func TestZeroChecksumNeedsDTLS(t *testing.T) {
	noLeak(t)
	a, b := packetiotest.Pipe()
	defer b.Close()
	on := SCTPAcceptZeroChecksum(EDMIDLowerLayerDTLS)
	for _, opts := range [][]Option{{on, LocalUDPPort(0)}, {OverConn(a), on}} {
		_, err := Open(opts...)
		require.ErrorIs(t, err, ErrTransportUnsupported)
		require.ErrorIs(t, err, ErrInvalidOption)
	}
	s := openOn(t, OverConn(a))
	require.ErrorIs(t, s.SetOpts(on), ErrTransportUnsupported)
	require.NoError(t, s.SetOpts(SCTPAcceptZeroChecksum(EDMIDNone)))

	c, d := packetiotest.Pipe()
	defer d.Close()
	s = openOn(t, OverDTLS(c))
	require.ErrorIs(t, s.SetOpts(SCTPAcceptZeroChecksum(2)), ErrInvalidOption)
	require.NoError(t, s.SetOpts(on))
	v, err := GetOpt[uint32](s, OptionQuery{Name: "sctp_accept_zero_checksum"})
	require.NoError(t, err)
	require.Equal(t, EDMIDLowerLayerDTLS, v)
}
