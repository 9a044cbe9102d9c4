// A crypto/tls client for hush's server interop tests (standard library only).
//
//	hush-interop-client -addr 127.0.0.1:PORT -servername localhost -ca ca.pem
//	                    [-suite TLS_AES_128_GCM_SHA256] [-curves X25519MLKEM768,x25519,secp256r1]
//	                    [-cert client.pem -key client.key] [-resume] [-send N] [-http]
//	                    [-min-version 1.2] [-max-version 1.2] [-cipher-suites A,B]
//	hush-interop-client -supported-groups
//
// TLS 1.3 only unless -min-version/-max-version say otherwise. Prints one line per connection:
//
//	HANDSHAKE n=1 version=TLSv1.3 suite=TLS_AES_128_GCM_SHA256 resumed=false alpn= group=x25519 hrr=false
//
// group= is the key exchange group by hush's (IANA) name and hrr= whether a HelloRetryRequest came
// (internal/peer/groups.go: ConnectionState.CurveID from Go 1.25, the unexported field before;
// "unknown" if neither). Without -curves the client offers Go's defaults (Go 1.24: X25519MLKEM768
// first, with key shares for X25519MLKEM768 and x25519). -supported-groups prints
// "GROUPS name=yes|no ..." (which groups this Go implements) and exits.
//
// then, with -send N, "ECHO n=1 bytes=N ok" once N pseudo-random bytes came back unchanged, and
// with -http the body of GET /api/connection after "BODY n=1". With -resume it makes two
// connections sharing a ClientSessionCache; the second line's resumed= is
// ConnectionState().DidResume. Exits 1 with "ERROR ..." on any failure.
//
// Go does not let a client choose TLS 1.3 cipher suites (Config.CipherSuites applies to TLS 1.2
// only): -suite is the suite the test expects the server to pick, and the client fails when another
// one was negotiated. -cipher-suites (IANA names, RSA key transport and CBC included) is the TLS 1.2
// offer.
package main

import (
	"bytes"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"time"

	"hushinterop/internal/peer"
)

func main() {
	c := peer.AddClientFlags(flag.CommandLine)
	suite := flag.String("suite", "", "the TLS 1.3 suite expected (Go cannot restrict TLS 1.3 suites)")
	probe := flag.Bool("supported-groups", false, "print which groups this Go implements and exit")
	certFile := flag.String("cert", "", "client certificate chain (PEM)")
	keyFile := flag.String("key", "", "client private key (PEM)")
	send := flag.Int("send", 0, "send N bytes and read them back (echo server)")
	minVersion := flag.String("min-version", "1.3", "lowest version offered: 1.2 or 1.3")
	maxVersion := flag.String("max-version", "1.3", "highest version offered: 1.2 or 1.3")
	cipherSuites := flag.String("cipher-suites", "", "comma-separated TLS 1.2 suites to offer (IANA names)")
	flag.Parse()

	if *probe {
		fmt.Println(peer.SupportedGroupsLine())
		return
	}
	if c.Addr == "" {
		peer.Fail("-addr is required")
	}
	cfg, err := c.Config()
	if err != nil {
		peer.Fail("%v", err)
	}
	if cfg.MinVersion, err = peer.ParseVersion(*minVersion); err != nil {
		peer.Fail("-min-version: %v", err)
	}
	if cfg.MaxVersion, err = peer.ParseVersion(*maxVersion); err != nil {
		peer.Fail("-max-version: %v", err)
	}
	if *cipherSuites != "" {
		if cfg.CipherSuites, err = peer.ParseSuites(*cipherSuites); err != nil {
			peer.Fail("-cipher-suites: %v", err)
		}
	}
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			peer.Fail("load client key pair: %v", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if c.HTTP {
		cfg.NextProtos = []string{"http/1.1"}
	}

	n := 1
	if c.Resume {
		n = 2
	}
	for i := 1; i <= n; i++ {
		run(i, c, cfg, *suite, *send)
	}
}

func run(i int, c *peer.ClientFlags, cfg *tls.Config, suite string, send int) {
	conn, err := peer.Dial(c.Addr, cfg, c.Timeout)
	if err != nil {
		peer.Fail("n=%d dial: %v", i, err)
	}
	defer conn.Close()
	if err := conn.Handshake(); err != nil {
		peer.Fail("n=%d handshake: %v", i, err)
	}
	st := conn.ConnectionState()
	name := tls.CipherSuiteName(st.CipherSuite)
	group, hrr := peer.Negotiated(st)
	fmt.Printf("HANDSHAKE n=%d version=%s suite=%s resumed=%t alpn=%s group=%s hrr=%s\n", i, peer.VersionName(st.Version), name, st.DidResume, st.NegotiatedProtocol, group, hrr)
	if suite != "" && name != suite {
		peer.Fail("n=%d negotiated %s, expected %s", i, name, suite)
	}
	if send > 0 {
		echo(i, conn, send)
		fmt.Printf("ECHO n=%d bytes=%d ok\n", i, send)
	}
	if c.HTTP {
		body, err := peer.GetConnection(conn, cfg.ServerName)
		if err != nil {
			peer.Fail("n=%d %v", i, err)
		}
		fmt.Printf("BODY n=%d %s\n", i, body)
	}
	if c.Resume && i == 1 && !c.HTTP && send == 0 {
		// TLS 1.3 tickets arrive after the handshake: read until one is there (or the server closes).
		_ = conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		var b [1]byte
		_, _ = conn.Read(b[:])
	}
}

// echo writes n pseudo-random bytes (while reading, so that neither side's buffers fill) and checks
// that the echo server sent the same bytes back.
func echo(i int, conn *tls.Conn, n int) {
	data := make([]byte, n)
	rand.New(rand.NewSource(int64(n))).Read(data)
	werr := make(chan error, 1)
	go func() {
		_, err := conn.Write(data)
		werr <- err
	}()
	got := make([]byte, n)
	if _, err := io.ReadFull(conn, got); err != nil {
		peer.Fail("n=%d read echo: %v", i, err)
	}
	if err := <-werr; err != nil {
		peer.Fail("n=%d write: %v", i, err)
	}
	if !bytes.Equal(got, data) {
		peer.Fail("n=%d echo differs", i)
	}
}
