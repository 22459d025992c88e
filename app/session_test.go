package app

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/secrets"
	"github.com/leadbell/leadbell/internal/testkit"
)

// runSession starts a signed-out session (or a demo one) in a temp dir and
// serves its API over loopback.
func runSession(t *testing.T, demo bool) (*Session, *httptest.Server, string) {
	t.Helper()
	return serveSession(t, Config{Tunnel: "none", SelfTestTimeout: 5 * time.Second, Demo: demo})
}

// serveSession starts a session of cfg in a temp data dir, with a local
// listener, and serves its API over loopback until the test ends.
func serveSession(t *testing.T, cfg Config) (*Session, *httptest.Server, string) {
	t.Helper()
	dir := t.TempDir()
	cfg.DataDir, cfg.Listen = dir, "127.0.0.1:0"
	cfg.Secrets = secrets.NewFile(filepath.Join(dir, "secrets.json"))
	sess, err := NewSession(cfg, fstest.MapFS{"index.html": {Data: []byte("<!doctype html>")}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sess.Run(ctx) }()
	srv := httptest.NewServer(sess)
	t.Cleanup(func() {
		srv.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := sess.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return sess, srv, dir
}

func getJSON[T any](t *testing.T, url string) T {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var v T
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return v
}

func demoCall(t *testing.T, srv *httptest.Server, method string) (int, DemoState) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, srv.URL+"/api/demo", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s /api/demo: %v", method, err)
	}
	defer res.Body.Close()
	var st DemoState
	body, _ := io.ReadAll(res.Body)
	json.Unmarshal(body, &st)
	return res.StatusCode, st
}

func TestSessionTryTheDemoAndLeave(t *testing.T) {
	sess, srv, dir := runSession(t, false)
	if st := getJSON[api.Status](t, srv.URL+"/api/status"); st.State != api.StateSignedOut || st.Demo {
		t.Fatalf("at first: state %q demo %v, want signed_out and not the demo", st.State, st.Demo)
	}

	// An event stream open on the user's session ends when the demo starts.
	stream, err := http.Get(srv.URL + "/api/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	streamEnded := make(chan struct{})
	go func() {
		io.Copy(io.Discard, bufio.NewReader(stream.Body))
		close(streamEnded)
	}()

	code, st := demoCall(t, srv, http.MethodPost)
	if code != http.StatusOK || !st.Demo || !st.CanLeave {
		t.Fatalf("POST /api/demo = %d %+v, want 200, demo, can leave", code, st)
	}
	select {
	case <-streamEnded:
	case <-time.After(10 * time.Second):
		t.Fatal("the user's event stream stayed open after switching to the demo")
	}
	if !sess.InDemo() {
		t.Fatal("InDemo() = false after POST /api/demo")
	}
	testkit.WaitFor(t, "the demo to listen", func() bool {
		st := getJSON[api.Status](t, srv.URL+"/api/status")
		return st.Demo && st.State == api.StateListening
	})
	testkit.WaitFor(t, "simulated events", func() bool {
		page := getJSON[struct{ Events []json.RawMessage }](t, srv.URL+"/api/events?limit=5")
		return len(page.Events) > 0
	})
	if got := sess.Current().Store.Path(); got != filepath.Join(DemoDir(dir), DBFile) {
		t.Errorf("the demo's store is %s, want it in %s", got, DemoDir(dir))
	}

	code, st = demoCall(t, srv, http.MethodDelete)
	if code != http.StatusOK || st.Demo {
		t.Fatalf("DELETE /api/demo = %d %+v, want 200 and not the demo", code, st)
	}
	status := getJSON[api.Status](t, srv.URL+"/api/status")
	if status.Demo || status.State != api.StateSignedOut {
		t.Errorf("after leaving: state %q demo %v, want signed_out and not the demo", status.State, status.Demo)
	}
	page := getJSON[struct{ Events []json.RawMessage }](t, srv.URL+"/api/events?limit=5")
	if len(page.Events) != 0 {
		t.Errorf("the user's inbox holds %d events after the demo, want none: demo events leaked", len(page.Events))
	}
	// Asking twice is harmless.
	if code, st := demoCall(t, srv, http.MethodDelete); code != http.StatusOK || st.Demo {
		t.Errorf("a second DELETE /api/demo = %d %+v, want 200 and not the demo", code, st)
	}
}

func TestSessionStartedAsDemoCannotLeave(t *testing.T) {
	_, srv, _ := runSession(t, true)
	code, st := demoCall(t, srv, http.MethodGet)
	if code != http.StatusOK || !st.Demo || st.CanLeave {
		t.Fatalf("GET /api/demo = %d %+v, want 200, demo, cannot leave", code, st)
	}
	req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/api/demo", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusConflict || !strings.Contains(string(body), `"no_account"`) {
		t.Errorf("DELETE /api/demo = %d %s, want 409 no_account", res.StatusCode, body)
	}
	if st := getJSON[api.Status](t, srv.URL+"/api/status"); !st.Demo {
		t.Error("status.demo = false in a session started as the demo")
	}
}

func TestSessionDemoRefusesCrossSiteSwitch(t *testing.T) {
	sess, srv, _ := runSession(t, false)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/demo", nil)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site POST /api/demo = %d, want 403", res.StatusCode)
	}
	if sess.InDemo() {
		t.Error("a cross-site request switched to the demo")
	}
}

func putSettings(t *testing.T, srv *httptest.Server, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/api/settings", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestMakeThisComputerReachable: signed in with no tunnel and no public
// address, SmartLead (on the internet) cannot reach this computer: the
// state says so and nothing is registered. A public address given in
// Settings starts the connection again with it.
func TestMakeThisComputerReachable(t *testing.T) {
	_, srv, _ := serveSession(t, Config{Tunnel: "none", APIKey: "a-key-never-sent-anywhere",
		SmartLeadURL: "https://smartlead.invalid/api/v1", RetryDelay: time.Hour, SelfTestTimeout: 2 * time.Second})
	var st api.Status
	testkit.WaitFor(t, "the unreachable state", func() bool {
		st = getJSON[api.Status](t, srv.URL+"/api/status")
		return st.State == api.StateUnreachable
	})
	if !strings.Contains(st.Message, "only works on this computer") || st.Registered {
		t.Fatalf("status %+v, want why, and nothing registered", st)
	}
	if code := putSettings(t, srv, `{"public_url": "not a url"}`); code != http.StatusBadRequest {
		t.Fatalf("a bad public address got %d, want 400", code)
	}
	if code := putSettings(t, srv, `{"public_url": "https://leads.example.com/"}`); code != http.StatusOK {
		t.Fatalf("PUT public_url: %d", code)
	}
	testkit.WaitFor(t, "the new address in use", func() bool {
		st = getJSON[api.Status](t, srv.URL+"/api/status")
		return strings.HasPrefix(st.WebhookURL, "https://leads.example.com/hooks/") && st.State != api.StateUnreachable
	})
	set := getJSON[api.Settings](t, srv.URL+"/api/settings")
	if set.PublicURL != "https://leads.example.com" || set.PublicURLSource != "" {
		t.Errorf("settings public_url %q (source %q)", set.PublicURL, set.PublicURLSource)
	}
}

// TestNgrokThatCannotConnectStillStarts: a saved ngrok token that cannot
// connect (offline, refused) does not stop Leadbell: it runs on a local
// listener and says why, so the token can be fixed in Settings.
func TestNgrokThatCannotConnectStillStarts(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	addr := closed.Listener.Addr().String()
	closed.Close()
	t.Setenv("NGROK_AUTHTOKEN", "2Xk9aBcDeFgHiJkLmNoPqRsTuVw_3xYz1234567890AbCdEfGhIj")
	_, srv, _ := serveSession(t, Config{Tunnel: "ngrok", APIKey: "k-0000000000", SmartLeadURL: "https://smartlead.invalid/api/v1",
		NgrokServerAddr: addr, NgrokConnectTimeout: 500 * time.Millisecond})
	var st api.Status
	testkit.WaitFor(t, "the unreachable state", func() bool {
		st = getJSON[api.Status](t, srv.URL+"/api/status")
		return st.State == api.StateUnreachable
	})
	if !strings.Contains(st.Message, "ngrok cannot be reached") || st.Tunnel != "none" || strings.Contains(st.Message, "2Xk9aBcDeF") {
		t.Fatalf("status %+v, want it running locally, saying ngrok cannot be reached, without the token", st)
	}
}

// TestNgrokDomainCheckedWhenSaved: a mistyped domain is refused with a
// sentence when saved, not found out at the next start; a pasted URL is
// taken as its domain.
func TestNgrokDomainCheckedWhenSaved(t *testing.T) {
	_, srv, _ := runSession(t, false)
	for _, bad := range []string{`"leads jane.ngrok-free.app"`, `"https://leads.ngrok-free.app/path"`, `"localhost"`} {
		if code := putSettings(t, srv, `{"ngrok_domain": `+bad+`}`); code != http.StatusBadRequest {
			t.Errorf("domain %s got %d, want 400", bad, code)
		}
	}
	if code := putSettings(t, srv, `{"ngrok_domain": "https://Leads-Jane.ngrok-free.app/"}`); code != http.StatusOK {
		t.Fatalf("a good domain got %d", code)
	}
	if set := getJSON[api.Settings](t, srv.URL+"/api/settings"); set.NgrokDomain != "leads-jane.ngrok-free.app" {
		t.Errorf("domain saved as %q", set.NgrokDomain)
	}
}
