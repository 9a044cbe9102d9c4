// Package peer is what the Go peers of hush's interop tests (test/interop/go/server, client,
// ech-server, ech-client) share, each concept once: the common flags (flags.go), certificate
// loading (certs.go), group, version and suite names (groups.go, versions.go, suites.go), the
// client's connection and its HTTP request (dial.go, http.go), the server's accept loop and echo
// (serve.go), and the "ERROR ..." line (output.go).
//
// Standard library only, and nothing newer than Go 1.19 here: server and client build with any Go
// from 1.19 on; what needs a newer Go (ECH) stays in the ech-* programs.
package peer
