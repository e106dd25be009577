package endpoint_test

import (
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"unsafe"

	"github.com/gensctp/gensctp/association"
)

func TestDbgProfile(t *testing.T) {
	runtime.MemProfileRate = 512
	n := 10000
	c := newCrowd(t, n, nil)
	for k := 0; k < n; k += 512 {
		c.connect(t, k, min(k+512, n))
	}
	runtime.GC()
	f, _ := os.Create("/tmp/heap.prof")
	pprof.Lookup("heap").WriteTo(f, 0)
	f.Close()
	t.Log(unsafe.Sizeof(association.Association{}))
	runtime.KeepAlive(c)
}
