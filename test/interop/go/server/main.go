// A crypto/tls echo server for hush's interop tests (standard library only).
//
//	hush-interop-server -addr 127.0.0.1:0 -cert chain.pem -key key.pem [-groups X25519MLKEM768,x25519,secp256r1]
//	                    [-client-ca ca.pem] [-alpn h2,http/1.1] [-suites ...] [-no-tickets]
//	                    [-cert2 rsa.pem -key2 rsa.key] [-min-version 1.2] [-max-version 1.2]
//
// Prints "LISTENING <port>" once ready, then echoes every byte of every connection back, and logs
// "handshake ok: version=TLSv1.2 suite=... resumed=... group=... hrr=..." to stderr for each
// connection (group: hush's IANA name of the key exchange group, internal/peer/groups.go), or
// "handshake: <error>". Without -groups the server uses Go's defaults (Go 1.24: X25519MLKEM768,
// x25519, secp256r1, secp384r1, secp521r1). TLS 1.3 only unless -min-version/-max-version say
// otherwise. Go does not let a server restrict TLS 1.3 cipher suites: -suites (IANA names) applies
// to TLS 1.2 only; for TLS 1.3 the client chooses by offering only one. -cert2/-key2 add a second
// certificate (Go picks the one that fits the client's suites and signature algorithms, e.g. ECDSA
// and RSA for TLS 1.2).
package main

import (
	"crypto/tls"
	"flag"
	"log"
	"strings"

	"hushinterop/internal/peer"
)

func main() {
	s := peer.AddServerFlags(flag.CommandLine)
	suites := flag.String("suites", "", "comma-separated TLS 1.2 suites (IANA names); ignored for TLS 1.3 (Go chooses)")
	minVersion := flag.String("min-version", "1.3", "lowest version: 1.2 or 1.3")
	maxVersion := flag.String("max-version", "1.3", "highest version: 1.2 or 1.3")
	clientCA := flag.String("client-ca", "", "require a client certificate issued by this CA (PEM)")
	noTickets := flag.Bool("no-tickets", false, "disable session tickets")
	alpn := flag.String("alpn", "", "comma-separated ALPN protocols")
	flag.Parse()

	cfg, err := s.Config()
	if err != nil {
		log.Fatal(err)
	}
	if cfg.MinVersion, err = peer.ParseVersion(*minVersion); err != nil {
		log.Fatalf("-min-version: %v", err)
	}
	if cfg.MaxVersion, err = peer.ParseVersion(*maxVersion); err != nil {
		log.Fatalf("-max-version: %v", err)
	}
	cfg.SessionTicketsDisabled = *noTickets
	if *suites != "" {
		if cfg.CipherSuites, err = peer.ParseSuites(*suites); err != nil {
			log.Fatalf("-suites: %v", err)
		}
	}
	if *alpn != "" {
		cfg.NextProtos = strings.Split(*alpn, ",")
	}
	if *clientCA != "" {
		if cfg.ClientCAs, err = peer.LoadCertPool(*clientCA); err != nil {
			log.Fatalf("-client-ca: %v", err)
		}
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	peer.Serve(s.Addr, cfg, func(tc *tls.Conn, st tls.ConnectionState) {
		group, hrr := peer.Negotiated(st)
		log.Printf("handshake ok: version=%s suite=%s resumed=%v group=%s hrr=%s", peer.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite), st.DidResume, group, hrr)
		peer.Echo(tc)
	})
}
