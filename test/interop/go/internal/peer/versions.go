// TLS version names: "1.2"/"1.3" on the command line, "TLSv1.2"/"TLSv1.3" in the output lines.
package peer

import (
	"crypto/tls"
	"fmt"
)

// ParseVersion reads -min-version/-max-version.
func ParseVersion(v string) (uint16, error) {
	switch v {
	case "1.2":
		return tls.VersionTLS12, nil
	case "1.3":
		return tls.VersionTLS13, nil
	}
	return 0, fmt.Errorf("unknown version %q (1.2 or 1.3)", v)
}

// VersionName is the version as the HANDSHAKE lines and the server's log print it.
func VersionName(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	}
	return fmt.Sprintf("0x%04x", v)
}
