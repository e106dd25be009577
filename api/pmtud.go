package api

import (
	"net"
	"net/netip"

	"github.com/gensctp/gensctp/association"
)

// PmtudState is the state of a path's MTU discovery (PaddrInfo.Pmtud).
// Its String method returns disabled, base, searching, search_complete or
// error.
type PmtudState = association.PLPMTUDState

// applyPMTUD applies the PMTU discovery flags of p to the association-wide
// configuration cfg: pmtud_enable turns it on for every path, with
// MAX_PLPMTU from the interface toward each peer, or PathMtu when given;
// pmtud_disable turns it off.
func applyPMTUD(cfg *association.Config, p PaddrParams) {
	switch {
	case p.Flags&PMTUDEnable != 0:
		cfg.PMTUD.Enabled = true
		cfg.PMTUD.InterfaceMTU = interfaceMTU
		if p.PathMtu != 0 {
			cfg.PMTUD.InterfaceMTU = nil // PathMtu (cfg.MTU) is the limit
		}
	case p.Flags&PMTUDDisable != 0:
		cfg.PMTUD.Enabled = false
	}
}

// inNamespace returns cfg with its interface MTUs read in the socket's
// network namespace (Netns) when it has one: the host's interfaces are
// not the namespace's. They are read now, once.
func (st *settings) inNamespace(cfg association.Config) association.Config {
	if cfg.PMTUD.InterfaceMTU == nil || st.netns == "" {
		return cfg
	}
	ifs, err := inNetns(st.netns, func() ([]ifaceInfo, error) { return upInterfaces(), nil })
	if err != nil {
		return cfg // the namespace is gone: the configured MTU
	}
	cfg.PMTUD.InterfaceMTU = func(peer netip.Addr) int { return mtuToward(ifs, peer) }
	return cfg
}

// ifaceInfo is what interfaceMTU needs of a network interface.
type ifaceInfo struct {
	mtu  int
	loop bool
	nets []*net.IPNet
}

// upInterfaces returns the interfaces that are up.
func upInterfaces() []ifaceInfo {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []ifaceInfo
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 {
			continue
		}
		i := ifaceInfo{mtu: ifc.MTU, loop: ifc.Flags&net.FlagLoopback != 0}
		if addrs, err := ifc.Addrs(); err == nil {
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok {
					i.nets = append(i.nets, n)
				}
			}
		}
		out = append(out, i)
	}
	return out
}

// interfaceMTU returns the MTU of the local interface toward peer (see
// mtuToward), reading the interfaces of the process's namespace.
func interfaceMTU(peer netip.Addr) int { return mtuToward(upInterfaces(), peer) }

// mtuToward returns the MTU of the interface of ifs toward peer: the
// loopback interface's for a loopback peer, that of the interface whose
// subnet holds peer, else the largest of the interfaces that are not
// loopback (the outgoing one is not known without a routing lookup: the
// search finds the path's size below it). 0 when none is known.
func mtuToward(ifs []ifaceInfo, peer netip.Addr) int {
	largest := 0
	for _, ifc := range ifs {
		if ifc.loop != peer.IsLoopback() {
			continue
		}
		if ifc.loop {
			return ifc.mtu
		}
		for _, n := range ifc.nets {
			if n.Contains(peer.AsSlice()) {
				return ifc.mtu
			}
		}
		largest = max(largest, ifc.mtu)
	}
	return largest
}
