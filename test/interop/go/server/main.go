// A crypto/tls echo server for hush's interop tests (standard library only).
//
//	hush-interop-server -addr 127.0.0.1:0 -cert chain.pem -key key.pem [-groups X25519MLKEM768,x25519,secp256r1]
//	                    [-client-ca ca.pem] [-alpn h2,http/1.1] [-suites ...]
//	                    [-cert2 rsa.pem -key2 rsa.key] [-min-version 1.2] [-max-version 1.2]
//
// Prints "LISTENING <port>" once ready, then echoes every byte of every connection back, and logs
// "handshake ok: version=TLSv1.2 suite=... resumed=... group=... hrr=..." to stderr for each
// connection (group: hush's IANA name of the key exchange group; see groups.go). Without -groups the
// server uses Go's defaults (Go 1.24: X25519MLKEM768, x25519, secp256r1, secp384r1, secp521r1).
// TLS 1.3 only unless -min-version/-max-version say otherwise. Go does not let a server restrict
// TLS 1.3 cipher suites: -suites (IANA names) applies to TLS 1.2 only; for TLS 1.3 the client
// chooses by offering only one. -cert2/-key2 add a second certificate (Go picks the one that
// fits the client's suites and signature algorithms, e.g. ECDSA and RSA for TLS 1.2). RSA key
// transport suites must be named in -suites: Go 1.22 dropped them from its default list (GODEBUG
// tlsrsakex).
//
// Builds with Go 1.19 and later (standard library only). The test harness builds it with a go.mod
// whose go line is the toolchain's own release, so it gets that release's GODEBUG defaults.
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
	groups := flag.String("groups", "", "comma-separated groups: X25519MLKEM768,x25519,secp256r1,secp384r1,... (default: Go's own)")
	suites := flag.String("suites", "", "comma-separated TLS 1.2 suites (IANA names); ignored for TLS 1.3 (Go chooses)")
	cert2File := flag.String("cert2", "", "a second PEM certificate chain")
	key2File := flag.String("key2", "", "the second private key")
	minVersion := flag.String("min-version", "1.3", "lowest version: 1.2 or 1.3")
	maxVersion := flag.String("max-version", "1.3", "highest version: 1.2 or 1.3")
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
		MinVersion:             parseVersion(*minVersion),
		MaxVersion:             parseVersion(*maxVersion),
		SessionTicketsDisabled: *noTickets,
	}
	if *cert2File != "" {
		cert2, err := tls.LoadX509KeyPair(*cert2File, *key2File)
		if err != nil {
			log.Fatalf("load second key pair: %v", err)
		}
		cfg.Certificates = append(cfg.Certificates, cert2)
	}
	if *suites != "" {
		for _, name := range strings.Split(*suites, ",") {
			id, ok := suiteByName(name)
			if !ok {
				log.Fatalf("unknown cipher suite %q", name)
			}
			cfg.CipherSuites = append(cfg.CipherSuites, id)
		}
	}
	if *groups != "" {
		ids, err := parseGroups(*groups)
		if err != nil {
			log.Fatalf("-groups: %v", err)
		}
		cfg.CurvePreferences = ids
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
			group, hrr := negotiated(st)
			log.Printf("handshake ok: version=%s suite=%s resumed=%v group=%s hrr=%s", versionName(st.Version), tls.CipherSuiteName(st.CipherSuite), st.DidResume, group, hrr)
			if _, err := io.Copy(tc, tc); err != nil {
				log.Printf("echo: %v", err)
				return
			}
			// The client sent close_notify: answer with ours.
			tc.CloseWrite()
		}(c)
	}
}

func parseVersion(v string) uint16 {
	switch v {
	case "1.2":
		return tls.VersionTLS12
	case "1.3":
		return tls.VersionTLS13
	}
	log.Fatalf("unknown version %q (1.2 or 1.3)", v)
	return 0
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

// suiteByName looks a suite up by its IANA name, secure or not (RSA key transport and CBC are in
// tls.InsecureCipherSuites).
func suiteByName(name string) (uint16, bool) {
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if s.Name == name {
			return s.ID, true
		}
	}
	return 0, false
}
