package congestion

// DefaultMaxBurst is Max.Burst, the limit on packets of new DATA sent at
// once (RFC 9260 Section 16: "Max.Burst: 4").
const DefaultMaxBurst = 4

// BurstLimit returns how many bytes of new DATA a destination may still take
// at this transmission opportunity, given its cwnd, its flightSize (bytes
// outstanding when the opportunity starts), its mtu (PMDCS) and the
// association's Max.Burst: the room left below the temporarily limited
// cwnd. Zero means send no new DATA.
//
// It combines two rules of RFC 9260 Section 6.1. Rule D, applied by
// adjusting cwnd temporarily: "When the time comes for the sender to
// transmit new DATA chunks, the protocol parameter 'Max.Burst' SHOULD be
// used to limit the number of packets sent. The limit MAY be applied by
// adjusting cwnd temporarily, as follows: if ((flightsize + Max.Burst *
// PMDCS) < cwnd) cwnd = flightsize + Max.Burst * PMDCS". Then rule B: "the
// sender MUST NOT transmit new data to a given transport address if it has
// cwnd + (PMDCS - 1) or more bytes of data outstanding to that transport
// address. If data is available, the sender SHOULD exceed cwnd by up to
// (PMDCS - 1) bytes on a new data transmission if the flightsize does not
// currently reach cwnd. The breach of cwnd MUST constitute one packet only."
//
// Call it once per transmission opportunity (rule D counts from the flight
// size at its start), then start packets while the room is positive,
// subtracting the DATA bytes of each packet sent: a packet (at most PMDCS
// bytes of DATA) may be started with only one byte of room, so the last
// packet alone exceeds cwnd, by at most PMDCS - 1 bytes, as rule B asks.
//
// maxBurst <= 0 disables rule D. cwnd itself is never changed ("cwnd SHOULD
// NOT be changed permanently"). Retransmissions (rule C) and the single
// packet allowed after a T3-rtx expiry (RFC 9260 Section 7.2.3) are the
// caller's to schedule. Non-positive mtu is treated as 1; sizes saturate at
// 0 and MaxWindow.
func BurstLimit(cwnd, flightSize, mtu, maxBurst int) int {
	cwnd, flightSize, mtu = clampWindow(cwnd), clampWindow(flightSize), clampMTU(mtu)
	if maxBurst > 0 {
		if burst := satAdd(flightSize, satMul(maxBurst, mtu)); burst < cwnd {
			cwnd = burst
		}
	}
	return max(cwnd-flightSize, 0)
}

// satAdd returns a+b for a and b in [0, MaxWindow], saturating at MaxWindow.
func satAdd(a, b int) int {
	if a > maxWindow-b {
		return maxWindow
	}
	return a + b
}

// satMul returns a*b for a >= 0 and b in [1, MaxWindow], saturating at
// MaxWindow.
func satMul(a, b int) int {
	if a > maxWindow/b {
		return maxWindow
	}
	return a * b
}
