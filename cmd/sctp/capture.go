package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/pcap"
	"github.com/gensctp/gensctp/udpencap"
)

// captureFlag is the -pcap flag: a capture file of the packets of the
// command's socket (api.Capture).
type captureFlag struct {
	file    string
	udpPort int // the local UDP port of the socket recorded; 0: none yet
}

// opened notes the socket the capture records, for the hint printed at
// the end.
func (c *captureFlag) opened(s *api.Socket) { c.udpPort = s.UDPPort() }

// register adds -pcap to fs; whose says whose packets are recorded.
func (c *captureFlag) register(fs *flag.FlagSet, whose string) {
	fs.StringVar(&c.file, "pcap", "", "record every packet of "+whose+" sent and received, in `file`: "+
		"a pcap capture of SCTP over UDP that Wireshark opens (tshark -r file -d udp.port==PORT,sctp; "+
		"UDP port 9899 is decoded as SCTP without -d)")
}

// run runs the command body with the option of -pcap (none without it):
// it creates the file first, and flushes and closes it once body
// returned, having closed its sockets. A capture that failed (the disk
// filled up, say) is reported, and fails the command.
func (c *captureFlag) run(sio stdio, cmd command, body func(capture []api.Option) int) int {
	if c.file == "" {
		return body(nil)
	}
	f, err := os.Create(c.file)
	if err != nil {
		return fail(sio, cmd, fmt.Errorf("-pcap: %w", err))
	}
	w, err := pcap.NewWriter(f)
	if err != nil {
		f.Close()
		return fail(sio, cmd, fmt.Errorf("-pcap: %w", err))
	}
	code := body([]api.Option{api.Capture(w)})
	if err := errors.Join(w.Close(), f.Close()); err != nil {
		fmt.Fprintf(sio.err, "sctp %s: capture %s: %v\n", cmd.name, c.file, err)
		return max(code, 1)
	}
	if c.udpPort != 0 {
		fmt.Fprintf(sio.err, "sctp %s: packets captured in %s; read them with: tshark -r %s%s\n",
			cmd.name, c.file, c.file, decodeAs(c.udpPort))
	}
	return code
}

// decodeAs returns the tshark flag that decodes UDP port as SCTP, or
// nothing for the port that tshark decodes as SCTP by itself.
func decodeAs(port int) string {
	if port == udpencap.DefaultPort {
		return ""
	}
	return fmt.Sprintf(" -d udp.port==%d,sctp", port)
}
