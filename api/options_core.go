package api

import (
	"errors"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
)

// This file holds the socket options the core needs; the rest of
// inet:sctp_options/0 builds on the same machinery (Option, optCtx,
// settings, commitLocked).

// NonBlockSend makes Send return ErrWouldBlock (reason eagain) instead of
// blocking while the send buffer is full (gen_sctp {non_block_send, B},
// default false).
func NonBlockSend(on bool) Option {
	return Option{name: "non_block_send", apply: func(c *optCtx) error {
		c.st.nonBlockSend = on
		return nil
	}}
}

// Linger sets how Close ends the associations (gen_sctp {linger, {On,
// Seconds}}; default {false, 0}): On with 0 seconds aborts them, On with
// Seconds > 0 shuts them down gracefully and waits up to Seconds, Off
// shuts them down gracefully and waits while they make progress. See
// Socket.Close.
func Linger(on bool, seconds int) Option {
	return Option{name: "linger", apply: func(c *optCtx) error {
		if seconds < 0 {
			return badValue(seconds)
		}
		c.st.linger = lingerSetting{on: on, seconds: seconds}
		return nil
	}}
}

// lingerSetting is the value of the linger option.
type lingerSetting struct {
	on      bool
	seconds int
}

// MaxMessageSize is the largest message, in bytes, the socket sends or
// delivers whole, an addition to gen_sctp (which has no such bound;
// SCTPMaxseg is another thing, the size of the DATA chunks a message is
// cut into): default DefaultMaxMessageSize.
//
//   - Send and its variants refuse a larger message with
//     ErrMessageTooLarge (reason emsgsize): nothing is sent. Conn.Write
//     sends messages of at most this size.
//   - Recv and active mode, which deliver messages whole, never deliver a
//     larger one: the association is aborted (the peer sees an ABORT
//     whose User-Initiated Abort cause says "message too large") and a
//     PdapiEvent (partial_delivery_aborted) is returned as an error, then
//     comm_lost. It also bounds the bytes of messages under reassembly
//     (pieces delivered past the partial delivery point and kept until
//     the end of the message) of each association: each association has
//     its own budget, so that a peer holding an unfinished message does
//     not cost another association its messages; a one-to-many socket may
//     hold up to this much for each of its associations.
//   - RecvBuffer and Conn.Read, which hand a message out in parts into
//     the caller's buffer and keep none of it, are not bounded by it,
//     except for the messages they hold back while another is handed out
//     in parts (see Conn.Read).
func MaxMessageSize(n int) Option {
	return Option{name: "max_message_size", apply: func(c *optCtx) error {
		if n < 1 {
			return badValue(n)
		}
		c.st.maxMessage = n
		return nil
	}}
}

// Recbuf sets the receive buffer of the socket's associations, existing
// and later ones, which backs the advertised receive window (gen_sctp
// {recbuf, N}; default association.DefaultReceiveBuffer, at least 1500,
// RFC 9260 Section 3.3.2: a_rwnd "MUST NOT be smaller than 1500"). A
// larger buffer opens the window of a live association at once (a window
// update goes out); a smaller one closes it as data arrives. As in
// gen_sctp, it raises the buffer option to at least N. Set, it turns
// receive-buffer autotuning off (see RecbufMax), as SO_RCVBUF does on
// Linux: the buffer stays N.
func Recbuf(n int) Option {
	return Option{name: "recbuf", apply: func(c *optCtx) error {
		if n < int(chunk.MinARwnd) {
			return badValue(n)
		}
		if err := c.changeAll(func(cfg *association.Config) { cfg.ReceiveBuffer, cfg.ReceiveBufferMax = n, n }); err != nil {
			return err
		}
		c.st.buffer = max(c.st.buffer, n)
		return nil
	}}
}

// Sndbuf sets the send buffer of the socket's associations, existing and
// later ones: Send blocks (or fails with ErrWouldBlock) while it is full
// (gen_sctp {sndbuf, N}; default association.DefaultSendBuffer, at least
// 1). Shrinking it below what is queued drops nothing: Send waits until
// the queue is below the new size. Unlike Linux, the value reads back
// as set, not doubled. Set, it turns send-buffer autotuning off (see
// SndbufMax), as SO_SNDBUF does on Linux.
func Sndbuf(n int) Option {
	return Option{name: "sndbuf", apply: func(c *optCtx) error {
		if n < 1 {
			return badValue(n)
		}
		return c.changeAll(func(cfg *association.Config) { cfg.SendBuffer, cfg.SendBufferMax = n, n })
	}}
}

// SCTPInitMsg sets the INIT parameters of associations set up later
// (gen_sctp {sctp_initmsg, #sctp_initmsg{}}). Zero fields mean the
// default, or with Connect, keep the current value.
func SCTPInitMsg(m InitMsg) Option {
	return Option{name: "sctp_initmsg", apply: func(c *optCtx) error {
		t := &c.st.assoc
		keep := c.merge()
		if m.NumOstreams != 0 || !keep {
			t.OutboundStreams = m.NumOstreams
		}
		if m.MaxInstreams != 0 || !keep {
			t.MaxInboundStreams = m.MaxInstreams
		}
		if m.MaxAttempts != 0 || !keep {
			// max_attempts counts transmissions; Max.Init.Retransmits
			// retransmissions (0 means the default there, negative none).
			switch m.MaxAttempts {
			case 0:
				t.MaxInitRetransmits = 0
			case 1:
				t.MaxInitRetransmits = -1
			default:
				t.MaxInitRetransmits = int(m.MaxAttempts) - 1
			}
		}
		if m.MaxInitTimeo != 0 || !keep {
			t.MaxInitTimeout = time.Duration(m.MaxInitTimeo) * time.Millisecond
		}
		c.st.templateChanged = true
		return nil
	}}
}

// initMsgOf returns the sctp_initmsg view of a template.
func initMsgOf(t association.Config) InitMsg {
	m := InitMsg{NumOstreams: t.OutboundStreams, MaxInstreams: t.MaxInboundStreams,
		MaxInitTimeo: uint16(min(t.MaxInitTimeout.Milliseconds(), 65535))}
	switch {
	case t.MaxInitRetransmits < 0:
		m.MaxAttempts = 1
	case t.MaxInitRetransmits > 0:
		m.MaxAttempts = uint16(min(t.MaxInitRetransmits+1, 65535))
	}
	return m
}

// SCTPDefaultSendParam sets the parameters Send uses (gen_sctp
// {sctp_default_send_param, #sctp_sndrcvinfo{}}): Flags, PPID, Context
// and TimeToLive; Stream is what Send is given. AssocID 0 sets them for
// the socket, another AssocID for that association only. With Connect,
// zero fields keep the current values.
func SCTPDefaultSendParam(info SndRcvInfo) Option {
	return Option{name: "sctp_default_send_param", apply: func(c *optCtx) error {
		if info.Flags&(Abort|EOF) != 0 {
			return errors.New("abort and eof are not default send flags")
		}
		cur := &c.st.defaultSend
		if info.AssocID != 0 {
			if _, err := c.assoc(info.AssocID); err != nil {
				return err
			}
			p := c.st.forAssoc(info.AssocID)
			if !p.hasDefaultSend {
				p.defaultSend, p.hasDefaultSend = c.st.defaultSend, true
			}
			cur = &p.defaultSend
		}
		if c.merge() {
			info = mergeSndRcvInfo(*cur, info)
		}
		if err := info.PrInfo.check(); err != nil {
			return err
		}
		info.SSN, info.TSN, info.CumTSN = 0, 0, 0
		*cur = info
		return nil
	}}
}

// mergeSndRcvInfo returns cur with the non-zero fields of v.
func mergeSndRcvInfo(cur, v SndRcvInfo) SndRcvInfo {
	if v.Stream != 0 {
		cur.Stream = v.Stream
	}
	if v.Flags != 0 {
		cur.Flags = v.Flags
	}
	if v.PPID != 0 {
		cur.PPID = v.PPID
	}
	if v.Context != 0 {
		cur.Context = v.Context
	}
	if v.TimeToLive != 0 {
		cur.TimeToLive = v.TimeToLive
	}
	if v.PrInfo != (PrInfo{}) || v.PrInfoValid {
		cur.PrInfo, cur.PrInfoValid = v.PrInfo, v.PrInfoValid
	}
	cur.AssocID = v.AssocID
	return cur
}

// eventMask is the resolved sctp_events setting.
type eventMask struct {
	dataIO, association, address, sendFailure, peerError, shutdown,
	partialDelivery, adaptation bool
	streamReset, assocReset, streamChange bool
	authentication                        bool
}

// defaultEvents is gen_sctp's open default: everything but the
// adaptation layer event (the gen_sctp documentation of sctp_events).
func defaultEvents() eventMask {
	return eventMask{true, true, true, true, true, true, true, false, false, false, false, false}
}

// SCTPEvents chooses the events delivered (gen_sctp {sctp_events,
// #sctp_event_subscribe{}}): Undefined fields mean True for the first
// seven and False for AdaptationLayerEvent, or with Connect, keep the
// current value. AuthenticationEvent (off by default) delivers
// AuthKeyEvent (RFC 6458 Section 6.1.8; gen_sctp ignores it).
func SCTPEvents(e EventSubscribe) Option {
	return Option{name: "sctp_events", apply: func(c *optCtx) error {
		m := &c.st.events
		keep := c.merge()
		pick := func(dst *bool, v OptBool, def bool) {
			switch {
			case v == True, v == False:
				*dst = v == True
			case !keep:
				*dst = def
			}
		}
		pick(&m.dataIO, e.DataIoEvent, true)
		pick(&m.association, e.AssociationEvent, true)
		pick(&m.address, e.AddressEvent, true)
		pick(&m.sendFailure, e.SendFailureEvent, true)
		pick(&m.peerError, e.PeerErrorEvent, true)
		pick(&m.shutdown, e.ShutdownEvent, true)
		pick(&m.partialDelivery, e.PartialDeliveryEvent, true)
		pick(&m.adaptation, e.AdaptationLayerEvent, false)
		pick(&m.streamReset, e.StreamResetEvent, false)
		pick(&m.assocReset, e.AssocResetEvent, false)
		pick(&m.streamChange, e.StreamChangeEvent, false)
		pick(&m.authentication, e.AuthenticationEvent, false)
		if m.authentication {
			// The associations make the events only when asked to.
			return c.changeAll(func(cfg *association.Config) { cfg.Auth.Events = true })
		}
		return nil
	}}
}

// wants reports whether the subscription delivers ev.
func (m *eventMask) wants(ev Event) bool {
	switch ev.(type) {
	case *AssocChange:
		return m.association
	case *PaddrChange:
		return m.address
	case *SendFailed:
		return m.sendFailure
	case *RemoteError:
		return m.peerError
	case *ShutdownEvent:
		return m.shutdown
	case *PdapiEvent:
		return m.partialDelivery
	case *AdaptationEvent:
		return m.adaptation
	case *StreamResetEvent:
		return m.streamReset
	case *AssocResetEvent:
		return m.assocReset
	case *StreamChangeEvent:
		return m.streamChange
	case *AuthKeyEvent:
		return m.authentication
	}
	return false
}

// SCTPNodelay turns off the Nagle-like bundling delay (gen_sctp
// {sctp_nodelay, B}, RFC 6458 Section 8.1.5; default false: small
// messages wait while data is outstanding, which costs request/response
// traffic a delayed SACK, as diameter users found, PR #4775), for the
// existing associations of the socket and later ones.
func SCTPNodelay(on bool) Option {
	return Option{name: "sctp_nodelay", apply: func(c *optCtx) error {
		return c.changeAll(func(cfg *association.Config) { cfg.NoDelay = on })
	}}
}
