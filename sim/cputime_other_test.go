//go:build !unix

package sim_test

import "time"

// cpuTime returns 0: the CPU time of the process is not read here.
func cpuTime() time.Duration { return 0 }
