package webrtc

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/pion/dtls/v3"
	"github.com/pion/dtls/v3/pkg/crypto/selfsign"
	"github.com/stretchr/testify/require"
)

// testCtx returns a context that ends with the test, at the latest after
// 30 seconds.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// certificate is a self-signed certificate for both ends of the DTLS
// connections, made once.
var certificate = sync.OnceValues(selfsign.GenerateSelfSigned)

// dtlsPair returns the client and server ends of a DTLS connection over
// two UDP sockets on loopback, handshake done: the transport of WebRTC
// data channels (RFC 8261). Both are closed at the end of the test.
func dtlsPair(t *testing.T) (client, server *dtls.Conn) {
	t.Helper()
	cert, err := certificate()
	require.NoError(t, err)
	lo := net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0"))
	pcC, err := net.ListenUDP("udp4", lo)
	require.NoError(t, err)
	pcS, err := net.ListenUDP("udp4", lo)
	require.NoError(t, err)
	opts := []dtls.Option{dtls.WithCertificates(cert), dtls.WithInsecureSkipVerify(true),
		dtls.WithExtendedMasterSecret(dtls.RequireExtendedMasterSecret)}
	client, err = dtls.ClientWithOptions(pcC, pcS.LocalAddr(), toClient(opts)...)
	require.NoError(t, err)
	server, err = dtls.ServerWithOptions(pcS, pcC.LocalAddr(), toServer(opts)...)
	require.NoError(t, err)
	t.Cleanup(func() {
		client.Close()
		server.Close()
	})
	ctx := testCtx(t)
	errc := make(chan error, 1)
	go func() { errc <- server.HandshakeContext(ctx) }()
	require.NoError(t, client.HandshakeContext(ctx))
	require.NoError(t, <-errc)
	return client, server
}

func toClient(opts []dtls.Option) []dtls.ClientOption {
	out := make([]dtls.ClientOption, len(opts))
	for i, o := range opts {
		out[i] = o
	}
	return out
}

func toServer(opts []dtls.Option) []dtls.ServerOption {
	out := make([]dtls.ServerOption, len(opts))
	for i, o := range opts {
		out[i] = o
	}
	return out
}

// sizes are the message sizes the tests send: around the DATA chunk that
// fills a packet of the default PMTU over DTLS (api.DTLSMTU less the
// common and DATA chunk headers), and messages of many packets.
var sizes = []int{1, 2, 100, api.DTLSMTU - 28 - 1, api.DTLSMTU - 28, api.DTLSMTU - 28 + 1, 1500, 4096, 10000, 65535}

// message returns the i-th test message of n bytes: its index and
// seeded random bytes, so that each is checked exactly.
func message(i, n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(uint64(i), uint64(n)))
	for j := range b {
		b[j] = byte(r.Uint32())
	}
	if n >= 4 {
		binary.BigEndian.PutUint32(b, uint32(i))
	}
	return b
}

// gensctp opens a gensctp socket over the DTLS connection c with opts
// (OverDTLS: SCTP port 5000), subscribed to the stream reset events,
// closed at the end of the test.
func gensctp(t *testing.T, c net.Conn, opts ...api.Option) *api.Socket {
	t.Helper()
	all := append([]api.Option{api.OverDTLS(c),
		api.SCTPEvents(api.EventSubscribe{StreamResetEvent: api.True})}, opts...)
	s, err := api.Open(all...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// connect connects s to the peer of its DTLS connection, port 5000.
func connect(t *testing.T, s *api.Socket) api.AssocID {
	t.Helper()
	ac, err := s.Connect(testCtx(t), netip.IPv4Unspecified(), api.DTLSPort)
	require.NoError(t, err)
	require.Equal(t, api.CommUp, ac.State)
	return ac.AssocID
}

// next returns the next delivery of s that match accepts, skipping the
// others; it fails the test if none comes in time.
func next(t *testing.T, s *api.Socket, match func(d *api.Delivery) bool) api.Delivery {
	t.Helper()
	ctx := testCtx(t)
	for {
		d, err := s.Recv(ctx)
		var ee *api.EventError
		if errors.As(err, &ee) {
			d, err = api.Delivery{Kind: api.KindError, Event: ee.Event}, nil
		}
		require.NoError(t, err)
		if match(&d) {
			return d
		}
	}
}

// recvMsg returns the next message s receives.
func recvMsg(t *testing.T, s *api.Socket) api.Delivery {
	t.Helper()
	return next(t, s, func(d *api.Delivery) bool { return d.Kind == api.KindData })
}

// assocState returns the next association change of s to one of states.
func assocState(t *testing.T, s *api.Socket, states ...api.AssocState) *api.AssocChange {
	t.Helper()
	d := next(t, s, func(d *api.Delivery) bool {
		ac, ok := d.Event.(*api.AssocChange)
		if !ok {
			return false
		}
		for _, st := range states {
			if ac.State == st {
				return true
			}
		}
		return false
	})
	return d.Event.(*api.AssocChange)
}

// streamReset returns the next stream reset event of s.
func streamReset(t *testing.T, s *api.Socket) *api.StreamResetEvent {
	t.Helper()
	return next(t, s, func(d *api.Delivery) bool {
		_, ok := d.Event.(*api.StreamResetEvent)
		return ok
	}).Event.(*api.StreamResetEvent)
}
