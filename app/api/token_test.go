package api

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadToken(t *testing.T) {
	dir := t.TempDir()
	tok, err := LoadToken(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) < 32 {
		t.Errorf("token of %d characters, want at least 128 bits", len(tok))
	}
	info, err := os.Stat(filepath.Join(dir, TokenFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file %v, %v: want mode 0600", info, err)
	}
	again, err := LoadToken(dir)
	if err != nil || again != tok {
		t.Errorf("second load %q, %v: want the same token", again, err)
	}
	if read, err := ReadToken(dir); err != nil || read != tok {
		t.Errorf("ReadToken = %q, %v", read, err)
	}
	if _, err := ReadToken(t.TempDir()); err == nil {
		t.Error("ReadToken made up a token where there is none")
	}
}

// TestTokenGate replays the attacks on the local API: without the token,
// with a wrong one, with a forged Host, with the token in an API call's
// query; and the ways in that must work.
func TestTokenGate(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("inner " + r.URL.Path)) })
	cookieName := CookieName("8787")
	srv := httptest.NewServer(HostCheck(TokenGate(token, cookieName, inner)))
	defer srv.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		name, path, host, bearer, cookie string
		put                              bool
		want                             int
		body                             string // a part of the answer
	}{
		{"API without the token", "/api/settings", "", "", "", false, 401, `"code":"ui_token"`},
		{"API with Host: localhost forged and no token", "/api/settings", "localhost:8787", "", "", false, 401, "ui_token"},
		{"PUT of an ngrok token without the token", "/api/settings", "localhost", "", "", true, 401, "ui_token"},
		{"API with a wrong token", "/api/settings", "", "0123", "", false, 401, "ui_token"},
		{"API with the token in the query", "/api/settings?token=" + token, "", "", "", false, 401, "ui_token"},
		{"API with a non-loopback Host", "/api/settings", "192.168.1.9:8787", token, "", false, 403, "localhost"},
		{"API with the bearer token", "/api/settings", "", token, "", false, 200, "inner /api/settings"},
		{"API with the cookie", "/api/stream", "", "", token, false, 200, "inner /api/stream"},
		{"page without the token", "/", "", "", "", false, 401, "leadbell open"},
		{"page with a wrong token", "/?token=nope", "", "", "", false, 401, "Open Leadbell"},
		{"page with the cookie", "/inbox", "", "", token, false, 200, "inner /inbox"},
		{"static files", "/assets/index.js", "", "", "", false, 200, "inner /assets/index.js"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := http.MethodGet
			if tt.put {
				method = http.MethodPut
			}
			req, _ := http.NewRequest(method, srv.URL+tt.path, strings.NewReader(`{"ngrok_token":"attacker"}`))
			if tt.host != "" {
				req.Host = tt.host
			}
			if tt.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+tt.bearer)
			}
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: cookieName, Value: tt.cookie})
			}
			res, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			buf := make([]byte, 4096)
			n, _ := res.Body.Read(buf)
			if res.StatusCode != tt.want || !strings.Contains(string(buf[:n]), tt.body) {
				t.Errorf("%d %q, want %d with %q", res.StatusCode, buf[:n], tt.want, tt.body)
			}
		})
	}

	// Opening the printed link sets the cookie and drops the token from
	// the address.
	res, err := noRedirect.Get(srv.URL + "/?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("the link answered %d to %q, want 303 to /", res.StatusCode, res.Header.Get("Location"))
	}
	var c *http.Cookie
	for _, k := range res.Cookies() {
		if k.Name == cookieName {
			c = k
		}
	}
	if c == nil || c.Value != token || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" {
		t.Fatalf("cookie %+v, want the token, HttpOnly, SameSite=Strict, for /", c)
	}
	// Opened again with the cookie set, the link still drops the token.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/?token="+token, nil)
	req.AddCookie(c)
	res, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Errorf("the link opened again answered %d to %q, want 303 to /", res.StatusCode, res.Header.Get("Location"))
	}
}
