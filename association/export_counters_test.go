package association

// CountChunks counts the chunks of pkt into c (for benchmarks).
func CountChunks(c *ChunkCounts, pkt []byte) { c.count(pkt) }
