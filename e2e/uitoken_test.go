package e2e

import (
	"encoding/json"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
)

// apiCall is one call of the local API.
type apiCall struct{ method, path, body string }

// apiCalls is every route of the local API, each as another program on
// this computer would call it: the ones that change something carry a
// body that would (signing in to SmartLead with apiKey, an account of the
// attacker's).
func apiCalls(apiKey string) []apiCall {
	return []apiCall{
		{"GET", "/api/status", ""},
		{"GET", "/api/events", ""},
		{"GET", "/api/events/1", ""},
		{"POST", "/api/events/1/read", `{"read":true}`},
		{"POST", "/api/events/1/replay", ""},
		{"DELETE", "/api/events/1", ""},
		{"GET", "/api/leads/1/events", ""},
		{"GET", "/api/export?type=all&format=json", ""},
		{"GET", "/api/settings", ""},
		{"PUT", "/api/settings", `{"ngrok_token":"` + stolenNgrokToken + `"}`},
		{"POST", "/api/signin", `{"api_key":"` + apiKey + `"}`},
		{"POST", "/api/signout", ""},
		{"GET", "/api/campaigns", ""},
		{"GET", "/api/deliveries", ""},
		{"GET", "/api/stats?range=24h", ""},
		{"GET", "/api/stream", ""},
		{"GET", "/api/demo", ""},
		{"POST", "/api/demo", ""},
		{"GET", "/api/no-such-route", ""},
	}
}

// stolenNgrokToken is the ngrok token an attacker would have Leadbell use,
// to carry its webhooks (the user's replies) through the attacker's tunnel.
const stolenNgrokToken = "2attackerNgrokToken0000000000000_attackerattackerattacker"

// TestUIToken replays, against a real leadbell serve, what another program
// or user of this computer could try on the local API: every call without
// the token, with a wrong one, with a forged "Host: localhost", with the
// token in the query string instead of the header, and with another
// host's name, is refused (401; 403 for the Host), changes nothing, and
// never echoes the token. A browser gets in by the printed link alone, and
// leadbell open prints that link again.
func TestUIToken(t *testing.T) {
	sim := newSim(t, simulator.FamilyLive)
	dir := t.TempDir()
	p := start(t, nil, serveArgs(dir, freeAddr(t), sim)...) // signed out: nothing to sign in with but the attacker's call
	p.waitState("signed_out")
	_, token, _ := parseLink(p.Link)
	host := strings.TrimPrefix(p.UI, "http://")
	calls := apiCalls(sim.APIKey())

	t.Run("the token file", func(t *testing.T) {
		info, err := os.Stat(filepath.Join(dir, uiTokenFile))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600: only the user may read it", uiTokenFile, info.Mode().Perm())
		}
		if got := readToken(t, dir); got != token {
			t.Errorf("the printed link's token is not the one in %s", uiTokenFile)
		}
		if !regexp.MustCompile(`^[0-9a-f]{32,}$`).MatchString(token) {
			t.Errorf("the token %q is not at least 32 hex characters", token)
		}
	})

	t.Run("every API call without the token is refused", func(t *testing.T) {
		attacks := []struct {
			name string
			want int
			// forge changes a bare request (the call without any token) into the attack.
			forge func(r *http.Request)
		}{
			{"no token", 401, func(*http.Request) {}},
			{"a wrong token", 401, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+strings.Repeat("0", len(token))) }},
			{"the token cut short", 401, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token[:len(token)-1]) }},
			{"the token not as a bearer", 401, func(r *http.Request) { r.Header.Set("Authorization", token) }},
			{"a wrong cookie", 401, func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "leadbell_ui_" + portOf(host), Value: "guess"}) }},
			{"Host: localhost forged", 401, func(r *http.Request) { r.Host = "localhost" }},
			{"Host: localhost:port forged", 401, func(r *http.Request) { r.Host = "localhost:" + portOf(host) }},
			{"the token in the query string", 401, func(r *http.Request) {
				q := r.URL.Query()
				q.Set("token", token)
				r.URL.RawQuery = q.Encode()
			}},
			{"another host's name", 403, func(r *http.Request) { r.Host = "leadbell.attacker.example" }},
			{"another host's name, with the token", 403, func(r *http.Request) {
				r.Host = "leadbell.attacker.example"
				r.Header.Set("Authorization", "Bearer "+token)
			}},
		}
		for _, a := range attacks {
			t.Run(a.name, func(t *testing.T) {
				for _, c := range calls {
					req, err := http.NewRequest(c.method, p.UI+c.path, strings.NewReader(c.body))
					if err != nil {
						t.Fatal(err)
					}
					if c.body != "" {
						req.Header.Set("Content-Type", "application/json")
					}
					a.forge(req)
					code, body, ctype := send(t, http.DefaultClient, req)
					if code != a.want {
						t.Errorf("%s %s with %s: %d %s, want %d", c.method, c.path, a.name, code, body, a.want)
						continue
					}
					if strings.Contains(body, token) {
						t.Errorf("%s %s with %s: the refusal echoes the token", c.method, c.path, a.name)
					}
					if strings.HasPrefix(ctype, "text/event-stream") {
						t.Errorf("%s %s with %s: refused, but as an event stream", c.method, c.path, a.name)
					}
					if a.want == 401 {
						var e struct{ Error, Code string }
						if err := json.Unmarshal([]byte(body), &e); err != nil || e.Code != "ui_token" || e.Error == "" {
							t.Errorf("%s %s with %s: 401 %q, want the API's {error, code: ui_token}", c.method, c.path, a.name, body)
						}
					}
				}
			})
		}
	})

	t.Run("the refused calls changed nothing", func(t *testing.T) {
		var s struct {
			SignedIn      bool `json:"signed_in"`
			NgrokTokenSet bool `json:"ngrok_token_set"`
		}
		if code := p.getJSON("/api/settings", &s); code != 200 || s.NgrokTokenSet || s.SignedIn {
			t.Errorf("GET /api/settings with the token: %d %+v, want 200, no ngrok token set, signed out", code, s)
		}
		if st := p.status(); st.State != "signed_out" || st.Demo {
			t.Errorf("status %q (demo %v) after the refused calls, want signed_out, not the demo", st.State, st.Demo)
		}
		if n := len(sim.Webhooks()); n != 0 {
			t.Errorf("SmartLead holds %d webhooks after a refused sign-in with a good key, want none", n)
		}
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err == nil && strings.Contains(string(b), stolenNgrokToken) {
				t.Errorf("%s holds the ngrok token of a refused PUT /api/settings", path)
			}
			if err == nil && strings.Contains(string(b), sim.APIKey()) {
				t.Errorf("%s holds the API key of a refused sign-in", path)
			}
			return nil
		})
	})

	t.Run("the token opens every call", func(t *testing.T) {
		for _, c := range calls {
			if c.method != http.MethodGet || c.path == "/api/stream" {
				continue // no change to undo; the stream has its own test
			}
			req, _ := http.NewRequest(c.method, p.UI+c.path, nil)
			if code, body, _ := send(t, p.client, req); code == 401 || code == 403 {
				t.Errorf("%s %s with the token: %d %s", c.method, c.path, code, body)
			}
		}
	})

	t.Run("the event stream", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, p.UI+"/api/stream", nil)
		if code, _, ctype := send(t, http.DefaultClient, req); code != 401 || strings.HasPrefix(ctype, "text/event-stream") {
			t.Errorf("GET /api/stream without the token: %d %s, want 401", code, ctype)
		}
		p.openStream("/api/stream", nil).wait(t, "ready", 1) // and with it, the stream runs
	})

	t.Run("a browser gets in by the printed link", func(t *testing.T) {
		testPrintedLink(t, p.Link, p.UI, token)
	})

	t.Run("leadbell open prints the link", func(t *testing.T) {
		r := exec2(t, nil, "open", "--print", "--data", dir, "--ui", host)
		if r.code != 0 || strings.TrimSpace(r.stdout) != p.Link {
			t.Fatalf("leadbell open --print: exit %d, printed %q (%s), want %s", r.code, r.stdout, r.stderr, p.Link)
		}
		testPrintedLink(t, strings.TrimSpace(r.stdout), p.UI, token)

		none := exec2(t, nil, "open", "--print", "--data", t.TempDir(), "--ui", host)
		if none.code == 0 || !strings.Contains(none.stderr, "no Leadbell has run") || none.stdout != "" {
			t.Errorf("leadbell open --print on a data dir never run: exit %d, %q %q; want a failure that says so, and no link", none.code, none.stdout, none.stderr)
		}
	})
	p.stop()
}

// send does req with client and returns the status, the body (up to 64
// KiB: an event stream is cut there) and the content type.
func send(t *testing.T, client *http.Client, req *http.Request) (code int, body, ctype string) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	ctype = resp.Header.Get("Content-Type")
	if strings.HasPrefix(ctype, "text/event-stream") {
		return resp.StatusCode, "", ctype // it would never end
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, string(b), ctype
}

func portOf(hostport string) string {
	_, port, _ := net.SplitHostPort(hostport)
	return port
}
