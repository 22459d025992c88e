package simulator

import (
	"context"
	"io"
	"net"
	"strings"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
)

// A webhook URL is public, so besides SmartLead's deliveries a test sends
// it what an attacker would. SlowRequest is the slowloris client of the
// flood test and of `make soak`.

// SlowOutcome is how a slow request ended.
type SlowOutcome int

// The ways a slow request ends.
const (
	SlowUnreachable SlowOutcome = iota // the connection could not be made
	SlowStopped                        // ctx ended first
	SlowCut                            // the server closed it without an answer
	SlowTimedOut                       // the server answered 408 Request Timeout
	SlowAnswered                       // the server answered something else
)

// SlowRequest opens a connection to addr and sends a POST to path one byte
// group a second without ever finishing it: header lines, or (with inBody)
// whole headers with a bad signature and then the body a byte at a time.
// It returns when the server answers or closes the connection, or when
// ctx ends.
func SlowRequest(ctx context.Context, addr, path string, inBody bool) SlowOutcome {
	d := net.Dialer{Timeout: 5 * time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		if ctx.Err() != nil {
			return SlowStopped
		}
		return SlowUnreachable
	}
	defer c.Close()
	head := "POST " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\n"
	if inBody {
		head += "Content-Length: 8192\r\n" + smartlead.SignatureHeader + ": sha256=" + strings.Repeat("ab", 32) + "\r\n\r\n{"
	}
	if _, err := io.WriteString(c, head); err != nil {
		return SlowCut
	}
	ended := make(chan string, 1)
	go func() {
		b := make([]byte, 64)
		n, _ := io.ReadAtLeast(c, b, 12)
		ended <- string(b[:n])
	}()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return SlowStopped
		case answer := <-ended:
			switch {
			case answer == "":
				return SlowCut
			case strings.HasPrefix(answer, "HTTP/1.1 408"):
				return SlowTimedOut
			default:
				return SlowAnswered
			}
		case <-tick.C:
			b := "X-Slow: 1\r\n"
			if inBody {
				b = " "
			}
			if _, err := io.WriteString(c, b); err != nil {
				return SlowCut
			}
		}
	}
}
