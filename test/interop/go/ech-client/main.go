// A crypto/tls client with Encrypted Client Hello (RFC 9849) for hush's ECH server interop tests
// (standard library only; Go 1.23 or later).
//
//	hush-interop-ech-client -addr 127.0.0.1:PORT -servername localhost -ca ca.pem -ech BASE64
//	                        [-curves x25519,secp256r1] [-retry] [-resume] [-http]
//
// -ech is the server's ECHConfigList (base64, as `hush ech` prints it). Prints one line per
// connection attempt:
//
//	HANDSHAKE n=1 ech=true version=TLSv1.3 alpn=http/1.1 resumed=false
//
// where ech= is ConnectionState().ECHAccepted. When the server rejects ECH, Go returns an
// ECHRejectionError: the client prints "REJECTED n=1 retry=BASE64" (the server's retry_configs)
// and, with -retry, connects again with that list. With -http it sends GET /api/connection and
// prints the body after "BODY". With -resume it connects a second time with the session cache of the
// first (resumed= is ConnectionState().DidResume). Exits 1 with "ERROR ..." on any other failure.
package main

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"

	"hushinterop/internal/peer"
)

func main() {
	c := peer.AddClientFlags(flag.CommandLine)
	echB64 := flag.String("ech", "", "ECHConfigList, base64 (required)")
	retry := flag.Bool("retry", false, "after a rejection, connect again with the server's retry_configs")
	flag.Parse()
	if c.Addr == "" || *echB64 == "" {
		peer.Fail("-addr and -ech are required")
	}
	list, err := base64.StdEncoding.DecodeString(*echB64)
	if err != nil {
		peer.Fail("-ech is not base64: %v", err)
	}
	cfg, err := c.Config()
	if err != nil {
		peer.Fail("%v", err)
	}
	cfg.MinVersion = tls.VersionTLS13
	cfg.NextProtos = []string{"http/1.1"}
	attempts := 1
	if *retry {
		attempts = 2
	}
	for n := 1; n <= attempts; n++ {
		cfg.EncryptedClientHelloConfigList = list
		retryList, ok := run(n, c, cfg)
		if ok {
			if c.Resume {
				if _, ok := run(n+1, c, cfg); !ok {
					peer.Fail("ECH was rejected on the resumed connection")
				}
			}
			return
		}
		list = retryList
	}
	peer.Fail("ECH was rejected %d times", attempts)
}

// run makes one connection; false with the retry configs when the server rejected ECH.
func run(n int, c *peer.ClientFlags, cfg *tls.Config) ([]byte, bool) {
	conn, err := peer.Dial(c.Addr, cfg, c.Timeout)
	if err != nil {
		peer.Fail("n=%d dial: %v", n, err)
	}
	defer conn.Close()
	if err := conn.Handshake(); err != nil {
		var rej *tls.ECHRejectionError
		if errors.As(err, &rej) {
			fmt.Printf("REJECTED n=%d retry=%s\n", n, base64.StdEncoding.EncodeToString(rej.RetryConfigList))
			return rej.RetryConfigList, false
		}
		peer.Fail("n=%d handshake: %v", n, err)
	}
	st := conn.ConnectionState()
	fmt.Printf("HANDSHAKE n=%d ech=%t version=%s alpn=%s resumed=%t\n", n, st.ECHAccepted, peer.VersionName(st.Version), st.NegotiatedProtocol, st.DidResume)
	if c.HTTP {
		body, err := peer.GetConnection(conn, cfg.ServerName)
		if err != nil {
			peer.Fail("n=%d %v", n, err)
		}
		fmt.Printf("BODY %s\n", body)
	}
	return nil, true
}
