// Package layers holds the test that keeps the package graph mechanical:
// imports point down only (chunk, packet, stream, timer, congestion,
// association, endpoint, then the I/O edge and api); the graph is the
// allowed table below.
package layers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/gensctp/gensctp"

// below is every package under api: what internal/stack, the event loop
// that only api reaches, may build on.
var below = []string{"endpoint", "udpencap", "packetio", "association", "packet", "chunk", "stream", "timer", "congestion", "internal/logs"}

// allowed lists, for each layered package, the project packages its
// non-test files may import. Every package under internal/ must have an
// entry. Other packages not listed here (cmd/..., fuzz, bench, interop)
// may import anything but internal/stack (see stackImporters).
// Subpackages (for example association/associationtest) follow their own
// entry if they have one, else they may import anything except api and
// internal/stack.
var allowed = map[string][]string{
	"chunk":       {},
	"packet":      {"chunk"},
	"timer":       {},
	"congestion":  {},
	"stream":      {"chunk"},
	"association": {"chunk", "packet", "stream", "timer", "congestion", "internal/logs"},
	"endpoint":    {"association", "packet", "chunk", "stream", "timer", "congestion", "internal/logs"},
	"packetio":    {},
	"udpencap":    {"packetio"},
	"pcap":        {},
	"api":         append([]string{"internal/stack", "pcap"}, below...),
	// sim, the public simulator, is at the level of the I/O edge: it
	// drives the sans-IO core (endpoints, associations) on a simulated
	// network, and is a packet transport (packetio) that api can run on.
	"sim": {"association", "endpoint", "chunk", "packet", "stream", "timer", "congestion", "packetio", "pcap"},
	// internal/: the event loop under api, and test scaffolding.
	"internal/stack":   below,
	"internal/sim":     {"sim"},
	"internal/dnstest": {},
	"internal/logs":    {},
	"internal/layers":  {},
	"internal/readme":  {},
}

// stackImporters are the only packages whose files, tests included, may
// import internal/stack: api, and internal/stack's own tests. Everything
// else (cmd/sctp, bench, interop, fuzz, ...) goes through api, so that
// what is measured and shown is what users get.
var stackImporters = []string{"api", "internal/stack"}

// thirdParty lists the modules a non-test file may import besides the
// standard library (the project's dependency policy).
var thirdParty = []string{
	"golang.org/x/net",
	"golang.org/x/sys",
	"github.com/pion/transport/v3",
	"github.com/pion/logging",
}

// pkg is what go list -json says of a package.
type pkg struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

func TestLayers(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	var pkgs []pkg
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list returned no packages")
	}
	for _, msg := range check(pkgs) {
		t.Error(msg)
	}
}

// The rules catch what they are for: each package below breaks one.
func TestLayersRules(t *testing.T) {
	mod := func(rel string) string { return module + "/" + rel }
	for _, tc := range []struct {
		p    pkg
		want string // "" for no finding
	}{
		{pkg{ImportPath: mod("api"), Imports: []string{mod("internal/stack"), mod("endpoint")}}, ""},
		{pkg{ImportPath: mod("internal/stack"), TestImports: []string{mod("chunk")}}, ""},
		{pkg{ImportPath: mod("internal/stack"), XTestImports: []string{mod("internal/stack")}}, ""},
		{pkg{ImportPath: mod("cmd/sctp"), Imports: []string{mod("api"), mod("association")}}, ""},
		{pkg{ImportPath: mod("cmd/sctp"), TestImports: []string{mod("internal/stack")}},
			"cmd/sctp (tests) imports internal/stack: only api reaches it"},
		{pkg{ImportPath: mod("bench"), Imports: []string{mod("internal/stack")}},
			"bench imports internal/stack: only api reaches it"},
		{pkg{ImportPath: mod("interop"), XTestImports: []string{mod("internal/stack")}},
			"interop (tests) imports internal/stack: only api reaches it"},
		{pkg{ImportPath: mod("endpoint"), Imports: []string{mod("internal/stack")}},
			"endpoint imports internal/stack: only api reaches it"},
		{pkg{ImportPath: mod("internal/stack"), Imports: []string{mod("api")}},
			"internal/stack imports api: not allowed by the layering"},
		{pkg{ImportPath: mod("internal/sim"), Imports: []string{mod("association")}},
			"internal/sim imports association: not allowed by the layering"},
		{pkg{ImportPath: mod("internal/newthing")},
			"internal/newthing has no layering rule: add it to allowed"},
		{pkg{ImportPath: mod("association/associationtest"), Imports: []string{mod("api")}},
			"association/associationtest imports api: nothing below api may import api"},
		{pkg{ImportPath: mod("packet"), Imports: []string{"github.com/example/dep"}},
			"packet imports github.com/example/dep, which is not in the dependency policy"},
	} {
		got := check([]pkg{tc.p})
		if tc.want == "" {
			if len(got) != 0 {
				t.Errorf("%+v: findings %q, want none", tc.p, got)
			}
			continue
		}
		if !slices.Contains(got, tc.want) {
			t.Errorf("%+v: findings %q, want %q", tc.p, got, tc.want)
		}
	}
}

// check returns the rule violations of pkgs.
func check(pkgs []pkg) []string {
	var out []string
	for _, p := range pkgs {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		top, _, _ := strings.Cut(rel, "/")
		rules, layered := allowed[rel]
		if top == "internal" && !layered {
			out = append(out, fmt.Sprintf("%s has no layering rule: add it to allowed", rel))
		}
		for _, imp := range p.Imports {
			if msg := checkImport(rel, top, imp, rules, layered); msg != "" {
				out = append(out, msg)
			}
		}
		for _, imp := range append(slices.Clone(p.TestImports), p.XTestImports...) {
			if reachesStack(rel, imp) {
				out = append(out, fmt.Sprintf("%s (tests) imports internal/stack: only api reaches it", rel))
			}
		}
	}
	return out
}

// checkImport returns the violation of one import of a non-test file of
// package rel (top its first element), or "".
func checkImport(rel, top, imp string, rules []string, layered bool) string {
	if !strings.Contains(strings.Split(imp, "/")[0], ".") {
		return "" // standard library
	}
	if !strings.HasPrefix(imp, module+"/") {
		if !isAllowedThirdParty(imp) && !strings.HasPrefix(rel, "cmd/") &&
			top != "fuzz" && top != "bench" && top != "internal" && top != "interop" && top != "examples" {
			return fmt.Sprintf("%s imports %s, which is not in the dependency policy", rel, imp)
		}
		return ""
	}
	target := strings.TrimPrefix(imp, module+"/")
	if reachesStack(rel, imp) {
		return fmt.Sprintf("%s imports internal/stack: only api reaches it", rel)
	}
	if layered {
		if !slices.Contains(rules, target) {
			return fmt.Sprintf("%s imports %s: not allowed by the layering", rel, target)
		}
		return ""
	}
	if target == "api" || strings.HasPrefix(target, "api/") {
		if top != "cmd" && top != "fuzz" && top != "bench" && top != "interop" && top != "examples" && top != "api" {
			return fmt.Sprintf("%s imports %s: nothing below api may import api", rel, target)
		}
	}
	return ""
}

// reachesStack reports whether package rel importing imp is an import of
// internal/stack by a package that may not.
func reachesStack(rel, imp string) bool {
	return imp == module+"/internal/stack" && !slices.Contains(stackImporters, rel)
}

func isAllowedThirdParty(imp string) bool {
	for _, m := range thirdParty {
		if imp == m || strings.HasPrefix(imp, m+"/") {
			return true
		}
	}
	return false
}
