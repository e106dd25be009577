package api

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// sctp_interleaving_supported is off by default (RFC 8260 Section 2.2.1),
// set for the associations set up later and read back; for an
// association it reads whether it was negotiated. sctp_fragment_interleave
// is 2 by default, takes 0, 1 and 2, and refuses other levels.
func TestInterleavingOptions(t *testing.T) {
	s := open(t)
	on, err := GetOpt[bool](s, OptionQuery{Name: "sctp_interleaving_supported"})
	require.NoError(t, err)
	require.False(t, on)
	lvl, err := GetOpt[int](s, OptionQuery{Name: "sctp_fragment_interleave"})
	require.NoError(t, err)
	require.Equal(t, 2, lvl)
	require.NoError(t, s.SetOpts(SCTPInterleavingSupported(true), SCTPFragmentInterleave(0)))
	got, err := s.GetOpts(OptionQuery{Name: "sctp_interleaving_supported"}, OptionQuery{Name: "sctp_fragment_interleave"})
	require.NoError(t, err)
	require.Equal(t, []OptionValue{{Name: "sctp_interleaving_supported", Value: true},
		{Name: "sctp_fragment_interleave", Value: 0}}, got)
	for _, bad := range []int{-1, 3} {
		require.ErrorIs(t, s.SetOpts(SCTPFragmentInterleave(bad)), ErrInvalidOption)
	}
	lvl, err = GetOpt[int](s, OptionQuery{Name: "sctp_fragment_interleave"})
	require.NoError(t, err)
	require.Zero(t, lvl, "a refused value changes nothing")
}

// Two sockets that both turn sctp_interleaving_supported on negotiate
// I-DATA: the association reads it, and a received message carries its
// MID in SndRcvInfo (its lower 16 bits in SSN, RFC 8260 Section 4.1);
// with one side off, the association uses DATA.
func TestInterleavingNegotiatedOverUDP(t *testing.T) {
	for _, both := range []bool{true, false} {
		srv := server(t, SCTPInterleavingSupported(true), SCTPEvents(EventSubscribe{DataIoEvent: True}))
		c := clientOf(t, srv, SCTPInterleavingSupported(both))
		ac := connect(t, c, srv)
		on, err := GetOpt[bool](c, OptionQuery{Name: "sctp_interleaving_supported", AssocID: ac.AssocID})
		require.NoError(t, err)
		require.Equal(t, both, on)
		big := bytes.Repeat([]byte("b"), 100<<10)
		for i := range 3 {
			require.NoError(t, c.Send(ac.AssocID, 1, big[:len(big)-i]))
		}
		for i := range 3 {
			d := recvData(t, srv)
			require.Len(t, d.Data, len(big)-i)
			require.Equal(t, uint16(i), d.Info.SSN)
			if both {
				require.Equal(t, uint32(i), d.Info.MID)
			} else {
				require.Zero(t, d.Info.MID)
			}
		}
	}
}
