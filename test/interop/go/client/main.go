// A crypto/tls client for hush's server interop tests (standard library only).
//
//	hush-interop-client -addr 127.0.0.1:PORT -servername localhost -ca ca.pem
//	                    [-suite TLS_AES_128_GCM_SHA256] [-curves X25519MLKEM768,x25519,secp256r1]
//	                    [-cert client.pem -key client.key] [-resume] [-send N] [-http]
//	                    [-min-version 1.2] [-max-version 1.2] [-cipher-suites A,B]
//
// TLS 1.3 only unless -min-version/-max-version say otherwise. Prints one line per connection:
//
//	HANDSHAKE n=1 version=TLSv1.3 suite=TLS_AES_128_GCM_SHA256 resumed=false alpn= group=x25519 hrr=false
//
// group= is the key exchange group by hush's (IANA) name and hrr= whether a HelloRetryRequest came
// (groups.go: ConnectionState.CurveID from Go 1.25, the unexported field before; "unknown" if
// neither). Without -curves the client offers Go's defaults (Go 1.24: X25519MLKEM768 first, with
// key shares for X25519MLKEM768 and x25519). -supported-groups prints "GROUPS name=yes|no ..."
// (which groups this Go implements) and exits.
//
// then, with -send N, "ECHO n=1 bytes=N ok" once N pseudo-random bytes came back unchanged, and
// with -http the body of GET /api/connection after "BODY". With -resume it makes two connections
// sharing a ClientSessionCache; the second line's resumed= is ConnectionState().DidResume.
// Exits 1 with "ERROR ..." on any failure.
//
// Go (1.19 and 1.22 alike) does not let a client choose TLS 1.3 cipher suites (Config.CipherSuites
// applies to TLS 1.2 only): -suite is the suite the test expects the server to pick, and the client
// fails when another one was negotiated. -cipher-suites (IANA names, RSA key transport and CBC
// included) is the TLS 1.2 offer; RSA key transport must be named there (Go 1.22 dropped it from
// its default list, GODEBUG tlsrsakex).
//
// Builds with Go 1.19 and later (standard library only). The test harness builds it with a go.mod
// whose go line is the toolchain's own release, so it gets that release's GODEBUG defaults.
package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
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
	serverName := flag.String("servername", "localhost", "SNI and the name verified")
	caFile := flag.String("ca", "", "trusted CA (PEM)")
	suite := flag.String("suite", "", "the TLS 1.3 suite expected (Go cannot restrict TLS 1.3 suites)")
	curves := flag.String("curves", "", "comma-separated groups, preference order: X25519MLKEM768,x25519,secp256r1,secp384r1,... (default: Go's own)")
	probe := flag.Bool("supported-groups", false, "print which groups this Go implements and exit")
	certFile := flag.String("cert", "", "client certificate chain (PEM)")
	keyFile := flag.String("key", "", "client private key (PEM)")
	resume := flag.Bool("resume", false, "connect twice with a session cache")
	send := flag.Int("send", 0, "send N bytes and read them back (echo server)")
	httpGet := flag.Bool("http", false, "GET /api/connection over HTTP/1.1 and print the body")
	timeout := flag.Duration("timeout", 10*time.Second, "deadline per connection")
	minVersion := flag.String("min-version", "1.3", "lowest version offered: 1.2 or 1.3")
	maxVersion := flag.String("max-version", "1.3", "highest version offered: 1.2 or 1.3")
	cipherSuites := flag.String("cipher-suites", "", "comma-separated TLS 1.2 suites to offer (IANA names)")
	flag.Parse()

	if *probe {
		fmt.Println(supportedGroupsLine())
		return
	}
	if *addr == "" {
		fail("-addr is required")
	}
	cfg := &tls.Config{
		ServerName: *serverName,
		MinVersion: parseVersion(*minVersion),
		MaxVersion: parseVersion(*maxVersion),
	}
	if *cipherSuites != "" {
		for _, name := range strings.Split(*cipherSuites, ",") {
			id, ok := suiteByName(name)
			if !ok {
				fail("unknown cipher suite %q", name)
			}
			cfg.CipherSuites = append(cfg.CipherSuites, id)
		}
	}
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
		ids, err := parseGroups(*curves)
		if err != nil {
			fail("-curves: %v", err)
		}
		cfg.CurvePreferences = ids
	}
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			fail("load client key pair: %v", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if *httpGet {
		cfg.NextProtos = []string{"http/1.1"}
	}
	if *resume {
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	}

	n := 1
	if *resume {
		n = 2
	}
	for i := 1; i <= n; i++ {
		run(i, *addr, cfg, *suite, *send, *httpGet, *resume, *timeout)
	}
}

func run(i int, addr string, cfg *tls.Config, suite string, send int, httpGet, resume bool, timeout time.Duration) {
	raw, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		fail("n=%d dial: %v", i, err)
	}
	defer raw.Close()
	_ = raw.SetDeadline(time.Now().Add(timeout))
	conn := tls.Client(raw, cfg)
	if err := conn.Handshake(); err != nil {
		fail("n=%d handshake: %v", i, err)
	}
	st := conn.ConnectionState()
	name := tls.CipherSuiteName(st.CipherSuite)
	group, hrr := negotiated(st)
	fmt.Printf("HANDSHAKE n=%d version=%s suite=%s resumed=%t alpn=%s group=%s hrr=%s\n", i, versionName(st.Version), name, st.DidResume, st.NegotiatedProtocol, group, hrr)
	if suite != "" && name != suite {
		fail("n=%d negotiated %s, expected %s", i, name, suite)
	}
	if send > 0 {
		data := make([]byte, send)
		rand.New(rand.NewSource(int64(send))).Read(data)
		werr := make(chan error, 1)
		go func() {
			_, err := conn.Write(data)
			werr <- err
		}()
		got := make([]byte, send)
		if _, err := io.ReadFull(conn, got); err != nil {
			fail("n=%d read echo: %v", i, err)
		}
		if err := <-werr; err != nil {
			fail("n=%d write: %v", i, err)
		}
		if !bytes.Equal(got, data) {
			fail("n=%d echo differs", i)
		}
		fmt.Printf("ECHO n=%d bytes=%d ok\n", i, send)
	}
	if httpGet {
		host := cfg.ServerName
		req := "GET /api/connection HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"
		if _, err := conn.Write([]byte(req)); err != nil {
			fail("n=%d write request: %v", i, err)
		}
		resp, err := io.ReadAll(conn)
		if err != nil && len(resp) == 0 {
			fail("n=%d read response: %v", i, err)
		}
		parts := strings.SplitN(string(resp), "\r\n\r\n", 2)
		if len(parts) != 2 || !strings.HasPrefix(parts[0], "HTTP/1.1 200") {
			fail("n=%d bad response: %q", i, string(resp))
		}
		fmt.Printf("BODY n=%d %s\n", i, strings.ReplaceAll(strings.TrimSpace(parts[1]), "\n", " "))
	}
	if resume && i == 1 && !httpGet && send == 0 {
		// TLS 1.3 tickets arrive after the handshake: read until one is there (or the server closes).
		_ = conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		var b [1]byte
		_, _ = conn.Read(b[:])
	}
	_ = conn.Close()
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

func parseVersion(v string) uint16 {
	switch v {
	case "1.2":
		return tls.VersionTLS12
	case "1.3":
		return tls.VersionTLS13
	}
	fail("unknown version %q (1.2 or 1.3)", v)
	return 0
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
