package udpencap

import "runtime"

// batchAvailable reports whether the batch path exists on this platform.
func batchAvailable() bool { return runtime.GOOS == "linux" }
