// Certificate loading: trusted CAs and the server's key pairs, from PEM files.
package peer

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// LoadCertPool reads the CA certificates of a PEM file (-ca, -client-ca).
func LoadCertPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificates in %s", file)
	}
	return pool, nil
}

// LoadKeyPairs loads -cert/-key and, when cert2 is set, -cert2/-key2. Go picks among several
// certificates by what the client offers (key type, signature algorithms, SNI).
func LoadKeyPairs(cert, key, cert2, key2 string) ([]tls.Certificate, error) {
	first, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, fmt.Errorf("load key pair: %v", err)
	}
	out := []tls.Certificate{first}
	if cert2 != "" {
		second, err := tls.LoadX509KeyPair(cert2, key2)
		if err != nil {
			return nil, fmt.Errorf("load second key pair: %v", err)
		}
		out = append(out, second)
	}
	return out, nil
}
