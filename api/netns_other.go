//go:build !linux

package api

import (
	"fmt"

	"github.com/gensctp/gensctp/internal/stack"
)

// inNetns runs open; a namespace path is refused (Netns refuses it
// first: there are no network namespaces outside Linux).
func inNetns(path string, open func() (*stack.Stack, error)) (*stack.Stack, error) {
	if path != "" {
		return nil, fmt.Errorf("%w: network namespaces are Linux's", ErrNotSupported)
	}
	return open()
}
