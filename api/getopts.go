package api

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
)

// OptionQuery names an option for GetOpts, with the parameters some
// options take: gen_sctp's getopts list item OptName, or {OptName,
// Record} with the record's assoc_id and address set.
//
// Name is the gen_sctp option name (Option.Name), one of: mode, active,
// buffer, sndbuf, recbuf, reuseaddr, reuseport, reuseport_lb,
// exclusiveaddruse, debug, dontroute, priority, tos, tclass, ttl,
// bind_to_device, recvtos, recvtclass, recvttl, linger, ipv6_v6only,
// high_msgq_watermark, low_msgq_watermark, non_block_send, sctp_rtoinfo,
// sctp_associnfo, sctp_initmsg, sctp_autoclose, sctp_nodelay,
// sctp_disable_fragments, sctp_i_want_mapped_v4_addr, sctp_maxseg,
// sctp_primary_addr, sctp_set_peer_primary_addr, sctp_adaptation_layer,
// sctp_peer_addr_params, sctp_default_send_param, sctp_events,
// sctp_delayed_ack_time, sctp_status, sctp_get_peer_addr_info, and the
// additions max_message_size, recbuf_max, sndbuf_max, lone_sack_delay, backlog,
// max_associations, init_rate and sctp_potentially_failed,
// sctp_pr_supported, sctp_default_prinfo, sctp_enable_stream_reset,
// sctp_stream_scheduler, sctp_stream_scheduler_value,
// sctp_auth_supported, sctp_peer_auth_chunks, sctp_local_auth_chunks and
// sctp_auth_active_key.
type OptionQuery struct {
	Name string
	// AssocID is the assoc_id of the options whose record has one
	// (sctp_rtoinfo, sctp_associnfo, sctp_primary_addr,
	// sctp_peer_addr_params, sctp_default_send_param,
	// sctp_delayed_ack_time, sctp_status, sctp_get_peer_addr_info,
	// sctp_enable_stream_reset, sctp_stream_scheduler,
	// sctp_stream_scheduler_value): 0
	// means the endpoint (on a one-to-one socket with an association, that
	// association). Other options ignore it.
	AssocID AssocID
	// Addr is the peer address of sctp_peer_addr_params (optional) and
	// sctp_get_peer_addr_info (required); its port, when not 0, must be
	// the peer's SCTP port.
	Addr netip.AddrPort
	// StreamID is the outbound stream of sctp_stream_scheduler_value.
	StreamID uint16
}

// OptionValue is one option read by GetOpts: gen_sctp's {OptName,
// Value}. The dynamic type of Value depends on Name:
//
//	mode                                     DataMode
//	active                                   ActiveSetting
//	linger                                   LingerValue
//	buffer, sndbuf, recbuf, priority, tos,   int
//	tclass, ttl, high_msgq_watermark,
//	low_msgq_watermark, sctp_autoclose
//	(seconds), sctp_maxseg, max_message_size,
//	recbuf_max, sndbuf_max,
//	backlog, max_associations,
//	sctp_potentially_failed (-1: off)
//	reuseaddr, reuseport, reuseport_lb,      bool
//	exclusiveaddruse, debug, dontroute,
//	recvtos, recvtclass, recvttl,
//	ipv6_v6only, non_block_send,
//	sctp_nodelay, sctp_disable_fragments,
//	sctp_i_want_mapped_v4_addr,
//	sctp_pr_supported, sctp_ecn_supported,
//	sctp_interleaving_supported
//	sctp_fragment_interleave                 int
//	bind_to_device                           string
//	sctp_rtoinfo                             RtoInfo
//	sctp_associnfo                           AssocParams
//	sctp_initmsg                             InitMsg
//	sctp_primary_addr                        Prim
//	sctp_adaptation_layer                    SetAdaptation
//	sctp_peer_addr_params                    PaddrParams
//	sctp_default_send_param                  SndRcvInfo
//	sctp_events                              EventSubscribe
//	sctp_accept_zero_checksum                uint32
//	sctp_delayed_ack_time,                   AssocValue
//	sctp_enable_stream_reset,
//	sctp_stream_scheduler
//	sctp_stream_scheduler_value              StreamValue
//	sctp_status                              Status
//	sctp_get_peer_addr_info                  PaddrInfo
//	init_rate                                InitRateValue
//	lone_sack_delay                          time.Duration
//	sctp_auth_supported                      bool
//	sctp_peer_auth_chunks,                   AuthChunks
//	sctp_local_auth_chunks
//	sctp_auth_active_key                     AuthKeyID
//	sctp_default_prinfo                      PrInfo
type OptionValue struct {
	Name  string
	Value any
	// Bare reports that gen_sctp puts this value in the getopts list
	// without its name: {ok, [true]} rather than {ok, [{non_block_send,
	// true}]} (non_block_send and debug, the gen_sctp documentation). Here Name is
	// always set.
	Bare bool
}

// GetOpts reads socket options (inet:getopts/2) and returns their values
// in the order asked.
//
// It mirrors gen_sctp's quirks: an option that cannot be read (an
// association or peer address that does not exist, the write-only
// sctp_set_peer_primary_addr) is left out of the result without an error
// (the gen_sctp documentation: "getopts drops failures silently"), so the result may
// be shorter than the query; non_block_send and debug are marked Bare. The call
// fails as a whole (an *Error, reason einval, wrapping ErrInvalidOption)
// for an unknown option name (gen_sctp's einval) and for sctp_status
// without an AssocID on a one-to-many socket (gen_sctp's type error,
// ERL-134). Use GetOpt, Status or PeerAddrInfo to get the error of one
// option instead.
func (s *Socket) GetOpts(queries ...OptionQuery) ([]OptionValue, error) {
	out := make([]OptionValue, 0, len(queries))
	err := s.do(func(timer.Time) error {
		for _, q := range queries {
			g, err := s.getterLocked(q)
			if err != nil {
				return err
			}
			v, err := g(s, q)
			if err != nil {
				continue // gen_sctp drops what it cannot read
			}
			out = append(out, OptionValue{Name: q.Name, Value: v, Bare: q.Name == "non_block_send" || q.Name == "debug"})
		}
		return nil
	})
	if err != nil {
		return nil, opError("getopts", 0, -1, err)
	}
	return out, nil
}

// GetOpt reads one option of s as a T (see OptionValue for the type of
// each option), and returns its error rather than leaving it out: for
// example GetOpt[RtoInfo](s, OptionQuery{Name: "sctp_rtoinfo", AssocID:
// id}). A T that is not the option's type is an error wrapping
// ErrInvalidOption.
func GetOpt[T any](s *Socket, q OptionQuery) (T, error) {
	var out T
	err := s.do(func(timer.Time) error {
		g, err := s.getterLocked(q)
		if err != nil {
			return err
		}
		v, err := g(s, q)
		if err != nil {
			return err
		}
		t, ok := v.(T)
		if !ok {
			return fmt.Errorf("%w: %s is a %T, not a %T", ErrInvalidOption, q.Name, v, out)
		}
		out = t
		return nil
	})
	return out, opError("getopts", q.AssocID, -1, err)
}

// errStatusAssoc: sctp_status without assoc_id on a one-to-many socket.
var errStatusAssoc = fmt.Errorf("%w: sctp_status needs an assoc_id", ErrInvalidOption)

// getterLocked returns the getter of q.Name, or the error that fails a
// whole getopts.
func (s *Socket) getterLocked(q OptionQuery) (getter, error) {
	g, ok := getters[q.Name]
	if !ok {
		return nil, fmt.Errorf("%w: unknown option %q", ErrInvalidOption, q.Name)
	}
	if q.Name == "sctp_status" && q.AssocID == 0 && s.typ == SeqPacket && !s.peeled {
		return nil, errStatusAssoc
	}
	return g, nil
}

// getter reads one option, with the stack's lock held.
type getter func(s *Socket, q OptionQuery) (any, error)

// errWriteOnly: sctp_set_peer_primary_addr cannot be read.
var errWriteOnly = errors.New("write-only option")

// getters maps option names to their getters. It is never changed.
var getters = map[string]getter{
	"mode":             func(s *Socket, _ OptionQuery) (any, error) { return s.st.mode, nil },
	"active":           func(s *Socket, _ OptionQuery) (any, error) { return s.st.active.value(), nil },
	"buffer":           func(s *Socket, _ OptionQuery) (any, error) { return s.st.buffer, nil },
	"sndbuf":           func(s *Socket, _ OptionQuery) (any, error) { return s.socketCfgLocked().SendBuffer, nil },
	"recbuf":           func(s *Socket, _ OptionQuery) (any, error) { return s.socketCfgLocked().ReceiveBuffer, nil },
	"recbuf_max":       getRecbufMax,
	"lone_sack_delay":  getLoneSackDelay,
	"sndbuf_max":       getSndbufMax,
	"reuseaddr":        func(s *Socket, _ OptionQuery) (any, error) { return s.st.reuseAddr, nil },
	"reuseport":        func(s *Socket, _ OptionQuery) (any, error) { return s.st.reusePort, nil },
	"reuseport_lb":     func(s *Socket, _ OptionQuery) (any, error) { return s.st.reusePortLB, nil },
	"exclusiveaddruse": func(s *Socket, _ OptionQuery) (any, error) { return s.st.exclusiveAddr, nil },
	"debug":            func(s *Socket, _ OptionQuery) (any, error) { return s.st.debug, nil },
	"bind_to_device":   ipGetter(func(o udpencap.IPOptions) any { return o.BindToDevice }),
	"dontroute":        ipGetter(func(o udpencap.IPOptions) any { return o.DontRoute }),
	"priority":         ipGetter(func(o udpencap.IPOptions) any { return o.Priority }),
	"tos":              ipGetter(func(o udpencap.IPOptions) any { return o.TOS }),
	"tclass":           ipGetter(func(o udpencap.IPOptions) any { return o.TrafficClass }),
	"ttl":              ipGetter(func(o udpencap.IPOptions) any { return o.TTL }),
	"recvtos":          func(s *Socket, _ OptionQuery) (any, error) { return s.st.recvTOS, nil },
	"recvtclass":       func(s *Socket, _ OptionQuery) (any, error) { return s.st.recvTClass, nil },
	"recvttl":          func(s *Socket, _ OptionQuery) (any, error) { return s.st.recvTTL, nil },
	"linger": func(s *Socket, _ OptionQuery) (any, error) {
		return LingerValue{On: s.st.linger.on, Seconds: s.st.linger.seconds}, nil
	},
	"ipv6_v6only":                func(s *Socket, _ OptionQuery) (any, error) { return s.st.v6only, nil },
	"high_msgq_watermark":        func(s *Socket, _ OptionQuery) (any, error) { return s.st.highMsgq, nil },
	"low_msgq_watermark":         func(s *Socket, _ OptionQuery) (any, error) { return s.st.lowMsgq, nil },
	"non_block_send":             func(s *Socket, _ OptionQuery) (any, error) { return s.st.nonBlockSend, nil },
	"max_message_size":           func(s *Socket, _ OptionQuery) (any, error) { return s.st.maxMessage, nil },
	"backlog":                    getBacklog,
	"max_associations":           func(s *Socket, _ OptionQuery) (any, error) { return s.st.maxAssocs, nil },
	"init_rate":                  func(s *Socket, _ OptionQuery) (any, error) { return s.st.initRate, nil },
	"sctp_rtoinfo":               getRtoInfo,
	"sctp_associnfo":             getAssocInfo,
	"sctp_initmsg":               getInitMsg,
	"sctp_autoclose":             func(s *Socket, _ OptionQuery) (any, error) { return int(s.socketCfgLocked().Autoclose.Seconds()), nil },
	"sctp_accept_zero_checksum":  getAcceptZeroChecksum,
	"sctp_nodelay":               func(s *Socket, _ OptionQuery) (any, error) { return s.socketCfgLocked().NoDelay, nil },
	"sctp_disable_fragments":     func(s *Socket, _ OptionQuery) (any, error) { return s.socketCfgLocked().DisableFragments, nil },
	"sctp_i_want_mapped_v4_addr": func(s *Socket, _ OptionQuery) (any, error) { return s.st.mappedV4, nil },
	"sctp_maxseg":                func(s *Socket, _ OptionQuery) (any, error) { return s.socketCfgLocked().MaxSeg, nil },
	"sctp_primary_addr":          getPrimaryAddr,
	"sctp_set_peer_primary_addr": func(*Socket, OptionQuery) (any, error) { return nil, errWriteOnly },
	"sctp_adaptation_layer":      getAdaptation,
	"sctp_peer_addr_params":      getPeerAddrParams,
	"sctp_default_send_param":    getDefaultSendParam,
	"sctp_events":                func(s *Socket, _ OptionQuery) (any, error) { return s.st.events.record(), nil },
	"sctp_delayed_ack_time":      getDelayedAckTime,
	"sctp_status":                getStatus,
	"sctp_get_peer_addr_info":    getPeerAddrInfo,
	"sctp_potentially_failed":    getPotentiallyFailed,
	"sctp_pr_supported":          func(s *Socket, _ OptionQuery) (any, error) { return !s.st.assoc.PartialReliabilityDisabled, nil },
	"sctp_default_prinfo":        func(s *Socket, _ OptionQuery) (any, error) { return s.st.defaultPr, nil },
	"sctp_ecn_supported":         func(s *Socket, _ OptionQuery) (any, error) { return s.st.assoc.ECN, nil },
	"sctp_enable_stream_reset":   getEnableStreamReset,

	// RFC 8260 Section 4.3 (options_sched.go).
	"sctp_stream_scheduler":       getStreamScheduler,
	"sctp_stream_scheduler_value": getStreamSchedulerValue,
	// I-DATA (idata.go).
	"sctp_interleaving_supported": getInterleavingSupported,
	"sctp_fragment_interleave":    getFragmentInterleave,
	// AUTH (auth.go).
	"sctp_auth_supported":    getAuthSupported,
	"sctp_peer_auth_chunks":  getPeerAuthChunks,
	"sctp_local_auth_chunks": getLocalAuthChunks,
	"sctp_auth_active_key":   getAuthActiveKey,
	// ASCONF (bindx.go).
	"sctp_asconf_supported": getAsconfSupported,
	"sctp_asconf_noauth":    getAsconfNoAuth,
	"sctp_asconf_wildcard":  getAsconfWildcard,
}
