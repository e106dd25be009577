package chunk

import (
	"io"
	"testing"
)

func TestAdaptationLayerIndicationWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *AdaptationLayerIndication
	}{
		{
			name: "code point",
			// Type 0xc006, Length 8; adaptation code point 0x01020304.
			golden: "c006 0008 | 01020304",
			want:   &AdaptationLayerIndication{Indication: 0x01020304},
		},
		{
			name:   "zero",
			golden: "c006 0008 | 00000000",
			want:   &AdaptationLayerIndication{},
		},
		{
			name:   "max",
			golden: "c006 0008 | ffffffff",
			want:   &AdaptationLayerIndication{Indication: 0xffffffff},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[AdaptationLayerIndication])
		})
	}
}

func TestAdaptationLayerIndicationBadInput(t *testing.T) {
	// RFC 5061 Section 4.2.6 gives the Length as 8.
	checkParamsBadInput[AdaptationLayerIndication](t, ParamAdaptationLayerIndication, []paramsBadCase{
		{"length 4", "c006 0004", ErrLength, CauseProtocolViolation, 2},
		{"length 12", "c006 000c | 00000001 00000000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "c005 0008 | 00000001", ErrType, 0, 0},
		{"length past buffer", "c006 0008 | 000000", io.ErrUnexpectedEOF, CauseProtocolViolation, 7},
	})
}
