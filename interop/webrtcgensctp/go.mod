module github.com/gensctp/gensctp/interop/webrtcgensctp

go 1.26.0

// pion/webrtc's data channels run on gensctp's pion/sctp-compatible
// package (pionsctp/doc.go). pion.go.mod is this file without these
// replacements: go test -modfile=pion.go.mod runs the same tests and
// benchmarks on the real pion/sctp.
replace github.com/pion/sctp => ../../pionsctp

replace github.com/gensctp/gensctp => ../..

require (
	github.com/pion/ice/v4 v4.4.9
	github.com/pion/webrtc/v4 v4.2.27
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/gensctp/gensctp v0.0.0 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/pion/datachannel v1.6.4 // indirect
	github.com/pion/dtls/v3 v3.1.16 // indirect
	github.com/pion/interceptor v0.1.51 // indirect
	github.com/pion/logging v0.2.4 // indirect
	github.com/pion/mdns/v2 v2.2.2 // indirect
	github.com/pion/randutil v0.1.0 // indirect
	github.com/pion/rtcp v1.2.20 // indirect
	github.com/pion/rtp v1.10.6 // indirect
	github.com/pion/sctp v1.12.1 // indirect
	github.com/pion/sdp/v3 v3.0.20 // indirect
	github.com/pion/srtp/v3 v3.1.3 // indirect
	github.com/pion/stun/v4 v4.0.1 // indirect
	github.com/pion/transport/v3 v3.1.1 // indirect
	github.com/pion/transport/v5 v5.1.5 // indirect
	github.com/pion/turn/v5 v5.1.3 // indirect
	github.com/wlynxg/anet v0.0.5 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/time v0.14.0 // indirect
)
