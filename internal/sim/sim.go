// Package sim is the former home of the simulated network, kept so that
// the module's tests written against it still compile: every name here is
// an alias of the public package github.com/gensctp/gensctp/sim, where the
// implementation and its documentation live. New code imports that
// package.
package sim

import "github.com/gensctp/gensctp/sim"

// Aliases of the types of package sim.
type (
	// Addr is sim.Addr.
	Addr = sim.Addr
	// Datagram is sim.Datagram.
	Datagram = sim.Datagram
	// Network is sim.Network.
	Network = sim.Network
	// LinkConfig is sim.LinkConfig.
	LinkConfig = sim.LinkConfig
	// ConfigError is sim.ConfigError.
	ConfigError = sim.ConfigError
	// Stats is sim.Stats.
	Stats = sim.Stats
	// Filter is sim.Filter.
	Filter = sim.Filter
	// Verdict is sim.Verdict.
	Verdict = sim.Verdict
	// DropReason is sim.DropReason.
	DropReason = sim.DropReason
	// EventKind is sim.EventKind.
	EventKind = sim.EventKind
	// Event is sim.Event.
	Event = sim.Event
)

// Constants of package sim.
const (
	MaxDatagram    = sim.MaxDatagram
	MaxQueueLimit  = sim.MaxQueueLimit
	Pass           = sim.Pass
	Drop           = sim.Drop
	DropLoss       = sim.DropLoss
	DropMTU        = sim.DropMTU
	DropQueue      = sim.DropQueue
	DropDown       = sim.DropDown
	DropFilter     = sim.DropFilter
	EventSent      = sim.EventSent
	EventDropped   = sim.EventDropped
	EventScheduled = sim.EventScheduled
	EventDelivered = sim.EventDelivered
)

// ErrInvalidConfig is sim.ErrInvalidConfig.
var ErrInvalidConfig = sim.ErrInvalidConfig

// Functions of package sim.
var (
	// New is sim.New.
	New = sim.New
	// Delay is sim.Delay.
	Delay = sim.Delay
	// FirstChunkType is sim.FirstChunkType.
	FirstChunkType = sim.FirstChunkType
	// DropFirstChunk is sim.DropFirstChunk.
	DropFirstChunk = sim.DropFirstChunk
)
