package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
)

// cpuProfile is the -cpuprofile flag: a file for a CPU profile of the
// whole command (go tool pprof reads it).
type cpuProfile struct{ path string }

func (p *cpuProfile) register(fs *flag.FlagSet) {
	fs.StringVar(&p.path, "cpuprofile", "", "write a CPU profile of the command to `file` (go tool pprof)")
}

// start starts the profile when asked; stop writes it.
func (p *cpuProfile) start() (stop func() error, err error) {
	if p.path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(p.path)
	if err != nil {
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}
