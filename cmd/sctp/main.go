// Command sctp runs gensctp, the user-space SCTP stack over UDP
// encapsulation (RFC 6951), from the command line.
//
// Usage:
//
//	sctp demo [flags]                     server and client in one process on loopback
//	sctp echo [flags]                     echo server (SCTP port 7)
//	sctp discard [flags]                  discard server (SCTP port 9)
//	sctp perf [flags] [address...]        throughput test, flag-compatible with usrsctp's tsctp
//	sctp ping [flags] address...          round-trip latency against an echo server
//	sctp cat [flags] address... | -l      stdin to the peer, the peer's data to stdout
//	sctp sim [flags]                      a transfer on a simulated network in virtual time
//	sctp version                          the version, commit and Go version it was built with
//	sctp help [command]
//
// Every command takes the protocol flags (-rto-initial, -hb-interval,
// -rcvbuf, ...); "sctp <command> -h" lists them. With -d N, every command
// prints to stderr every N seconds a status line per association (rates
// of the last interval, packets, retransmissions, gap reports, cwnd, RTT,
// RTO) and per UDP port (datagrams, drops), as tsctp's -d prints its
// throughput. -pcap FILE records the packets of a command's socket in a
// capture file that Wireshark opens. Bad flags exit with status 2, runtime
// failures with status 1.
//
// Logs go to standard error: -log LEVEL (off, error, warn, info, debug,
// trace) logs every scope at that level (trace adds a line per packet
// sent and received, with its chunks); without it, pion's environment
// variables decide, for example PION_LOG_TRACE=sctp-stack for the
// packets alone, or PION_LOG_DEBUG=all (scopes sctp-api, sctp-stack,
// sctp-endpoint, sctp-assoc).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// stdio are the standard streams of a command.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// subcommand is one of sctp's commands.
type subcommand struct {
	command
	run func(ctx context.Context, sio stdio, args []string) int
}

// subcommands lists the commands in the order "sctp help" shows them.
var subcommands []subcommand

func init() {
	subcommands = []subcommand{
		{demoCommand, runDemo},
		{echoCommand, runEcho},
		{discardCommand, runDiscard},
		{perfCommand, runPerf},
		{pingCommand, runPing},
		{catCommand, runCat},
		{simCommand, runSim},
		{versionCommand, runVersion},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command line args (without the program name) and returns
// the exit status. SIGINT and SIGTERM stop servers and clients cleanly.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runWith(ctx, stdio{in: os.Stdin, out: stdout, err: stderr}, args)
}

// runWith is run with an explicit context and standard streams (tests).
func runWith(ctx context.Context, sio stdio, args []string) int {
	if len(args) == 0 {
		printMainUsage(sio.err)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && name == "help" {
			sc, ok := lookup(args[1])
			if !ok {
				fmt.Fprintf(sio.err, "sctp help: unknown command %q\n", args[1])
				return 2
			}
			return sc.run(ctx, sio, []string{"-h"})
		}
		printMainUsage(sio.out)
		return 0
	}
	sc, ok := lookup(name)
	if !ok {
		fmt.Fprintf(sio.err, "sctp: unknown command %q\nRun 'sctp help' for usage.\n", name)
		return 2
	}
	return sc.run(ctx, sio, args[1:])
}

func lookup(name string) (subcommand, bool) {
	for _, sc := range subcommands {
		if sc.name == name {
			return sc, true
		}
	}
	return subcommand{}, false
}

func printMainUsage(w io.Writer) {
	fmt.Fprintf(w, "sctp runs gensctp, a user-space SCTP stack over UDP encapsulation (RFC 6951).\n\n")
	fmt.Fprintf(w, "Usage: sctp <command> [flags] [arguments]\n\nCommands:\n")
	for _, sc := range subcommands {
		fmt.Fprintf(w, "  %-8s %s\n", sc.name, sc.summary)
	}
	fmt.Fprintf(w, "  %-8s %s\n", "help", "print this help, or a command's: sctp help <command>")
	fmt.Fprintf(w, "\nRun 'sctp <command> -h' for the flags of a command.\n")
}

// parseCommand parses args for cmd. It returns ok false with the exit
// status when the command must stop: 0 after -h (usage printed to
// stdout), 2 after a bad flag (message to stderr).
func parseCommand(sio stdio, cmd command, fs *flag.FlagSet, args []string) (pos []string, code int, ok bool) {
	pos, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(sio.out, cmd, fs)
		return nil, 0, false
	}
	if err != nil {
		return nil, usageFail(sio, cmd, err), false
	}
	if f := fs.Lookup("log"); f != nil {
		if l, ok := f.Value.(*logFlag); ok {
			l.out = sio.err // the logs go to the command's standard error
		}
	}
	return pos, 0, true
}

// usageFail prints a usage error of cmd and returns 2.
func usageFail(sio stdio, cmd command, err error) int {
	fmt.Fprintf(sio.err, "sctp %s: %v\nRun 'sctp %s -h' for usage.\n", cmd.name, err, cmd.name)
	return 2
}

// fail prints a runtime error of cmd and returns 1, or 2 for a usage
// error found late (for example inconsistent RTO settings).
func fail(sio stdio, cmd command, err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		return usageFail(sio, cmd, err)
	}
	fmt.Fprintf(sio.err, "sctp %s: %v\n", cmd.name, err)
	return 1
}
