// The flags that several programs take, with one meaning and default each.
package peer

import (
	"crypto/tls"
	"flag"
	"fmt"
	"time"
)

const groupsUsage = "comma-separated groups in preference order, hush's IANA names: X25519MLKEM768,x25519,secp256r1,secp384r1,... (default: Go's own)"

// ClientFlags: -addr, -servername, -ca, -curves, -resume, -http, -timeout.
type ClientFlags struct {
	Addr       string
	ServerName string
	CA         string
	Curves     string
	Resume     bool
	HTTP       bool
	Timeout    time.Duration
}

// AddClientFlags defines the client flags on fs.
func AddClientFlags(fs *flag.FlagSet) *ClientFlags {
	f := &ClientFlags{}
	fs.StringVar(&f.Addr, "addr", "", "host:port (required)")
	fs.StringVar(&f.ServerName, "servername", "localhost", "SNI and the name verified (with ECH: the inner name)")
	fs.StringVar(&f.CA, "ca", "", "trusted CA (PEM)")
	fs.StringVar(&f.Curves, "curves", "", groupsUsage)
	fs.BoolVar(&f.Resume, "resume", false, "connect a second time, resuming the session of the first")
	fs.BoolVar(&f.HTTP, "http", false, "GET /api/connection over HTTP/1.1 and print the body")
	fs.DurationVar(&f.Timeout, "timeout", 10*time.Second, "deadline per connection")
	return f
}

// Config: ServerName, RootCAs (-ca), CurvePreferences (-curves) and, with -resume, a session cache
// shared by the connections.
func (f *ClientFlags) Config() (*tls.Config, error) {
	cfg := &tls.Config{ServerName: f.ServerName}
	if f.CA != "" {
		pool, err := LoadCertPool(f.CA)
		if err != nil {
			return nil, fmt.Errorf("-ca: %v", err)
		}
		cfg.RootCAs = pool
	}
	if f.Curves != "" {
		ids, err := ParseGroups(f.Curves)
		if err != nil {
			return nil, fmt.Errorf("-curves: %v", err)
		}
		cfg.CurvePreferences = ids
	}
	if f.Resume {
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	}
	return cfg, nil
}

// ServerFlags: -addr, -cert, -key, -cert2, -key2, -groups.
type ServerFlags struct {
	Addr   string
	Cert   string
	Key    string
	Cert2  string
	Key2   string
	Groups string
}

// AddServerFlags defines the server flags on fs.
func AddServerFlags(fs *flag.FlagSet) *ServerFlags {
	f := &ServerFlags{}
	fs.StringVar(&f.Addr, "addr", "127.0.0.1:0", "listen address")
	fs.StringVar(&f.Cert, "cert", "", "PEM certificate chain, leaf first (with ECH: the public name's)")
	fs.StringVar(&f.Key, "key", "", "PEM private key")
	fs.StringVar(&f.Cert2, "cert2", "", "a second PEM certificate chain (e.g. RSA beside ECDSA; with ECH: the inner name's)")
	fs.StringVar(&f.Key2, "key2", "", "the second private key")
	fs.StringVar(&f.Groups, "groups", "", groupsUsage)
	return f
}

// Config: Certificates (-cert/-key, -cert2/-key2) and CurvePreferences (-groups).
func (f *ServerFlags) Config() (*tls.Config, error) {
	certs, err := LoadKeyPairs(f.Cert, f.Key, f.Cert2, f.Key2)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{Certificates: certs}
	if f.Groups != "" {
		ids, err := ParseGroups(f.Groups)
		if err != nil {
			return nil, fmt.Errorf("-groups: %v", err)
		}
		cfg.CurvePreferences = ids
	}
	return cfg, nil
}
