module github.com/gensctp/gensctp/pionsctp

go 1.26.0

require (
	github.com/gensctp/gensctp v0.0.0
	github.com/pion/logging v0.2.4
	github.com/pion/sctp v1.12.1
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/pion/randutil v0.1.0 // indirect
	github.com/pion/transport/v3 v3.1.1 // indirect
	github.com/pion/transport/v5 v5.1.4 // indirect
	github.com/wlynxg/anet v0.0.5 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)

// The package is developed with the gensctp next to it; a published
// version of this module requires a published gensctp instead.
replace github.com/gensctp/gensctp => ../
