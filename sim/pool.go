package sim

// bufCap is the capacity of a fresh buffer: room for a full Ethernet-sized
// datagram, so that most buffers are reusable for any packet.
const bufCap = 2048

// maxFree bounds the free list, so that a burst does not pin memory
// forever.
const maxFree = 4096

// copyBuf returns a copy of b in a buffer from the free list.
func (n *Network) copyBuf(b []byte) []byte {
	if k := len(n.free); k > 0 {
		buf := n.free[k-1]
		if cap(buf) >= len(b) {
			n.free[k-1] = nil
			n.free = n.free[:k-1]
			return append(buf[:0], b...)
		}
	}
	buf := make([]byte, len(b), max(len(b), bufCap))
	copy(buf, b)
	return buf
}

// recycle returns buf to the free list.
func (n *Network) recycle(buf []byte) {
	if cap(buf) == 0 || len(n.free) >= maxFree {
		return
	}
	n.free = append(n.free, buf[:0])
}

// Recycle hands the buffer of d, a Datagram returned by Receive, back to
// the network for reuse, and clears d.Data. The caller must not use the
// old d.Data afterwards, nor recycle the same buffer twice.
func (n *Network) Recycle(d *Datagram) {
	n.recycle(d.Data)
	d.Data = nil
}
