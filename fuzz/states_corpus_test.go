package fuzz

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gensctp/gensctp/association"
)

var updateCorpus = flag.Bool("update-corpus", false, "write the named seeds of stateSeeds to testdata/fuzz/FuzzStates")

// seed assembles an input of FuzzStates: the starting state, then opcodes
// and their arguments.
func seed(start byte, ops ...byte) []byte { return append([]byte{start}, ops...) }

// stateSeeds are the named seeds of FuzzStates, kept in
// testdata/fuzz/FuzzStates under their names (go test -run
// TestStateSeedsInCorpus -update-corpus writes them). Together they reach
// every state (TestFuzzStatesReachesEveryState).
var stateSeeds = []struct {
	name  string
	input []byte
}{
	{"closed-connect-send-shutdown", seed(startClosed, opConnect, 0, opReleaseAll,
		opSend, 0, 1, 10, 2, opAdvance, 20, opShutdown, 0, opAdvance, 20)},
	{"cookie-wait-init-lost", seed(startCookieWait, opDrop, 0, opTimer, opHold, 0,
		opReleaseAll, opSend, 0, 0, 3, 2, opAdvance, 10)},
	{"cookie-wait-send-abort", seed(startCookieWait, opSend, 0, 2, 40, 2, opAbort, 0, opReleaseAll)},
	{"cookie-echoed-cookie-lost", seed(startCookieEchoed, opSend, 0, 1, 5, 2, opDrop, 0,
		opTimer, opHold, 0, opReleaseAll, opAdvance, 10)},
	{"cookie-echoed-stale-cookie-error", seed(startCookieEchoed, opInject, 0, tagValid, 0, 12, 3, 0,
		opHold, 0, opReleaseAll, opAdvance, 30)},
	{"established-reorder-duplicate", seed(startEstablished, opHold, 0,
		opSend, 0, 0, 4, 2, opSend, 0, 0, 5, 2, opSend, 0, 1, 6, 3, opRelease, 2, opDuplicate, 0,
		opRelease, 0, opHold, 0, opReleaseAll, opAdvance, 10)},
	{"established-forged-sack", seed(startEstablished, opSend, 0, 0, 200, 2,
		opInject, 0, tagValid, 0, 1, 0, 17, opAdvance, 20)},
	{"established-invalid-tag-abort", seed(startEstablished, opInject, 1, tagOther, 0, 9, 0, 1,
		opSend, 1, 0, 9, 2, opAdvance, 10)},
	{"established-partial-delivery-reader-stops", seed(startEstablished, opStopReading,
		opSend, 0, 0, 200, 0, opAdvance, 10, opStopReading, opAdvance, 10)},
	{"established-raw-unknown-chunks", seed(startEstablished, opRaw, 1, tagValid, 8,
		0xbf, 0, 0, 8, 1, 2, 3, 4, opRaw, 1, tagValid, 4, 0x40, 0, 0, 4, opAdvance, 5)},
	{"established-corrupt-held", seed(startEstablished, opHold, 0, opSend, 0, 0, 9, 2,
		opCorrupt, 0, 5, 0x10, 0, opHold, 0, opAdvance, 20)},
	{"established-options-autoclose", seed(startEstablished, opOption, 0, 7, 40, opOption, 1, 2, 3,
		opOption, 0, 5, 1, opAdvance, 40, opAdvance, 40)},
	{"shutdown-pending-data-lost", seed(startShutdownPending, opDrop, 0, opTimer, opHold, 0,
		opReleaseAll, opAdvance, 20)},
	{"shutdown-sent-lost-retransmit", seed(startShutdownSent, opDrop, 0, opTimer,
		opReleaseAll, opHold, 0, opTimer, opAdvance, 20)},
	{"shutdown-received-data-acked", seed(startShutdownReceived, opHold, 1, opReleaseAll, opAdvance, 20)},
	{"shutdown-ack-sent-peer-restarts", seed(startShutdownAckSent, opConnect, 0, opReleaseAll,
		opHold, 1, opReleaseAll, opAdvance, 20)},
	{"collision-crossing-inits", seed(startCollision, opRelease, 1, opRelease, 0, opReleaseAll,
		opHold, 0, opHold, 1, opReleaseAll, opSend, 1, 0, 3, 2, opAdvance, 10)},
	{"collision-cookie-echoed-gets-init", seed(startCollisionEchoed, opReleaseAll, opHold, 0, opHold, 1,
		opReleaseAll, opAdvance, 10)},
	// PR-SCTP and stream reconfiguration: sends with every policy while
	// packets are lost, a reset with data queued and its request lost, a
	// reset from both ends at once, forged RE-CONFIG and FORWARD TSN
	// chunks.
	{"established-pr-policies-lossy", seed(startEstablished, opHold, 0,
		opSendPR, 0, 0, 20, 2, 1, 10, opSendPR, 0, 1, 30, 2, 2, 0, opSendPR, 0, 2, 9, 2, 5, 3,
		opSendPR, 0, 1, 4, 3, 2, 1, opDrop, 0, opDrop, 0, opHold, 0, opTimer, opTimer, opAdvance, 20)},
	{"established-reset-request-lost", seed(startEstablished, opSend, 0, 1, 10, 2, opHold, 0,
		opReset, 0, 2, opSend, 0, 1, 3, 2, opDrop, 0, opHold, 0, opTimer, opSend, 0, 1, 3, 2, opAdvance, 40)},
	{"established-reset-collision", seed(startEstablished, opHold, 0, opHold, 1, opReset, 0, 0,
		opReset, 1, 1, opRelease, 1, opRelease, 0, opHold, 0, opHold, 1, opReleaseAll, opAdvance, 20,
		opReset, 1, 0, opAdvance, 20)},
	{"established-forged-reconfig", seed(startEstablished, opReset, 0, 3, opInject, 1, tagValid, 2,
		14, 0x20, 0x43, 15, 0x01, 0x80, opInject, 0, tagValid, 1, 15, 0x62, 0xc1, opAdvance, 20)},
	// Our other requests: incoming resets and both ways, an SSN/TSN
	// reset with data in flight both ways, additions of streams with the
	// request lost, and requests of both ends crossing.
	{"established-reset-incoming-both", seed(startEstablished, opSend, 1, 0, 5, 2, opSend, 1, 1, 5, 2,
		opResetDir, 0, 0, 3, opAdvance, 10, opSend, 1, 1, 4, 2, opResetDir, 1, 1, 0, opSend, 0, 2, 3, 2,
		opAdvance, 20, opSend, 1, 0, 3, 2, opAdvance, 10)},
	{"established-reset-assoc-data-in-flight", seed(startEstablished, opSend, 0, 0, 6, 2, opSend, 1, 1, 6, 2,
		opHold, 0, opResetAssoc, 0, opSend, 0, 0, 3, 2, opSend, 0, 1, 3, 2, opDrop, 0, opHold, 0, opTimer,
		opAdvance, 20, opSend, 1, 0, 3, 2, opSend, 0, 0, 3, 2, opAdvance, 20, opResetAssoc, 1, opAdvance, 20)},
	{"established-add-streams-request-lost", seed(startEstablished, opHold, 0, opAddStreams, 0, 2, 1,
		opSend, 0, 0, 3, 2, opDrop, 0, opHold, 0, opTimer, opAdvance, 20, opAddStreams, 1, 1, 3, opAdvance, 20)},
	{"established-requests-crossing", seed(startEstablished, opHold, 0, opHold, 1, opAddStreams, 0, 1, 1,
		opResetAssoc, 1, opResetDir, 0, 1, 1, opRelease, 1, opRelease, 0, opHold, 0, opHold, 1, opReleaseAll,
		opAdvance, 20, opResetDir, 1, 0, 0, opAddStreams, 1, 3, 0, opAdvance, 20)},
	{"established-forged-forward-tsn", seed(startEstablished, opHold, 0, opSendPR, 0, 1, 10, 2, 2, 0,
		opDrop, 0, opHold, 0, opInject, 1, tagValid, 1, 13, 3, 0x05, opSend, 0, 1, 3, 2, opAdvance, 20)},
	{"restart-established", seed(startRestart, opSend, 1, 0, 5, 2, opReleaseAll, opHold, 0, opHold, 1,
		opReleaseAll, opSend, 0, 0, 7, 2, opAdvance, 10)},
}

// corpusInput decodes a file of Go's fuzzing corpus of one []byte
// argument.
func corpusInput(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || lines[0] != "go test fuzz v1" || !strings.HasPrefix(lines[1], "[]byte(") {
		t.Fatalf("%s: not a corpus file of one []byte", path)
	}
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}

// TestStateSeedsInCorpus: every named seed is in the corpus with its
// bytes.
func TestStateSeedsInCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzStates")
	for _, s := range stateSeeds {
		path := filepath.Join(dir, s.name)
		if *updateCorpus {
			data := "go test fuzz v1\n[]byte(" + strconv.Quote(string(s.input)) + ")\n"
			if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if got := corpusInput(t, path); !bytes.Equal(got, s.input) {
			t.Errorf("%s: corpus has %q, the seed is %q (run with -update-corpus)", s.name, got, s.input)
		}
	}
}

// TestFuzzStatesReachesEveryState runs the corpus of FuzzStates and
// checks that together its inputs reach every state of RFC 9260 Section
// 4, an initialization collision (both ends in COOKIE-WAIT or
// COOKIE-ECHOED at once, Section 5.2.1) and a restart (a restart event,
// Section 5.2.2), with no violation.
func TestFuzzStatesReachesEveryState(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzStates", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	want := []string{"collision", "restart"}
	for s := association.StateClosed; s <= association.StateShutdownAckSent; s++ {
		want = append(want, s.String())
	}
	reached := map[string][]string{}
	for _, f := range files {
		w := runStates(t, corpusInput(t, f))
		if w.err != nil {
			t.Errorf("%s: %v", filepath.Base(f), w.err)
		}
		for s := range w.visited {
			reached[s] = append(reached[s], filepath.Base(f))
		}
	}
	for _, s := range want {
		if len(reached[s]) == 0 {
			t.Errorf("no input of the corpus reaches %s", s)
		}
		sort.Strings(reached[s])
		t.Logf("%s: %d inputs, e.g. %s", s, len(reached[s]), reached[s][0])
	}
}
