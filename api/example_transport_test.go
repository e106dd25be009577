package api_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/packetio/packetiotest"
)

// SCTP over a connected packet transport instead of UDP sockets: here the
// two ends of an in-memory pipe, as it would be the two ends of a DTLS
// connection (RFC 8261). Each side runs on its end with OverConn; the
// association has one peer, the transport's, so the dialer names no
// address (0.0.0.0 stands for the transport's peer), only the SCTP port.
//
// The pipe is packetiotest.Pipe rather than net.Pipe: a net.Pipe Write
// waits until the other end reads, and a stack writes with its core
// locked, so two stacks writing at once over net.Pipe would wait for each
// other. packetiotest.Pipe queues packets (dropping them when full, as a
// network does) and never makes a writer wait.
func ExampleOverConn() {
	a, b := packetiotest.Pipe()
	l, err := api.Listen("sctp", ":5000", api.OverConn(b))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()
	done := make(chan struct{})
	go func() { // the echo server
		defer close(done)
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, c) // until the client closes: io.EOF
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := api.Dial(ctx, "sctp", "0.0.0.0:5000", api.OverConn(a))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Fprintf(c, "hello over the pipe\n")
	line, err := bufio.NewReader(c).ReadString('\n')
	fmt.Printf("%q %v\n", line, err)
	fmt.Println(c.RemoteAddr())
	c.Close()
	<-done
	// Output:
	// "hello over the pipe\n" <nil>
	// 192.0.0.8:5000
}
