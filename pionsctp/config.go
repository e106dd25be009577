package sctp

import (
	"fmt"
	"net"

	"github.com/pion/logging"
)

// Defaults of Config, pion/sctp's.
const (
	// DefaultMaxReceiveBufferSize is the default MaxReceiveBufferSize
	// (1 MiB).
	DefaultMaxReceiveBufferSize = 1024 * 1024
	// DefaultMaxMessageSize is the default MaxMessageSize (64 KiB).
	DefaultMaxMessageSize = 65536
)

// Config is the configuration of an association, pion/sctp's, for Client
// and Server (or given to ClientWithOptions and ServerWithOptions as an
// option: its non-zero fields then apply).
type Config struct {
	// LoggerFactory makes the loggers (scope "sctp" here, and gensctp's
	// own scopes, see api.LoggerFactory); nil: pion's default factory.
	LoggerFactory logging.LoggerFactory
	// Name names the association in logs.
	Name string
	// NetConn carries one SCTP packet per Read and per Write (a DTLS
	// connection): required. Its writes must not wait for the peer to
	// read (net.Pipe does not fit). Close and Abort close it.
	NetConn net.Conn
	// BlockWrite makes Stream.Write wait until the association's send
	// buffer took the message (or the write deadline passes) instead of
	// queueing it and returning at once.
	BlockWrite bool
	// EnableZeroChecksum offers RFC 9653 zero checksum for SCTP over
	// DTLS (api.SCTPAcceptZeroChecksum): packets go out without a CRC32c
	// once both ends offered it.
	EnableZeroChecksum bool
	// MTU is the largest SCTP packet sent (pion/sctp's default 1228 when
	// 0; gensctp's default for the transport then applies).
	MTU uint32
	// MaxReceiveBufferSize bounds the bytes received and not yet read,
	// all streams together (default DefaultMaxReceiveBufferSize): the
	// receive window advertised to the peer.
	MaxReceiveBufferSize uint32
	// MaxMessageSize is the largest message a write accepts (default
	// DefaultMaxMessageSize); see Association.SetMaxMessageSize.
	MaxMessageSize uint32
	// RTOMax is the largest retransmission timeout in milliseconds (0:
	// gensctp's default, 60 s).
	RTOMax float64
	// MinCwnd, FastRtxWnd and CwndCAStep are pion/sctp's congestion
	// control tunings: accepted and ignored (gensctp follows RFC 9260
	// Section 7.2).
	MinCwnd, FastRtxWnd, CwndCAStep uint32

	snap bool
}

// ServerOption configures Server and ServerWithOptions.
type ServerOption interface {
	applyServer(*Config) error
}

// ClientOption configures ClientWithOptions, ClientContext and
// GenerateOutOfBandToken.
type ClientOption interface {
	applyClient(*Config) error
}

// AssociationOption configures both ends.
type AssociationOption interface {
	ServerOption
	ClientOption
}

// option is an AssociationOption.
type option func(*Config) error

func (o option) applyServer(c *Config) error { return o(c) }
func (o option) applyClient(c *Config) error { return o(c) }

func (c Config) applyServer(to *Config) error { return c.mergeInto(to) }
func (c Config) applyClient(to *Config) error { return c.mergeInto(to) }

// mergeInto sets the fields of to that c sets.
func (c Config) mergeInto(to *Config) error {
	if c.LoggerFactory != nil {
		to.LoggerFactory = c.LoggerFactory
	}
	if c.Name != "" {
		to.Name = c.Name
	}
	if c.NetConn != nil {
		to.NetConn = c.NetConn
	}
	to.BlockWrite = to.BlockWrite || c.BlockWrite
	to.EnableZeroChecksum = to.EnableZeroChecksum || c.EnableZeroChecksum
	set := func(dst *uint32, v uint32) {
		if v != 0 {
			*dst = v
		}
	}
	set(&to.MTU, c.MTU)
	set(&to.MaxReceiveBufferSize, c.MaxReceiveBufferSize)
	set(&to.MaxMessageSize, c.MaxMessageSize)
	set(&to.MinCwnd, c.MinCwnd)
	set(&to.FastRtxWnd, c.FastRtxWnd)
	set(&to.CwndCAStep, c.CwndCAStep)
	if c.RTOMax != 0 {
		to.RTOMax = c.RTOMax
	}
	return nil
}

// invalid is the error of an option with a refused value.
func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOption}, a...)...)
}

// WithLoggerFactory sets Config.LoggerFactory (not nil).
func WithLoggerFactory(f logging.LoggerFactory) AssociationOption {
	return option(func(c *Config) error {
		if f == nil {
			return invalid("nil logger factory")
		}
		c.LoggerFactory = f
		return nil
	})
}

// WithName sets Config.Name.
func WithName(name string) AssociationOption {
	return option(func(c *Config) error { c.Name = name; return nil })
}

// WithNetConn sets Config.NetConn (not nil).
func WithNetConn(conn net.Conn) AssociationOption {
	return option(func(c *Config) error {
		if conn == nil {
			return invalid("nil net.Conn")
		}
		c.NetConn = conn
		return nil
	})
}

// WithBlockWrite sets Config.BlockWrite.
func WithBlockWrite(b bool) AssociationOption {
	return option(func(c *Config) error { c.BlockWrite = b; return nil })
}

// WithEnableZeroChecksum sets Config.EnableZeroChecksum.
func WithEnableZeroChecksum(b bool) AssociationOption {
	return option(func(c *Config) error { c.EnableZeroChecksum = b; return nil })
}

// WithEnableInterleaving asks for I-DATA (RFC 8260): accepted; gensctp
// does not offer it yet, so the association uses DATA.
func WithEnableInterleaving(bool) AssociationOption {
	return option(func(*Config) error { return nil })
}

// WithMTU sets Config.MTU (at least 60: room for a DATA chunk).
func WithMTU(size uint32) AssociationOption {
	return option(func(c *Config) error {
		if size < minMTU {
			return invalid("MTU %d", size)
		}
		c.MTU = size
		return nil
	})
}

// minMTU is the smallest MTU with room for an SCTP common header, a DATA
// chunk header and some payload (pion/sctp refuses the MTUs that leave
// no payload).
const minMTU = 60

// WithMaxReceiveBufferSize sets Config.MaxReceiveBufferSize (not 0).
func WithMaxReceiveBufferSize(size uint32) AssociationOption {
	return option(func(c *Config) error {
		if size == 0 {
			return invalid("zero max receive buffer size")
		}
		c.MaxReceiveBufferSize = size
		return nil
	})
}

// WithMaxMessageSize sets Config.MaxMessageSize (not 0).
func WithMaxMessageSize(size uint32) AssociationOption {
	return option(func(c *Config) error {
		if size == 0 {
			return invalid("zero max message size")
		}
		c.MaxMessageSize = size
		return nil
	})
}

// WithMaxReassemblyQueueEntries bounds pion/sctp's reassembly queue:
// accepted and ignored (gensctp's reassembly is bounded by the receive
// buffer).
func WithMaxReassemblyQueueEntries(uint32) AssociationOption {
	return option(func(*Config) error { return nil })
}

// WithRTOMax sets Config.RTOMax in milliseconds (positive).
func WithRTOMax(rtoMax float64) AssociationOption {
	return option(func(c *Config) error {
		if rtoMax <= 0 {
			return invalid("RTO max %v", rtoMax)
		}
		c.RTOMax = rtoMax
		return nil
	})
}

// WithMinCwnd sets Config.MinCwnd (ignored, see Config).
func WithMinCwnd(v uint32) AssociationOption {
	return option(func(c *Config) error { c.MinCwnd = v; return nil })
}

// WithFastRtxWnd sets Config.FastRtxWnd (ignored, see Config).
func WithFastRtxWnd(v uint32) AssociationOption {
	return option(func(c *Config) error { c.FastRtxWnd = v; return nil })
}

// WithCwndCAStep sets Config.CwndCAStep (ignored, see Config).
func WithCwndCAStep(v uint32) AssociationOption {
	return option(func(c *Config) error { c.CwndCAStep = v; return nil })
}

// WithSNAP would set up the association from the INIT chunks exchanged
// out of band (SNAP, sctp-init in SDP): not supported, the association
// then fails with ErrSNAPNotSupported. Tokens both empty are ignored.
func WithSNAP(localInit, remoteInit []byte) AssociationOption {
	return option(func(c *Config) error {
		c.snap = len(localInit) != 0 && len(remoteInit) != 0
		return nil
	})
}

// GenerateOutOfBandToken would make the INIT chunk of SNAP: it fails with
// ErrSNAPNotSupported (pion/webrtc then leaves sctp-init out of its SDP
// and the association is set up in band).
func GenerateOutOfBandToken(...ClientOption) ([]byte, error) {
	return nil, ErrSNAPNotSupported
}

// PartialReliabilityMode is the partial reliability negotiated.
type PartialReliabilityMode int

// The modes of PartialReliabilityMode.
const (
	// PartialReliabilityModeNone: no partial reliability.
	PartialReliabilityModeNone PartialReliabilityMode = iota
	// PartialReliabilityModeForwardTSN: FORWARD TSN (RFC 3758).
	PartialReliabilityModeForwardTSN
	// PartialReliabilityModeIForwardTSN: I-FORWARD-TSN (RFC 8260).
	PartialReliabilityModeIForwardTSN
)

// AssociationMetadata describes what the association negotiated.
type AssociationMetadata struct {
	// MessageInterleavingEnabled: RFC 8260 I-DATA (never, in gensctp yet).
	MessageInterleavingEnabled bool `json:"messageInterleavingEnabled"`
	// PartialReliabilityMode is the FORWARD TSN variant in use.
	PartialReliabilityMode PartialReliabilityMode `json:"partialReliabilityMode"`
	// ZeroChecksumSendingEnabled and ZeroChecksumReceivingEnabled: RFC
	// 9653 in use in either direction.
	ZeroChecksumSendingEnabled   bool `json:"zeroChecksumSendingEnabled"`
	ZeroChecksumReceivingEnabled bool `json:"zeroChecksumReceivingEnabled"`
}

// withDefaults returns c with pion/sctp's defaults in its zero fields.
func (c Config) withDefaults() Config {
	if c.MaxReceiveBufferSize == 0 {
		c.MaxReceiveBufferSize = DefaultMaxReceiveBufferSize
	}
	if c.MaxMessageSize == 0 {
		c.MaxMessageSize = DefaultMaxMessageSize
	}
	if c.LoggerFactory == nil {
		c.LoggerFactory = logging.NewDefaultLoggerFactory()
	}
	return c
}
