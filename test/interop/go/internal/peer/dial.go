// The client side of one connection.
package peer

import (
	"crypto/tls"
	"net"
	"time"
)

// Dial connects to addr over TCP and wraps the socket as a TLS client; timeout bounds the dial and,
// as a deadline, everything after it (handshake and data). The caller runs the handshake.
func Dial(addr string, cfg *tls.Config, timeout time.Duration) (*tls.Conn, error) {
	raw, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	_ = raw.SetDeadline(time.Now().Add(timeout))
	return tls.Client(raw, cfg), nil
}
