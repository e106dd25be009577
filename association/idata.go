package association

import (
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/stream"
)

// iDataChunkHeaderLen is the length of an I-DATA chunk before its user
// data (RFC 8260 Section 2.1: "The length of the I-DATA chunk header is
// 20 bytes").
const iDataChunkHeaderLen = 20

// dataHeaderLen returns the length of the chunk header before the user
// data of the chunks that carry our messages: I-DATA when user message
// interleaving was negotiated, DATA otherwise.
func (a *Association) dataHeaderLen() int {
	if a.idata() {
		return iDataChunkHeaderLen
	}
	return dataChunkHeaderLen
}

// dataChunk returns the chunk that carries fragment f at tsn, in the
// scratch buffers: an I-DATA chunk when user message interleaving was
// negotiated ("I-DATA chunks MUST be used for all user messages and DATA
// chunks MUST NOT be used", RFC 8260 Section 2.2.1), with the MID and
// FSN that SendQueue.StampIData gave f and the PPID in the first
// fragment only (the B bit selects the field); a DATA chunk otherwise.
func (a *Association) dataChunk(f *stream.Fragment, tsn chunk.TSN) chunk.Chunk {
	if a.idata() {
		d := &a.scr().idataOut
		*d = chunk.IData{Flags: f.Flags, TSN: tsn, StreamID: f.Stream, MID: f.MID,
			PPID: f.PPID, FSN: f.FSN, UserData: f.Data}
		return d
	}
	d := &a.scr().dataOut
	*d = chunk.Data{Flags: f.Flags, TSN: tsn, StreamID: f.Stream, SSN: f.SSN,
		PPID: f.PPID, UserData: f.Data}
	return d
}
