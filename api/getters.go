package api

import (
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
)

// This file holds the getters of the options whose value is computed or
// names an association (see GetOpts).

// socketCfgLocked returns the configuration socket-wide options read: the
// association of a one-to-one socket that has one, else the template of
// new associations, defaults applied.
func (s *Socket) socketCfgLocked() association.Config {
	if _, a, err := s.targetLocked(0); err == nil && a != nil {
		return a.Config()
	}
	return s.st.assoc.WithDefaults()
}

// targetCfgLocked returns the configuration of the association named by
// id (see optCtx.target), or the template, defaults applied, and the id
// to report.
func (s *Socket) targetCfgLocked(id AssocID) (AssocID, *association.Association, association.Config, error) {
	id, a, err := s.targetLocked(id)
	switch {
	case err != nil:
		return id, nil, association.Config{}, err
	case a != nil:
		return id, a, a.Config(), nil
	}
	return 0, nil, s.st.assoc.WithDefaults(), nil
}

func getBacklog(s *Socket, _ OptionQuery) (any, error) {
	if s.st.backlog == 0 {
		return endpoint.DefaultBacklog, nil
	}
	return s.st.backlog, nil
}

func getRtoInfo(s *Socket, q OptionQuery) (any, error) {
	id, _, cfg, err := s.targetCfgLocked(q.AssocID)
	if err != nil {
		return nil, err
	}
	return RtoInfo{AssocID: id, Initial: toMS(cfg.RTO.Initial), Max: toMS(cfg.RTO.Max), Min: toMS(cfg.RTO.Min)}, nil
}

// getAssocInfo reads sctp_associnfo: for the endpoint the counts and
// windows are 0 (RFC 6458 Section 8.1.2: sasoc_peer_rwnd "is meaningless
// when examining endpoint information").
func getAssocInfo(s *Socket, q OptionQuery) (any, error) {
	id, a, cfg, err := s.targetCfgLocked(q.AssocID)
	if err != nil {
		return nil, err
	}
	p := AssocParams{AssocID: id, AssocMaxRxt: clamp16(cfg.MaxRetrans), CookieLife: toMS(cfg.CookieLife)}
	if a != nil {
		st := a.Status()
		p.NumberPeerDestinations = clamp16(len(a.Paths()))
		p.PeerRwnd = clamp32(st.Rwnd)
		p.LocalRwnd = clamp32(st.ReceiveBuffer - st.PendData)
	}
	return p, nil
}

// getInitMsg reads sctp_initmsg, the endpoint's (it concerns associations
// set up later), defaults filled in: max_init_timeo 0 means RTO.Max.
func getInitMsg(s *Socket, _ OptionQuery) (any, error) {
	t := s.st.assoc.WithDefaults()
	if t.MaxInitTimeout == 0 {
		t.MaxInitTimeout = t.RTO.Max
	}
	return initMsgOf(t), nil
}

func getPrimaryAddr(s *Socket, q OptionQuery) (any, error) {
	id, a, err := s.targetLocked(q.AssocID)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, ErrNoAssociation
	}
	p := a.Status().Primary
	return Prim{AssocID: id, Addr: s.st.show(netip.AddrPortFrom(p.Addr.Addr(), a.Config().PeerPort))}, nil
}

func getAdaptation(s *Socket, _ OptionQuery) (any, error) {
	var v SetAdaptation
	if s.st.assoc.HasAdaptation {
		v.AdaptationInd = s.st.assoc.Adaptation
	}
	return v, nil
}

// getPeerAddrParams reads sctp_peer_addr_params: of one peer address, of
// an association, or of the endpoint (see SCTPPeerAddrParams).
func getPeerAddrParams(s *Socket, q OptionQuery) (any, error) {
	hasAddr := q.Addr.Addr().IsValid() && !q.Addr.Addr().Unmap().IsUnspecified()
	id, a, err := s.paddrTargetLocked(q.AssocID, q.Addr, hasAddr)
	if err != nil {
		return nil, err
	}
	if !hasAddr {
		_, _, cfg, err := s.targetCfgLocked(id)
		if err != nil {
			return nil, err
		}
		return paddrParamsOf(id, netip.AddrPort{}, cfg.HeartbeatInterval, cfg.PathMaxRetrans, cfg.MTU, cfg.PMTUD.Enabled,
			!cfg.HeartbeatDisabled, cfg), nil
	}
	if a == nil {
		return nil, ErrNoAssociation
	}
	addr, err := peerPath(a, q.Addr)
	if err != nil {
		return nil, err
	}
	pp, err := a.GetPathParams(addr)
	if err != nil {
		return nil, err
	}
	ap := s.st.show(netip.AddrPortFrom(addr, a.Config().PeerPort))
	return paddrParamsOf(id, ap, pp.HeartbeatInterval, pp.PathMaxRetrans, pp.PathMTU, pp.Flags&PMTUDEnable != 0,
		pp.Flags&HBEnable != 0, a.Config()), nil
}

// paddrParamsOf builds a PaddrParams record; the SACK settings come from
// the association (or template) configuration cfg.
func paddrParamsOf(id AssocID, ap netip.AddrPort, hb time.Duration, pmr, mtu int, pmtud, hbOn bool, cfg association.Config) PaddrParams {
	p := PaddrParams{AssocID: id, Address: ap, HbInterval: toMS(hb), PathMaxRxt: clamp16(pmr),
		PathMtu: clamp32(mtu), SackDelay: toMS(cfg.SACKDelay), Flags: PMTUDDisable}
	if pmtud {
		p.Flags = PMTUDEnable
	}
	if hbOn {
		p.Flags |= HBEnable
	} else {
		p.Flags |= HBDisable
	}
	if cfg.SACKDelayDisabled {
		p.Flags |= SACKDelayDisable
	} else {
		p.Flags |= SACKDelayEnable
	}
	return p
}

func getDefaultSendParam(s *Socket, q OptionQuery) (any, error) {
	id, _, err := s.targetLocked(q.AssocID)
	if err != nil {
		return nil, err
	}
	v := s.st.sendParams(id)
	v.AssocID = id
	return v, nil
}

// getDelayedAckTime reads sctp_delayed_ack_time: 0 when delayed SACKs
// are off.
func getDelayedAckTime(s *Socket, q OptionQuery) (any, error) {
	id, _, cfg, err := s.targetCfgLocked(q.AssocID)
	if err != nil {
		return nil, err
	}
	v := AssocValue{AssocID: id}
	if !cfg.SACKDelayDisabled {
		v.AssocValue = toMS(cfg.SACKDelay)
	}
	return v, nil
}

func getStatus(s *Socket, q OptionQuery) (any, error) {
	id, a, err := s.targetLocked(q.AssocID)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, errStatusAssoc
	}
	return statusRecord(id, a.Status(), a.Config().PeerPort, &s.st), nil
}

func getPeerAddrInfo(s *Socket, q OptionQuery) (any, error) {
	if !q.Addr.Addr().IsValid() || q.Addr.Addr().Unmap().IsUnspecified() {
		return nil, errNotPeerAddr
	}
	id, a, err := s.paddrTargetLocked(q.AssocID, q.Addr, true)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, ErrNoAssociation
	}
	addr, err := peerPath(a, q.Addr)
	if err != nil {
		return nil, err
	}
	for _, p := range a.Paths() {
		if p.Addr.Addr().Unmap() == addr {
			return paddrInfoRecord(id, p, a.Config().PeerPort, &s.st), nil
		}
	}
	return nil, errNotPeerAddr
}

// record returns the sctp_events value of the subscription
// (authentication_event always reads false, the gen_sctp documentation).
func (m *eventMask) record() EventSubscribe {
	b := func(v bool) OptBool {
		if v {
			return True
		}
		return False
	}
	return EventSubscribe{
		DataIoEvent: b(m.dataIO), AssociationEvent: b(m.association), AddressEvent: b(m.address),
		SendFailureEvent: b(m.sendFailure), PeerErrorEvent: b(m.peerError), ShutdownEvent: b(m.shutdown),
		PartialDeliveryEvent: b(m.partialDelivery), AdaptationLayerEvent: b(m.adaptation),
		AuthenticationEvent: b(m.authentication), StreamResetEvent: b(m.streamReset),
		AssocResetEvent: b(m.assocReset), StreamChangeEvent: b(m.streamChange),
	}
}
