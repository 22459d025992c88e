package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// uiTokenFile is the UI token's file in the data directory (api.TokenFile).
const uiTokenFile = "ui-token"

// tokenTransport sends the UI token, as Leadbell's own command line does
// ("Authorization: Bearer <token>"), on every request for the UI's
// host:port; requests elsewhere (the simulator, the webhook listener) go
// out untouched.
type tokenTransport struct {
	host, token string
	next        http.RoundTripper
}

func (tt tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != tt.host {
		return tt.next.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+tt.token)
	return tt.next.RoundTrip(r)
}

// uiClient is the client for one Leadbell's UI at base (http://host:port):
// every call to it carries token.
func uiClient(base, token string) *http.Client {
	u, err := url.Parse(base)
	if err != nil {
		panic(fmt.Sprintf("e2e: the UI address %q does not parse: %v", base, err))
	}
	return &http.Client{Transport: tokenTransport{host: u.Host, token: token, next: http.DefaultTransport}}
}

// parseLink splits the link Leadbell prints (http://host:port/?token=...)
// into the UI's address and the token.
func parseLink(link string) (base, token string, err error) {
	u, err := url.Parse(link)
	if err != nil {
		return "", "", err
	}
	token = u.Query().Get("token")
	if u.Scheme != "http" || u.Host == "" || u.Path != "/" || token == "" {
		return "", "", fmt.Errorf("%q is not http://host:port/?token=<token>", link)
	}
	return u.Scheme + "://" + u.Host, token, nil
}

// readToken waits until the Leadbell started on dir has made its UI token,
// and returns it.
func readToken(t *testing.T, dir string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, err := os.ReadFile(filepath.Join(dir, uiTokenFile))
		if token := strings.TrimSpace(string(b)); err == nil && token != "" {
			return token
		}
		if time.Now().After(deadline) {
			t.Fatalf("no UI token in %s after 30 s: %v", dir, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// attach is a proc for a Leadbell the test started itself (the window),
// serving its UI on addr with the data in dir: its calls carry the token
// read from dir.
func attach(t *testing.T, addr, dir string) *proc {
	t.Helper()
	token := readToken(t, dir)
	ui := "http://" + addr
	return &proc{t: t, UI: ui, Link: ui + "/?token=" + token, client: uiClient(ui, token), done: make(chan struct{})}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
