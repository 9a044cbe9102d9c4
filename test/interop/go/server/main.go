// A crypto/tls echo server for hush's interop tests (standard library only).
//
//	hush-interop-server -addr 127.0.0.1:0 -cert chain.pem -key key.pem [-groups x25519,secp256r1]
//	                    [-client-ca ca.pem] [-alpn h2,http/1.1] [-suites ...]
//
// Prints "LISTENING <port>" once ready, then echoes every byte of every connection back.
// TLS 1.3 only. Go does not let a server restrict TLS 1.3 cipher suites (-suites is accepted for
// symmetry and ignored for TLS 1.3); the client chooses by offering only one.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strings"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	certFile := flag.String("cert", "", "PEM certificate chain (leaf first)")
	keyFile := flag.String("key", "", "PEM private key")
	groups := flag.String("groups", "", "comma-separated groups: x25519,secp256r1,secp384r1")
	_ = flag.String("suites", "", "ignored for TLS 1.3 (Go chooses)")
	clientCA := flag.String("client-ca", "", "require a client certificate issued by this CA (PEM)")
	noTickets := flag.Bool("no-tickets", false, "disable session tickets")
	alpn := flag.String("alpn", "", "comma-separated ALPN protocols")
	flag.Parse()

	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatalf("load key pair: %v", err)
	}
	cfg := &tls.Config{
		Certificates:           []tls.Certificate{cert},
		MinVersion:             tls.VersionTLS13,
		MaxVersion:             tls.VersionTLS13,
		SessionTicketsDisabled: *noTickets,
	}
	if *groups != "" {
		for _, g := range strings.Split(*groups, ",") {
			switch g {
			case "x25519":
				cfg.CurvePreferences = append(cfg.CurvePreferences, tls.X25519)
			case "secp256r1":
				cfg.CurvePreferences = append(cfg.CurvePreferences, tls.CurveP256)
			case "secp384r1":
				cfg.CurvePreferences = append(cfg.CurvePreferences, tls.CurveP384)
			default:
				log.Fatalf("unknown group %q", g)
			}
		}
	}
	if *alpn != "" {
		cfg.NextProtos = strings.Split(*alpn, ",")
	}
	if *clientCA != "" {
		pem, err := os.ReadFile(*clientCA)
		if err != nil {
			log.Fatalf("read client CA: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			log.Fatalf("no certificates in %s", *clientCA)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	ln, err := tls.Listen("tcp", *addr, cfg)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	fmt.Printf("LISTENING %d\n", ln.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatalf("accept: %v", err)
		}
		go func(c net.Conn) {
			defer c.Close()
			tc := c.(*tls.Conn)
			if err := tc.Handshake(); err != nil {
				log.Printf("handshake: %v", err)
				return
			}
			st := tc.ConnectionState()
			log.Printf("handshake ok: suite=%s resumed=%v", tls.CipherSuiteName(st.CipherSuite), st.DidResume)
			if _, err := io.Copy(tc, tc); err != nil {
				log.Printf("echo: %v", err)
				return
			}
			// The client sent close_notify: answer with ours.
			tc.CloseWrite()
		}(c)
	}
}
