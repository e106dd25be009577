package api

import (
	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/udpencap"
)

// recvIPWanted returns the IP header fields the options recvtos,
// recvtclass and recvttl of st ask the UDP sockets for. recvttl asks for
// the IPv6 hop limit too: it is reported as the TTL of IPv6 datagrams.
func (st *settings) recvIPWanted() udpencap.RecvIP {
	var want udpencap.RecvIP
	if st.recvTOS {
		want |= udpencap.RecvTOS
	}
	if st.recvTClass {
		want |= udpencap.RecvTClass
	}
	if st.recvTTL {
		want |= udpencap.RecvTTL | udpencap.RecvHopLimit
	}
	return want
}

// syncRecvIPLocked brings the socket's requests for IP header fields to
// the UDP sockets (shared with the other sockets of the UDP port, which
// count requests per field) in line with its options: none once it is
// closed. The operating system's refusal is not an error of the option,
// which then just yields no ancillary item, as gen_sctp skips options
// the platform lacks.
func (s *Socket) syncRecvIPLocked() {
	want := s.st.recvIPWanted()
	if s.st.assoc.ECN && ecnCapable(s.stk.Transport()) {
		want |= udpencap.RecvTOS | udpencap.RecvTClass // the ECN field of the packets received
	}
	if s.closed {
		want = 0
	}
	conn, ok := s.stk.Transport().(packetio.IPReporter)
	if !ok {
		return // nothing asked: checkTransportOpts refuses the options
	}
	if add := want &^ s.recvIP; add != 0 {
		_ = conn.AddRecvIP(add)
	}
	if drop := s.recvIP &^ want; drop != 0 {
		_ = conn.RemoveRecvIP(drop)
	}
	s.recvIP = want
}

// ancLocked fills the {tos, V}, {tclass, V} and {ttl, V} items of the
// message d with the IP header fields ip of the datagram that carried it,
// for the options that are on.
func (s *Socket) ancLocked(d *Delivery, ip association.IPInfo) {
	if s.st.recvTOS && ip.Has&association.IPTOS != 0 {
		d.TOS, d.HasTOS = ip.TOS, true
	}
	if s.st.recvTClass && ip.Has&association.IPTClass != 0 {
		d.TClass, d.HasTClass = ip.TClass, true
	}
	if s.st.recvTTL {
		switch {
		case ip.Has&association.IPTTL != 0:
			d.TTL, d.HasTTL = ip.TTL, true
		case ip.Has&association.IPHopLimit != 0:
			d.TTL, d.HasTTL = ip.HopLimit, true
		}
	}
}
