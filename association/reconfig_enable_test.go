package association_test

import (
	"errors"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// A kind of request the configuration denies (RFC 6525 Section 6.3.1) is
// answered "Denied" and not performed, and its sequence number is used:
// the next request, of a kind allowed, is performed. A kind the
// configuration does not deny is performed as usual.
func TestReconfigRequestsDenied(t *testing.T) {
	p, cum := hostilePair(t, 1611, func(_, z *association.Config) {
		z.ResetRequestsDenied = association.ResetStreamRequests
	})
	c := capturePackets(p)
	inbound := p.Z.Status().InStreams
	hand(p, p.Z, outReset(cum, cum, 0))
	hand(p, p.Z, &chunk.ReConfig{Params: []chunk.Param{&chunk.AddOutgoingStreams{ReqSeq: uint32(cum) + 1, NumNewStreams: 1}}})
	require.Equal(t, []chunk.ReconfigResponse{
		resp(cum, chunk.ReconfigDenied), resp(cum+1, chunk.ReconfigSuccessPerformed)}, reconfAnswers(t, p, c))
	require.Empty(t, eventsOf[*association.StreamResetEvent](p.DeliveredZ))
	require.Equal(t, inbound+1, p.Z.Status().InStreams)

	p, cum = hostilePair(t, 1612, func(_, z *association.Config) {
		z.ResetRequestsDenied = association.ChangeAssocRequests
	})
	c = capturePackets(p)
	inbound = p.Z.Status().InStreams
	hand(p, p.Z, &chunk.ReConfig{Params: []chunk.Param{&chunk.AddOutgoingStreams{ReqSeq: uint32(cum), NumNewStreams: 1}}})
	hand(p, p.Z, outReset(cum+1, cum, 0))
	require.Equal(t, []chunk.ReconfigResponse{
		resp(cum, chunk.ReconfigDenied), resp(cum+1, chunk.ReconfigSuccessPerformed)}, reconfAnswers(t, p, c))
	require.Equal(t, inbound, p.Z.Status().InStreams)
	require.Len(t, eventsOf[*association.StreamResetEvent](p.DeliveredZ), 1)
}

// A set with a kind RFC 6525 Section 6.3.1 does not define is an invalid
// configuration.
func TestReconfigRequestsDeniedInvalid(t *testing.T) {
	cfg := association.Config{ResetRequestsDenied: 0x08}.WithDefaults()
	require.True(t, errors.Is(cfg.Validate(), association.ErrInvalidConfig))
}
