// The clients' -http request: hush's test servers describe the connection at /api/connection.
package peer

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// GetConnection sends GET /api/connection (HTTP/1.1, Connection: close) and returns the body of the
// 200 response on one line (hush's JSON), for the "BODY ..." line.
func GetConnection(conn *tls.Conn, host string) (string, error) {
	req := "GET /api/connection HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		return "", fmt.Errorf("write request: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return "", fmt.Errorf("read response: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("read body: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("bad response: %s %q", resp.Status, body)
	}
	return strings.ReplaceAll(strings.TrimSpace(string(body)), "\n", " "), nil
}
