package api

import (
	"errors"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// The options of inet:sctp_options/0 kept and read back (the gen_sctp documentation:
// reuseport_lb, exclusiveaddruse, debug, bind_to_device), at Open and
// with SetOpts; debug reads back bare, as gen_sctp's getopts returns it.
func TestOptionsMoreRoundTrip(t *testing.T) {
	noLeak(t)
	cases := []optCase{
		{ReusePortLB(true), OptionQuery{Name: "reuseport_lb"}, true},
		{ExclusiveAddrUse(true), OptionQuery{Name: "exclusiveaddruse"}, true},
		{Debug(true), OptionQuery{Name: "debug"}, true},
	}
	if runtime.GOOS == "linux" {
		cases = append(cases, optCase{BindToDevice("lo"), OptionQuery{Name: "bind_to_device"}, "lo"})
	}
	for _, c := range cases {
		t.Run(c.q.Name, func(t *testing.T) {
			s := open(t)
			v, err := s.GetOpts(c.q)
			require.NoError(t, err)
			require.Len(t, v, 1)
			require.Zero(t, v[0].Value, "default")
			require.NoError(t, s.SetOpts(c.opt))
			v, err = s.GetOpts(c.q)
			require.NoError(t, err)
			require.Equal(t, OptionValue{Name: c.q.Name, Value: c.want, Bare: c.q.Name == "debug"}, v[0])

			s2 := open(t, c.opt)
			got, err := s2.GetOpts(c.q)
			require.NoError(t, err)
			require.Equal(t, c.want, got[0].Value, "set at open")
		})
	}
	s := open(t, Debug(true))
	require.NoError(t, s.SetOpts(Debug(false)))
	d, err := GetOpt[bool](s, OptionQuery{Name: "debug"})
	require.NoError(t, err)
	require.False(t, d)
}

// bind_to_device is SO_BINDTODEVICE on the UDP sockets (Linux): bound to
// lo, loopback associations work; an interface that does not exist is
// the operating system's refusal (ENODEV), and nothing changes, not even
// the other options of the same SetOpts. Elsewhere it is enotsup.
func TestBindToDevice(t *testing.T) {
	noLeak(t)
	if runtime.GOOS != "linux" {
		s := open(t)
		err := s.SetOpts(BindToDevice("lo"))
		require.ErrorIs(t, err, ErrNotSupported)
		var e *Error
		require.True(t, errors.As(err, &e))
		require.Equal(t, Enotsup, e.Reason)
		_, err = Open(BindToDevice("lo"))
		require.ErrorIs(t, err, ErrNotSupported)
		return
	}
	srv := server(t, BindToDevice("lo"))
	cli := clientOf(t, srv, BindToDevice("lo"))
	ac := connect(t, cli, srv)
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("through lo")))
	require.Equal(t, "through lo", string(recvData(t, srv).Data))

	err := cli.SetOpts(Debug(true), BindToDevice("nosuchdev0"))
	require.ErrorIs(t, err, syscall.ENODEV)
	dev, err := GetOpt[string](cli, OptionQuery{Name: "bind_to_device"})
	require.NoError(t, err)
	require.Equal(t, "lo", dev)
	dbg, err := GetOpt[bool](cli, OptionQuery{Name: "debug"})
	require.NoError(t, err)
	require.False(t, dbg, "all or nothing")
	_, err = Open(IP(lo), LocalUDPPort(0), BindToDevice("nosuchdev0"))
	require.ErrorIs(t, err, syscall.ENODEV)

	// Unbinding.
	require.NoError(t, cli.SetOpts(BindToDevice("")))
	dev, err = GetOpt[string](cli, OptionQuery{Name: "bind_to_device"})
	require.NoError(t, err)
	require.Empty(t, dev)
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("unbound")))
	require.Equal(t, "unbound", string(recvData(t, srv).Data))
}

// Invalid values are errors wrapping ErrInvalidOption and change
// nothing; the open-only options (network, netns) are refused by
// SetOpts and Connect.
func TestOptionsMoreInvalid(t *testing.T) {
	noLeak(t)
	s := open(t)
	bad := []Option{Netns("/proc/self/ns/net"), Network(nil)}
	if runtime.GOOS == "linux" {
		bad = append(bad, BindToDevice(strings.Repeat("x", 16)), BindToDevice("a\x00b"))
	}
	for _, o := range bad {
		err := s.SetOpts(ReusePortLB(true), o)
		require.ErrorIs(t, err, ErrInvalidOption, o.Name())
		var e *Error
		require.True(t, errors.As(err, &e))
		require.Equal(t, Einval, e.Reason)
		_, err = s.Connect(testCtx(t), lo, 1, o)
		require.ErrorIs(t, err, ErrInvalidOption, o.Name())
	}
	vs, err := s.GetOpts(OptionQuery{Name: "reuseport_lb"}, OptionQuery{Name: "bind_to_device"})
	require.NoError(t, err)
	require.Equal(t, false, vs[0].Value, "nothing changed")
	require.Equal(t, "", vs[1].Value)

	// Netns needs a path, and is not for a virtual network.
	_, err = Open(Netns(""))
	require.ErrorIs(t, err, ErrInvalidOption)
	if runtime.GOOS == "linux" {
		_, err = Open(Netns("/proc/self/ns/net"), Network(newVNet(t).netA))
		require.ErrorIs(t, err, ErrInvalidOption)
		_, err = Open(IP(lo), LocalUDPPort(0), Netns("/nonexistent/netns"))
		require.ErrorIs(t, err, syscall.ENOENT)
	} else {
		_, err = Open(Netns("/proc/self/ns/net"))
		require.ErrorIs(t, err, ErrNotSupported)
	}
}
