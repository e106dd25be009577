package logs

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pion/logging"
)

// clearEnv unsets pion's logging variables for the test.
func clearEnv(t *testing.T) {
	for _, n := range envNames {
		t.Setenv("PION_LOG_"+n, "")
		t.Setenv("PIONS_LOG_"+n, "")
	}
}

func TestResolveSilentByDefault(t *testing.T) {
	clearEnv(t)
	if f := Resolve(nil); f != nil {
		t.Fatalf("Resolve(nil) without PION_LOG_* = %T, want nil", f)
	}
	if l := New(Resolve(nil), ScopeStack); l != nil || l.On(logging.LogLevelError) {
		t.Fatalf("New(nil factory) = %v, want a nil logger that is off", l)
	}
}

func TestResolveHonoursPionEnv(t *testing.T) {
	for _, env := range []string{"PION_LOG_TRACE", "PIONS_LOG_DEBUG"} {
		t.Run(env, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(env, "all")
			f, ok := Resolve(nil).(*logging.DefaultLoggerFactory)
			if !ok {
				t.Fatalf("Resolve(nil) with %s=all = %T, want pion's default factory", env, Resolve(nil))
			}
			want := logging.LogLevelTrace
			if env == "PIONS_LOG_DEBUG" {
				want = logging.LogLevelDebug
			}
			if got := Level(f, ScopeAssoc); got != want {
				t.Fatalf("Level = %v, want %v", got, want)
			}
		})
	}
}

func TestResolveKeepsGivenFactory(t *testing.T) {
	clearEnv(t)
	t.Setenv("PION_LOG_TRACE", "all")
	f := &logging.DefaultLoggerFactory{DefaultLogLevel: logging.LogLevelWarn}
	if got := Resolve(f); got != f {
		t.Fatalf("Resolve(f) = %v, want f", got)
	}
}

func TestLevelPerScope(t *testing.T) {
	clearEnv(t)
	t.Setenv("PION_LOG_TRACE", "sctp-stack")
	t.Setenv("PION_LOG_INFO", "sctp-assoc,other")
	f := Resolve(nil)
	for scope, want := range map[string]logging.LogLevel{
		ScopeStack:    logging.LogLevelTrace,
		ScopeAssoc:    logging.LogLevelInfo,
		ScopeEndpoint: logging.LogLevelError, // pion's default level
	} {
		if got := Level(f, scope); got != want {
			t.Errorf("Level(%s) = %v, want %v", scope, got, want)
		}
	}
	l := New(f, ScopeAssoc)
	if !l.On(logging.LogLevelInfo) || l.On(logging.LogLevelDebug) {
		t.Errorf("sctp-assoc at info: On(info) = %v, On(debug) = %v", l.On(logging.LogLevelInfo), l.On(logging.LogLevelDebug))
	}
}

// leveler is a factory of the user's that tells its levels.
type leveler struct {
	buf   *bytes.Buffer
	level logging.LogLevel
}

func (f leveler) NewLogger(scope string) logging.LeveledLogger {
	return logging.NewDefaultLeveledLoggerForScope(scope, f.level, f.buf)
}

func (f leveler) Level(string) logging.LogLevel { return f.level }

// plain is a factory that does not tell its levels.
type plain struct{ lv leveler }

func (f plain) NewLogger(scope string) logging.LeveledLogger { return f.lv.NewLogger(scope) }

func TestLevelOfOtherFactories(t *testing.T) {
	var buf bytes.Buffer
	lv := leveler{buf: &buf, level: logging.LogLevelWarn}
	if got := Level(lv, ScopeAPI); got != logging.LogLevelWarn {
		t.Errorf("Level(Leveler) = %v, want warn", got)
	}
	var p logging.LoggerFactory = plain{lv}
	if _, ok := p.(Leveler); ok {
		t.Fatal("plain implements Leveler")
	}
	if got := Level(p, ScopeAPI); got != logging.LogLevelTrace {
		t.Errorf("Level(plain) = %v, want trace: the logger decides", got)
	}
	if New(leveler{buf: &buf, level: logging.LogLevelDisabled}, ScopeAPI) != nil {
		t.Error("New for a disabled scope is not nil")
	}
	l := New(lv, ScopeAPI)
	l.Warn("seen")
	if got := buf.String(); !strings.HasPrefix(got, "sctp-api WARNING: ") || !strings.HasSuffix(got, " seen\n") {
		t.Errorf("logged %q, want the warning in scope sctp-api", buf.String())
	}
}
