package fuzz

import (
	"context"
	"time"

	"github.com/gensctp/gensctp/api"
)

// The RE-CONFIG requests of FuzzAPI beyond ResetStreams:
// Socket.ResetStreamsDir, ResetAssoc and AddStreams, any of them at any
// time from any goroutine. Their errors must be of documented kinds
// (apiErrors), and a StreamChangeEvent reporting streams added never
// reports more than Status has (streamChange): the counts only grow.

// reconfigOp runs opcode code (apiResetDir, apiResetAssoc, apiAddStreams)
// with its arguments.
func (w *apiWorld) reconfigOp(code byte, next func() byte) {
	switch code {
	case apiResetDir:
		a, dir, mask := w.assoc(next()), next(), next()
		var ids []uint16
		for i := range uint16(8) {
			if mask&(1<<i) != 0 {
				ids = append(ids, i*2)
			}
		}
		// dir 0 is invalid (ErrInvalidResetFlags), 3 both ways.
		d := api.StreamResetDir(dir % 4)
		w.ignore("reset_streams", w.bounded("reset_streams", time.Second, func(context.Context) error {
			return a.s.ResetStreamsDir(a.id, d, ids...)
		}))
	case apiResetAssoc:
		a := w.assoc(next())
		w.ignore("reset_assoc", w.bounded("reset_assoc", time.Second, func(context.Context) error {
			return a.s.ResetAssoc(a.id)
		}))
	case apiAddStreams:
		a, out, in := w.assoc(next()), uint16(next()%8), uint16(next()%8)
		if out == 7 {
			out = 65535 // beyond the streams an association may have
		}
		w.ignore("add_streams", w.bounded("add_streams", time.Second, func(context.Context) error {
			return a.s.AddStreams(a.id, out, in)
		}))
	}
}

// streamChange checks a StreamChangeEvent that socket s received: on
// success, its counts are at most those Status reports now.
func (w *apiWorld) streamChange(s *api.Socket, d api.Delivery) {
	ev, ok := d.Event.(*api.StreamChangeEvent)
	if !ok || ev.Flags != 0 {
		return
	}
	st, err := s.Status(ev.AssocID)
	if err == nil && (st.Outstrms < ev.OutStreams || st.Instrms < ev.InStreams) {
		w.t.Errorf("stream change event %v, status in %d out %d", ev, st.Instrms, st.Outstrms)
	}
}
