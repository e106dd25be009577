// Package layers holds the test that keeps the package graph of
// ../shared/DESIGN.md ("Layers (imports point down only)") mechanical.
package layers

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/gensctp/gensctp"

// allowed lists, for each layered package, the project packages its
// non-test files may import. Packages not listed here (cmd/..., fuzz,
// bench, internal/...) may import anything. Subpackages (for example
// association/associationtest) follow their own entry if they have one,
// else they may import anything except api.
var allowed = map[string][]string{
	"chunk":       {},
	"packet":      {"chunk"},
	"timer":       {},
	"congestion":  {},
	"stream":      {"chunk"},
	"association": {"chunk", "packet", "stream", "timer", "congestion"},
	"endpoint":    {"association", "packet", "chunk", "stream", "timer", "congestion"},
	"packetio":    {},
	"udpencap":    {"packetio"},
	"api":         {"endpoint", "udpencap", "packetio", "association", "packet", "chunk", "stream", "timer", "congestion", "internal/stack"},
}

// thirdParty lists the modules a non-test file may import besides the
// standard library (the project's dependency policy).
var thirdParty = []string{
	"golang.org/x/net",
	"golang.org/x/sys",
	"github.com/pion/transport/v3",
	"github.com/pion/logging",
}

type pkg struct {
	ImportPath string
	Imports    []string
	Standard   bool
}

func TestLayers(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	seen := 0
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		seen++
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		top, _, _ := strings.Cut(rel, "/")
		rules, layered := allowed[rel]
		for _, imp := range p.Imports {
			if !strings.Contains(strings.Split(imp, "/")[0], ".") {
				continue // standard library
			}
			if !strings.HasPrefix(imp, module+"/") {
				if !isAllowedThirdParty(imp) && !strings.HasPrefix(rel, "cmd/") &&
					top != "fuzz" && top != "bench" && top != "internal" && top != "interop" && top != "examples" {
					t.Errorf("%s imports %s, which is not in the dependency policy", p.ImportPath, imp)
				}
				continue
			}
			target := strings.TrimPrefix(imp, module+"/")
			if layered {
				if !contains(rules, target) {
					t.Errorf("%s imports %s: not allowed by the layering of DESIGN.md", rel, target)
				}
				continue
			}
			if target == "api" || strings.HasPrefix(target, "api/") {
				if top != "cmd" && top != "fuzz" && top != "bench" && top != "interop" && top != "examples" && top != "api" {
					t.Errorf("%s imports %s: nothing below api may import api", rel, target)
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("go list returned no packages")
	}
}

func isAllowedThirdParty(imp string) bool {
	for _, m := range thirdParty {
		if imp == m || strings.HasPrefix(imp, m+"/") {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
