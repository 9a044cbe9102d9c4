// A crypto/tls client with Encrypted Client Hello (RFC 9849) for hush's ECH server interop tests
// (standard library only; Go 1.23 or later).
//
//	hush-interop-ech-client -addr 127.0.0.1:PORT -servername localhost -ca ca.pem -ech BASE64
//	                        [-curves x25519,secp256r1] [-retry] [-resume] [-http]
//
// -ech is the server's ECHConfigList (base64, as `hush ech` prints it). Prints one line per
// connection attempt:
//
//	HANDSHAKE n=1 ech=true version=TLSv1.3 alpn=http/1.1
//
// where ech= is ConnectionState().ECHAccepted. When the server rejects ECH, Go returns an
// ECHRejectionError: the client prints "REJECTED n=1 retry=BASE64" (the server's retry_configs)
// and, with -retry, connects again with that list. With -http it sends GET /api/connection and
// prints the body after "BODY". With -resume it connects a second time with the session cache of the
// first (resumed= is ConnectionState().DidResume). Exits 1 with "ERROR ..." on any other failure.
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

func fail(format string, args ...interface{}) {
	fmt.Printf("ERROR "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	addr := flag.String("addr", "", "host:port")
	serverName := flag.String("servername", "localhost", "the inner SNI (the name verified when ECH is accepted)")
	caFile := flag.String("ca", "", "trusted CA (PEM)")
	echB64 := flag.String("ech", "", "ECHConfigList, base64")
	curves := flag.String("curves", "", "comma-separated groups in preference order (x25519,secp256r1,secp384r1); the first gets the key share")
	retry := flag.Bool("retry", false, "after a rejection, connect again with the server's retry_configs")
	resume := flag.Bool("resume", false, "after a success, connect again resuming the session")
	httpGet := flag.Bool("http", false, "GET /api/connection over HTTP/1.1 and print the body")
	timeout := flag.Duration("timeout", 10*time.Second, "deadline per connection")
	flag.Parse()
	if *addr == "" || *echB64 == "" {
		fail("-addr and -ech are required")
	}
	list, err := base64.StdEncoding.DecodeString(*echB64)
	if err != nil {
		fail("-ech is not base64: %v", err)
	}
	cfg := &tls.Config{ServerName: *serverName, MinVersion: tls.VersionTLS13, NextProtos: []string{"http/1.1"}}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			fail("read ca: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			fail("no certificates in %s", *caFile)
		}
		cfg.RootCAs = pool
	}
	if *curves != "" {
		for _, c := range strings.Split(*curves, ",") {
			switch c {
			case "x25519":
				cfg.CurvePreferences = append(cfg.CurvePreferences, tls.X25519)
			case "secp256r1":
				cfg.CurvePreferences = append(cfg.CurvePreferences, tls.CurveP256)
			case "secp384r1":
				cfg.CurvePreferences = append(cfg.CurvePreferences, tls.CurveP384)
			default:
				fail("unknown curve %q", c)
			}
		}
	}
	if *resume {
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	}
	attempts := 1
	if *retry {
		attempts = 2
	}
	for n := 1; n <= attempts; n++ {
		cfg.EncryptedClientHelloConfigList = list
		retryList, ok := run(n, *addr, cfg, *httpGet, *timeout)
		if ok {
			if *resume {
				if _, ok := run(n+1, *addr, cfg, *httpGet, *timeout); !ok {
					fail("ECH was rejected on the resumed connection")
				}
			}
			return
		}
		list = retryList
	}
	fail("ECH was rejected %d times", attempts)
}

// run makes one connection; false with the retry configs when the server rejected ECH.
func run(n int, addr string, cfg *tls.Config, httpGet bool, timeout time.Duration) ([]byte, bool) {
	raw, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		fail("n=%d dial: %v", n, err)
	}
	defer raw.Close()
	_ = raw.SetDeadline(time.Now().Add(timeout))
	conn := tls.Client(raw, cfg)
	if err := conn.Handshake(); err != nil {
		var rej *tls.ECHRejectionError
		if errors.As(err, &rej) {
			fmt.Printf("REJECTED n=%d retry=%s\n", n, base64.StdEncoding.EncodeToString(rej.RetryConfigList))
			return rej.RetryConfigList, false
		}
		fail("n=%d handshake: %v", n, err)
	}
	st := conn.ConnectionState()
	fmt.Printf("HANDSHAKE n=%d ech=%t version=%s alpn=%s resumed=%t\n", n, st.ECHAccepted, versionName(st.Version), st.NegotiatedProtocol, st.DidResume)
	if httpGet {
		req := "GET /api/connection HTTP/1.1\r\nHost: " + cfg.ServerName + "\r\nConnection: close\r\n\r\n"
		if _, err := io.WriteString(conn, req); err != nil {
			fail("n=%d write: %v", n, err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			fail("n=%d read response: %v", n, err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			fail("n=%d read body: %v", n, err)
		}
		fmt.Printf("BODY %s\n", strings.ReplaceAll(string(body), "\n", " "))
	}
	_ = conn.Close()
	return nil, true
}

func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	}
	return fmt.Sprintf("0x%04x", v)
}
