package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// usageError is a bad command line: the command prints it and exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a usageError.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// intValue is an integer flag bounded to [min, max].
type intValue struct {
	p        *int64
	min, max int64
	set      bool
}

func newInt(fs *flag.FlagSet, p *int64, def, min, max int64, names []string, usage string) *intValue {
	*p = def
	v := &intValue{p: p, min: min, max: max}
	for _, n := range names {
		fs.Var(v, n, usage)
	}
	return v
}

func (v *intValue) String() string {
	if v == nil || v.p == nil {
		return "0"
	}
	return strconv.FormatInt(*v.p, 10)
}

func (v *intValue) Set(s string) error {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < v.min || n > v.max {
		if v.max >= 1<<53 {
			return fmt.Errorf("must be an integer of at least %d", v.min)
		}
		return fmt.Errorf("must be an integer from %d to %d", v.min, v.max)
	}
	*v.p, v.set = n, true
	return nil
}

// durValue is a duration flag bounded to [min, max]. With seconds set, a
// bare number is a number of seconds ("3", "0.5"), as in tsctp's -T and
// -d; otherwise the value needs a unit ("200ms", "1s", "1m"). With wholeMS
// set, it must be a whole number of milliseconds (the protocol settings
// go to gen_sctp records in milliseconds).
type durValue struct {
	p        *time.Duration
	min, max time.Duration
	seconds  bool
	wholeMS  bool
	set      bool
}

func newDur(fs *flag.FlagSet, p *time.Duration, def, min, max time.Duration, seconds bool, names []string, usage string) *durValue {
	*p = def
	v := &durValue{p: p, min: min, max: max, seconds: seconds}
	for _, n := range names {
		fs.Var(v, n, usage)
	}
	return v
}

func (v *durValue) String() string {
	if v == nil || v.p == nil {
		return "0s"
	}
	return v.p.String()
}

func (v *durValue) Set(s string) error {
	s = strings.TrimSpace(s)
	d, err := time.ParseDuration(s)
	if err != nil && v.seconds {
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f >= 0 && f < 1e9 {
			d, err = time.Duration(f*float64(time.Second)), nil
		}
	}
	if err != nil {
		if v.seconds {
			return errors.New("not a number of seconds or a duration (like 3, 0.5 or 200ms)")
		}
		return errors.New("not a duration (like 200ms, 1s or 1m30s)")
	}
	if d < v.min || d > v.max {
		return fmt.Errorf("must be from %v to %v", v.min, v.max)
	}
	if v.wholeMS && d%time.Millisecond != 0 {
		return errors.New("must be a whole number of milliseconds")
	}
	*v.p, v.set = d, true
	return nil
}

// hostList is a repeatable flag of IP addresses or host names, commas
// separating several in one value.
type hostList struct{ p *[]string }

func (v hostList) String() string {
	if v.p == nil {
		return ""
	}
	return strings.Join(*v.p, ",")
}

func (v hostList) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return errors.New("empty address")
		}
		*v.p = append(*v.p, part)
	}
	return nil
}

// command describes a subcommand for the usage texts.
type command struct {
	name, args, summary string
	// details is printed between the synopsis and the flags.
	details string
}

// newFlagSet returns a FlagSet for cmd whose output is discarded: parse
// reports errors and help itself.
func newFlagSet(cmd command) *flag.FlagSet {
	fs := flag.NewFlagSet("sctp "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// printUsage writes the usage of cmd and its flags to w.
func printUsage(w io.Writer, cmd command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: sctp %s [flags] %s\n\n%s\n", cmd.name, cmd.args, cmd.summary)
	if cmd.details != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(cmd.details, "\n"))
	}
	fmt.Fprintf(w, "\nFlags:\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// parse parses args with fs, allowing flags after positional arguments
// (as getopt does on Linux: "sctp perf 127.0.0.1 -n 1000"); "--" ends the
// flags. It returns the positional arguments, flag.ErrHelp for -h, or a
// usageError.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{msg: err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// fs.Parse stops at the first non-flag, or after "--".
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// expandGetopt rewrites tsctp-style short options for fs: "-n1000" becomes
// "-n" "1000" and "-uD" becomes "-u" "-D", when the whole word is not a
// flag of its own. Words after "--" are kept as they are.
func expandGetopt(fs *flag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if len(a) < 3 || a[0] != '-' || a[1] == '-' || fs.Lookup(name) != nil {
			out = append(out, a)
			continue
		}
		out = append(out, splitShort(fs, a[1:])...)
	}
	return out
}

// splitShort splits a cluster of one-letter options; it returns the word
// unchanged when it is not one.
func splitShort(fs *flag.FlagSet, word string) []string {
	var out []string
	for j := 0; j < len(word); j++ {
		f := fs.Lookup(word[j : j+1])
		if f == nil {
			return []string{"-" + word}
		}
		if isBool(f) {
			out = append(out, "-"+word[j:j+1])
			continue
		}
		out = append(out, "-"+word[j:j+1])
		if j+1 < len(word) {
			out = append(out, word[j+1:])
		}
		return out
	}
	return out
}

// isBool reports whether f is a boolean flag.
func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
