// A crypto/tls server with Encrypted Client Hello keys, for hush's ECH client interop tests
// (standard library only; needs Go 1.24: Config.EncryptedClientHelloKeys).
//
//	hush-interop-ech-server -addr 127.0.0.1:0 -cert public.pem -key public.key \
//	    -cert2 secret.pem -key2 secret.key -ech CONFIG_HEX:KEY_HEX[:retry] [-ech ...] [-groups secp256r1] [-http]
//
// -ech adds one key: the marshalled ECHConfig (not a list) and the X25519 private key, in hex;
// ":retry" marks it SendAsRetry (sent in retry_configs when the server rejects ECH). The first
// certificate should be the public name's, the second the inner name's: Go picks the certificate
// by the SNI it answers (the inner one when it accepts ECH).
//
// Prints "LISTENING <port>", then for each connection logs to stderr
// "handshake ok: ech=<accepted> sni=<server name Go saw> version=0x0304" (or "handshake: <error>")
// and echoes the bytes back (with -http: answers one HTTP request with "ech=... sni=...").
package main

import (
	"bufio"
	"crypto/tls"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"net/http"
	"strings"

	"hushinterop/internal/peer"
)

type echFlags []tls.EncryptedClientHelloKey

func (e *echFlags) String() string { return fmt.Sprintf("%d keys", len(*e)) }

func (e *echFlags) Set(v string) error {
	parts := strings.Split(v, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return fmt.Errorf("want CONFIG_HEX:KEY_HEX[:retry], got %q", v)
	}
	config, err := hex.DecodeString(parts[0])
	if err != nil {
		return err
	}
	key, err := hex.DecodeString(parts[1])
	if err != nil {
		return err
	}
	*e = append(*e, tls.EncryptedClientHelloKey{Config: config, PrivateKey: key, SendAsRetry: len(parts) == 3 && parts[2] == "retry"})
	return nil
}

func main() {
	s := peer.AddServerFlags(flag.CommandLine)
	tls12 := flag.Bool("tls12", false, "speak TLS 1.2 only (ECH, a TLS 1.3 extension, is then never accepted)")
	httpMode := flag.Bool("http", false, "answer one HTTP/1.1 request per connection (200, body: ech=<accepted> sni=<name>) instead of echoing")
	var keys echFlags
	flag.Var(&keys, "ech", "CONFIG_HEX:KEY_HEX[:retry] (repeatable)")
	flag.Parse()

	cfg, err := s.Config()
	if err != nil {
		log.Fatal(err)
	}
	cfg.MinVersion = tls.VersionTLS13
	if *tls12 {
		cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
	}
	cfg.EncryptedClientHelloKeys = keys
	peer.Serve(s.Addr, cfg, func(tc *tls.Conn, st tls.ConnectionState) {
		log.Printf("handshake ok: ech=%v sni=%s version=0x%04x", st.ECHAccepted, st.ServerName, st.Version)
		if *httpMode {
			answer(tc, st)
			return
		}
		peer.Echo(tc)
	})
}

// answer reads one HTTP request and says what the handshake saw.
func answer(tc *tls.Conn, st tls.ConnectionState) {
	if _, err := http.ReadRequest(bufio.NewReader(tc)); err != nil {
		log.Printf("http: %v", err)
		return
	}
	body := fmt.Sprintf("ech=%v sni=%s\n", st.ECHAccepted, st.ServerName)
	fmt.Fprintf(tc, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	_ = tc.CloseWrite()
}
