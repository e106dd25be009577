package endpoint

// TableSizes are the numbers of entries in the tables and queues of an
// Endpoint, for tests.
type TableSizes struct {
	IDs, ByTag, ByPeer, Reserved int
	Deadlines, SendQ, PollQ      int
}

// Tables returns the sizes of e's tables and queues.
func (e *Endpoint) Tables() TableSizes {
	return TableSizes{IDs: len(e.ids), ByTag: len(e.byTag), ByPeer: len(e.byPeer), Reserved: len(e.reserved),
		Deadlines: e.deadlines.len(), SendQ: e.sendQ.len(), PollQ: e.pollQ.len()}
}

// Visits returns the number of times m visited one of its endpoints
// (to re-read it, to ask it for a packet, to run its timers): what a
// call of the Mux costs, for tests.
func (m *Mux) Visits() uint64 { return m.visits }
