package api_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/gensctp/gensctp/api"
)

// An echo server and a client over net.Conn: Listen and Accept on one
// side, Dial on the other, plain io on both. The dialer reaches the
// listener's UDP encapsulation port (Addr().UDPPort); both use ephemeral
// UDP ports here.
func ExampleDial() {
	l, err := api.Listen("sctp", "127.0.0.1:0", api.LocalUDPPort(0))
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
	addr := l.Addr().(*api.Addr)
	c, err := api.Dial(ctx, "sctp", addr.String(), api.RemoteUDPPort(addr.UDPPort))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Fprintf(c, "hello\n")
	line, err := bufio.NewReader(c).ReadString('\n')
	fmt.Printf("%q %v\n", line, err)
	c.Close()
	<-done
	// Output: "hello\n" <nil>
}
