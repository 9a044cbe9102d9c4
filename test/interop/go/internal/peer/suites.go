// Cipher suite names (IANA) for the TLS 1.2 offer. Go lets neither side choose TLS 1.3 suites
// (Config.CipherSuites applies to TLS 1.2 only).
package peer

import (
	"crypto/tls"
	"fmt"
	"strings"
)

// ParseSuites turns "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,..." into suite IDs, secure or not:
// RSA key transport and CBC are in tls.InsecureCipherSuites, and RSA key transport must be named
// explicitly (Go 1.22 dropped it from its default list, GODEBUG tlsrsakex).
func ParseSuites(list string) ([]uint16, error) {
	all := append(tls.CipherSuites(), tls.InsecureCipherSuites()...)
	var out []uint16
next:
	for _, name := range strings.Split(list, ",") {
		for _, s := range all {
			if s.Name == name {
				out = append(out, s.ID)
				continue next
			}
		}
		return nil, fmt.Errorf("unknown cipher suite %q", name)
	}
	return out, nil
}
