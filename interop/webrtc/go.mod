module github.com/gensctp/gensctp/interop/webrtc

go 1.26.0

require (
	github.com/gensctp/gensctp v0.0.0-00010101000000-000000000000
	github.com/pion/dtls/v3 v3.1.16
	github.com/pion/sctp v1.12.1
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/pion/logging v0.2.4 // indirect
	github.com/pion/randutil v0.1.0 // indirect
	github.com/pion/transport/v3 v3.1.1 // indirect
	github.com/pion/transport/v5 v5.1.4 // indirect
	github.com/wlynxg/anet v0.0.5 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)

replace github.com/gensctp/gensctp => ../..
