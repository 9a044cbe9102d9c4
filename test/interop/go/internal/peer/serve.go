// The server side: the accept loop and the echo.
package peer

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"os"
)

// Serve listens on addr, prints "LISTENING <port>" on stdout once ready (the harness waits for that
// line), and runs each connection's handshake in a goroutine of its own: a failure is logged as
// "handshake: <error>", a success goes to handle, which owns the connection until it returns (then
// it is closed). Exits (log.Fatal) when it cannot listen or accept.
func Serve(addr string, cfg *tls.Config, handle func(*tls.Conn, tls.ConnectionState)) {
	ln, err := tls.Listen("tcp", addr, cfg)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	fmt.Printf("LISTENING %d\n", ln.Addr().(*net.TCPAddr).Port)
	_ = os.Stdout.Sync()
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatalf("accept: %v", err)
		}
		go func(tc *tls.Conn) {
			defer tc.Close()
			if err := tc.Handshake(); err != nil {
				log.Printf("handshake: %v", err)
				return
			}
			handle(tc, tc.ConnectionState())
		}(c.(*tls.Conn))
	}
}

// Echo sends every byte back until the client's close_notify, then answers with ours.
func Echo(tc *tls.Conn) {
	if _, err := io.Copy(tc, tc); err != nil {
		log.Printf("echo: %v", err)
		return
	}
	_ = tc.CloseWrite()
}
