package api

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

// Bad options return an error (gen_sctp open raises badarg), never panic.
func TestOpenBadOptions(t *testing.T) {
	noLeak(t)
	cases := []struct {
		name string
		opts []Option
	}{
		{"zero option", []Option{{}}},
		{"invalid ip", []Option{IP(netip.Addr{})}},
		{"ip twice", []Option{IP(lo), IP(lo)}},
		{"local udp port range", []Option{LocalUDPPort(70000)}},
		{"negative local udp port", []Option{LocalUDPPort(-1)}},
		{"remote udp port 0", []Option{RemoteUDPPort(0)}},
		{"remote udp port for bad addr", []Option{RemoteUDPPortFor(netip.Addr{}, 9899)}},
		{"bad type", []Option{Type(7)}},
		{"inet with ipv6", []Option{Inet(), IP(netip.IPv6Loopback())}},
		{"active range", []Option{Active(ActiveCount(1 << 20))}},
		{"recbuf too small", []Option{Recbuf(10)}},
		{"sndbuf 0", []Option{Sndbuf(0)}},
		{"linger negative", []Option{Linger(true, -1)}},
		{"default send abort", []Option{SCTPDefaultSendParam(SndRcvInfo{Flags: Abort})}},
		{"default send for an association", []Option{SCTPDefaultSendParam(SndRcvInfo{AssocID: 3})}},
		{"negative shards", []Option{Shards(-1)}},
		{"too many shards", []Option{Shards(MaxShards + 1)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Open(append([]Option{LocalUDPPort(0)}, c.opts...)...)
			require.Nil(t, s)
			require.ErrorIs(t, err, ErrInvalidOption)
			var e *Error
			require.True(t, errors.As(err, &e))
			require.Equal(t, Badarg, e.Reason)
			require.Equal(t, "open", e.Op)
		})
	}
	// Open-only options elsewhere are einval.
	s := open(t)
	err := s.SetOpts(Port(5))
	require.ErrorIs(t, err, ErrInvalidOption)
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, Einval, e.Reason)
	_, err = s.Connect(testCtx(t), lo, 1, IP(lo))
	require.ErrorIs(t, err, ErrInvalidOption)
}

// Sockets on one UDP port share a stack (RFC 6951 Section 5.1) and must
// differ in their SCTP port; the stack closes with its last socket.
func TestSharedStack(t *testing.T) {
	noLeak(t)
	a := open(t, Port(40001))
	b, err := Open(IP(lo), LocalUDPPort(a.UDPPort()), Port(40002))
	require.NoError(t, err)
	require.Same(t, a.stk, b.stk)
	_, err = Open(IP(lo), LocalUDPPort(a.UDPPort()), Port(40001))
	require.ErrorIs(t, err, ErrAddrInUse)
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, Eaddrinuse, e.Reason)
	names, err := b.SockNames(0)
	require.NoError(t, err)
	require.Equal(t, []netip.AddrPort{netip.AddrPortFrom(lo, 40002)}, names)

	// Two sockets on one stack talk to each other.
	require.NoError(t, b.Listen(true))
	c, err := Open(IP(lo), LocalUDPPort(a.UDPPort()), RemoteUDPPort(a.UDPPort()))
	require.NoError(t, err)
	connect(t, c, b)
	require.Equal(t, CommUp, recvEvent[*AssocChange](t, b).State)
	require.NoError(t, b.Close())
	require.Equal(t, ShutdownComp, recvState(t, c, ShutdownComp).State)
	require.NoError(t, c.Close())
}

// ErrorString, the gen_sctp documentation
func TestErrorString(t *testing.T) {
	cases := map[int]string{
		0:  "ok",
		1:  "Invalid Stream Identifier",
		2:  "Missing Mandatory Parameter",
		3:  "Stale Cookie Error",
		4:  "Out of Resource",
		5:  "Unresolvable Address",
		6:  "Unrecognized Chunk Type",
		7:  "Invalid Mandatory Parameter",
		8:  "Unrecognized Parameters",
		9:  "No User Data",
		10: "Cookie Received While Shutting Down",
		11: "Restart of an Association with New Addresses",
		12: "User Initiated Abort",
		13: "Protocol Violation",
		15: "unknown_error",
		-1: "unknown_error",
		// Additions: RFC 5061, RFC 4895 and UDP encapsulation causes.
		14:  "Restart of an Association with New Encapsulation Port",
		160: "Request to Delete Last Remaining IP Address",
		164: "Request Refused - No Authorization",
		165: "unknown_error",
		261: "Unsupported HMAC Identifier",
	}
	for code, want := range cases {
		require.Equal(t, want, ErrorString(code), "code %d", code)
	}
}
