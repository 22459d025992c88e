package tunnel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadbell/leadbell/internal/testkit"
)

func TestNgrokOptions(t *testing.T) {
	long := strings.Repeat("a", 64)
	tests := []struct {
		name       string
		opts       NgrokOptions
		want       error // nil: valid
		wantDomain string
		wantToken  string
	}{
		{name: "no token", opts: NgrokOptions{}, want: ErrNoAuthtoken},
		{name: "blank token", opts: NgrokOptions{Authtoken: " \n\t"}, want: ErrNoAuthtoken},
		{name: "pasted command", opts: NgrokOptions{Authtoken: "ngrok config add-authtoken " + testToken}, want: ErrBadAuthtoken},
		{name: "two lines", opts: NgrokOptions{Authtoken: testToken + "\n" + testToken}, want: ErrBadAuthtoken},
		{name: "token trimmed", opts: NgrokOptions{Authtoken: "  " + testToken + "\n"}, wantToken: testToken},
		{name: "domain", opts: NgrokOptions{Authtoken: testToken, Domain: "leadbell-jane.ngrok-free.app"}, wantDomain: "leadbell-jane.ngrok-free.app"},
		{name: "domain as https URL", opts: NgrokOptions{Authtoken: testToken, Domain: " https://Leadbell-Jane.ngrok.app/ "}, wantDomain: "leadbell-jane.ngrok.app"},
		{name: "domain with final dot", opts: NgrokOptions{Authtoken: testToken, Domain: "hooks.example.com."}, wantDomain: "hooks.example.com"},
		{name: "http URL", opts: NgrokOptions{Authtoken: testToken, Domain: "http://leadbell.ngrok.app"}, want: ErrBadDomain},
		{name: "with path", opts: NgrokOptions{Authtoken: testToken, Domain: "https://leadbell.ngrok.app/hooks"}, want: ErrBadDomain},
		{name: "with query", opts: NgrokOptions{Authtoken: testToken, Domain: "https://leadbell.ngrok.app?x=1"}, want: ErrBadDomain},
		{name: "with user", opts: NgrokOptions{Authtoken: testToken, Domain: "https://jane@leadbell.ngrok.app"}, want: ErrBadDomain},
		{name: "with port", opts: NgrokOptions{Authtoken: testToken, Domain: "leadbell.ngrok.app:443"}, want: ErrBadDomain},
		{name: "wildcard", opts: NgrokOptions{Authtoken: testToken, Domain: "*.leadbell.ngrok.app"}, want: ErrBadDomain},
		{name: "IP address", opts: NgrokOptions{Authtoken: testToken, Domain: "203.0.113.7"}, want: ErrBadDomain},
		{name: "single label", opts: NgrokOptions{Authtoken: testToken, Domain: "localhost"}, want: ErrBadDomain},
		{name: "underscore", opts: NgrokOptions{Authtoken: testToken, Domain: "lead_bell.ngrok.app"}, want: ErrBadDomain},
		{name: "leading hyphen", opts: NgrokOptions{Authtoken: testToken, Domain: "-leadbell.ngrok.app"}, want: ErrBadDomain},
		{name: "empty label", opts: NgrokOptions{Authtoken: testToken, Domain: "leadbell..ngrok.app"}, want: ErrBadDomain},
		{name: "label over 63", opts: NgrokOptions{Authtoken: testToken, Domain: long + ".ngrok.app"}, want: ErrBadDomain},
		{name: "negative timeout", opts: NgrokOptions{Authtoken: testToken, ConnectTimeout: -time.Second}, want: errAny},
		{name: "server address without port", opts: NgrokOptions{Authtoken: testToken, ServerAddr: "connect.example.com"}, want: errAny},
		{name: "server address", opts: NgrokOptions{Authtoken: testToken, ServerAddr: "127.0.0.1:4443"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.opts.withDefaults()
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("withDefaults: %v", err)
			case tt.want == errAny && err == nil, tt.want != nil && tt.want != errAny && !errors.Is(err, tt.want):
				t.Fatalf("withDefaults: err = %v, want %v", err, tt.want)
			case err != nil:
				if strings.Contains(err.Error(), testToken) {
					t.Errorf("error contains the authtoken: %v", err)
				}
				return
			}
			if got.Domain != tt.wantDomain {
				t.Errorf("Domain = %q, want %q", got.Domain, tt.wantDomain)
			}
			if tt.wantToken != "" && got.Authtoken != tt.wantToken {
				t.Errorf("Authtoken = %q, want it trimmed", got.Authtoken)
			}
			if got.ConnectTimeout != DefaultConnectTimeout || got.Logger == nil {
				t.Errorf("defaults: ConnectTimeout = %s, Logger = %v", got.ConnectTimeout, got.Logger)
			}
		})
	}
}

// errAny stands for "some error" in the table above.
var errAny = errors.New("any error")

func TestNgrokRefusesBadOptionsWithoutDialing(t *testing.T) {
	tests := []struct {
		name string
		opts NgrokOptions
		want error
	}{
		{name: "no token", opts: NgrokOptions{}, want: ErrNoAuthtoken},
		{name: "bad domain", opts: NgrokOptions{Authtoken: testToken, Domain: "https://x.ngrok.app/path"}, want: ErrBadDomain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, accepts := countingListener(t)
			tt.opts.ServerAddr = ln.Addr().String()
			if _, err := Ngrok(context.Background(), tt.opts); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			// A connection of ours, accepted after any of Ngrok's.
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			testkit.WaitFor(t, "our connection accepted", func() bool { return accepts.Load() > 0 })
			if n := accepts.Load(); n != 1 {
				t.Errorf("the server saw %d connections; Ngrok dialed", n-1)
			}
		})
	}
}

func TestNgrokUnreachable(t *testing.T) {
	tests := []struct {
		name     string
		server   func(net.Conn) // nil: nothing listens
		want     error
		wantText string
	}{
		{name: "accepts and says nothing", server: func(c net.Conn) {}, want: ErrTimeout, wantText: "no answer"},
		// The cause varies with timing (EOF, reset, a TLS error, "session
		// closed"); the attempt always fails at the authentication request.
		{name: "closes at once", server: func(c net.Conn) { c.Close() }, want: ErrUnreachable, wantText: "failed to send authentication request"},
		{name: "speaks garbage", server: func(c net.Conn) {
			c.Read(make([]byte, 4096)) // the TLS hello
			c.Write([]byte("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"))
			c.Close()
		}, want: ErrUnreachable, wantText: "failed to send authentication request"},
		{name: "refuses", want: ErrUnreachable, wantText: "refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := serveRaw(t, tt.server)
			logs := newLogBuffer()
			opts := NgrokOptions{Authtoken: testToken, ServerAddr: addr, ConnectTimeout: 1500 * time.Millisecond, Logger: logs.logger()}
			err := ngrokErr(t, context.Background(), opts)
			t.Logf("err: %v", err)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("err = %v; want %v mentioning %q", err, tt.want, tt.wantText)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("err contains the authtoken: %v", err)
			}
			logs.assertNo(t, testToken)
		})
	}
}

func TestNgrokConnectAbandoned(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := serveRaw(t, func(net.Conn) { cancel() }) // hold the connection, give up on it
	err := ngrokErr(t, ctx, NgrokOptions{Authtoken: testToken, ServerAddr: addr, ConnectTimeout: time.Minute})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestRedactHandler(t *testing.T) {
	logs := newLogBuffer()
	log := slog.New(newRedactHandler(logs.handler(), redactor{secret: testToken})).With("token_attr", testToken)
	type auth struct{ Authtoken string }
	log.WithGroup("session").Error("auth failed for "+testToken,
		"err", fmt.Errorf("authentication failed: Your authtoken: %s", testToken),
		"msg", "Your authtoken: "+testToken,
		"req", auth{Authtoken: testToken},
		slog.Group("extra", "token", testToken, "attempt", 3),
	)
	out := logs.String()
	logs.assertNo(t, testToken)
	if n := strings.Count(out, masked); n != 6 {
		t.Errorf("%d masked values, want 6:\n%s", n, out)
	}
	if !strings.Contains(out, `"attempt":3`) {
		t.Errorf("other values changed:\n%s", out)
	}
}

// ngrokErr runs Ngrok, which must fail, and returns its error. The bound
// only keeps a broken connect from hanging the test.
func ngrokErr(t *testing.T, ctx context.Context, opts NgrokOptions) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		tun, err := Ngrok(ctx, opts)
		if err == nil {
			tun.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Ngrok succeeded")
		}
		return err
	case <-time.After(opts.ConnectTimeout + 30*time.Second):
		t.Fatal("Ngrok did not return after its deadline")
		return nil
	}
}

// serveRaw listens on loopback and hands each connection to serve; with
// serve nil, the address refuses connections. Held connections are closed
// at the end of the test.
func serveRaw(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if serve == nil {
		ln.Close()
		return ln.Addr().String()
	}
	var mu sync.Mutex
	var held []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	go acceptLoop(ln, func(c net.Conn) {
		mu.Lock()
		held = append(held, c)
		mu.Unlock()
		serve(c)
	})
	return ln.Addr().String()
}

// countingListener counts the connections it accepts.
func countingListener(t *testing.T) (net.Listener, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go acceptLoop(ln, func(c net.Conn) {
		n.Add(1)
		defer c.Close()
	})
	return ln, &n
}

// logBuffer collects JSON log lines, debug level included.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func newLogBuffer() *logBuffer { return &logBuffer{} }

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) handler() slog.Handler {
	return slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug})
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(l.handler()) }

// assertNo fails for every log line that contains secret.
func (l *logBuffer) assertNo(t *testing.T, secret string) {
	t.Helper()
	for line := range strings.SplitSeq(l.String(), "\n") {
		if strings.Contains(line, secret) {
			t.Errorf("a log line contains the authtoken: %s", line)
		}
	}
}
