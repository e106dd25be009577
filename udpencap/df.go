package udpencap

// SetDontFragment sets the Don't Fragment bit on the packets of every
// socket (on) or gives the choice back to the operating system (off), so
// that the SCTP stack's path MTU probes (RFC 8899, over UDP: RFC 6951
// Section 5.6) are real: a probe larger than the path is dropped on the
// way instead of fragmented and delivered. Per platform:
//
//   - Linux: IP_MTU_DISCOVER = IP_PMTUDISC_PROBE (and IPV6_MTU_DISCOVER =
//     IPV6_PMTUDISC_PROBE): DF set, and the kernel's own path MTU (learned
//     from ICMP, which RFC 6951 Section 5.5 says not to rely on) ignored,
//     so a packet up to the interface MTU leaves as it is. Off restores
//     IP_PMTUDISC_WANT, Linux's default.
//   - macOS: IP_DONTFRAG and IPV6_DONTFRAG.
//   - Windows: IP_MTU_DISCOVER = IP_PMTUDISC_PROBE (and IPV6_MTU_DISCOVER;
//     Windows 10 1703 and later), else IP_DONTFRAGMENT and IPV6_DONTFRAG.
//   - Elsewhere ([DontFragmentSupported] false), and on sockets that are
//     not the standard library's (a virtual network), it is only
//     remembered (IPOptions.DontFragment): the IP layer may fragment
//     packets larger than a link, so path MTU discovery may settle on a
//     size that passes only fragmented. That is the documented fallback:
//     set a fixed MTU (no pmtud_enable) there when fragmentation matters.
//
// On failure the sockets keep their previous setting.
func (c *Conn) SetDontFragment(on bool) error {
	return c.setIP(func(o *IPOptions) { o.DontFragment = on }, func(s *socket, o IPOptions) error {
		return setDontFragment(s.std, s.is4, o.DontFragment)
	})
}
