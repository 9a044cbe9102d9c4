// The clients' failure line. Clients report on stdout, one line each ("HANDSHAKE ...", "ECHO ...",
// "BODY ...", "ERROR ..."); servers print "LISTENING <port>" on stdout and log to stderr.
package peer

import (
	"fmt"
	"os"
)

// Fail prints "ERROR <message>" on stdout and exits 1.
func Fail(format string, args ...interface{}) {
	fmt.Printf("ERROR "+format+"\n", args...)
	os.Exit(1)
}
