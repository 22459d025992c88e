package api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The local API answers only Leadbell's own UI and command line (the model
// Jupyter uses): every /api/ call over TCP carries a random token kept in
// the data directory, readable by the user alone. The Host check stops DNS
// rebinding, not another user or program on the computer that sends
// "Host: localhost" itself; the token does.

// TokenFile is the name of the UI token's file in the data directory.
const TokenFile = "ui-token"

// CookieName is the cookie that carries the token for the browser on the
// UI served at port: a cookie belongs to a host, not a port, so two
// Leadbells (two data folders) in one browser each need their own.
func CookieName(port string) string { return "leadbell_ui_" + port }

// LoadToken returns the UI token kept in dir, making a new one (256 random
// bits, in a file of mode 0600) the first time.
func LoadToken(dir string) (string, error) {
	path := filepath.Join(dir, TokenFile)
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("api: unable to read the UI token: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("api: unable to make a UI token: %w", err)
	}
	token := hex.EncodeToString(raw)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("api: unable to make the data directory: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(token+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("api: unable to keep the UI token: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("api: unable to keep the UI token: %w", err)
	}
	return token, nil
}

// ReadToken returns the UI token kept in dir, for the command line to call
// a running Leadbell; it never makes one.
func ReadToken(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, TokenFile))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// TokenGate requires the UI token on what next serves over TCP: every
// /api/ call needs it as "Authorization: Bearer <token>" or in the
// HttpOnly, SameSite=Strict cookie, else 401. A page opened with
// ?token=<token> sets the cookie and comes back without the token in its
// address; a page without either gets a short page that says how to open
// Leadbell. The built UI's static files are served to anyone: they hold
// nothing of the user's. The window reaches the API in-process, without
// this gate.
func TokenGate(token, cookieName string, next http.Handler) http.Handler {
	want := []byte(token)
	valid := func(got string) bool { return got != "" && subtle.ConstantTimeCompare([]byte(got), want) == 1 }
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/assets/") {
			next.ServeHTTP(w, r)
			return
		}
		bearer, hasBearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		cookie, _ := r.Cookie(cookieName)
		ok := hasBearer && valid(strings.TrimSpace(bearer)) || cookie != nil && valid(cookie.Value)
		api := strings.HasPrefix(r.URL.Path, "/api/")
		switch {
		case !api && r.Method == http.MethodGet && valid(r.URL.Query().Get("token")):
			// The printed link, also when the cookie is there already:
			// the token never stays in the address bar or the history.
			http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: "/", HttpOnly: true,
				SameSite: http.SameSiteStrictMode, MaxAge: int((365 * 24 * time.Hour).Seconds())})
			clean := *r.URL
			q := clean.Query()
			q.Del("token")
			clean.RawQuery = q.Encode()
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, clean.RequestURI(), http.StatusSeeOther)
		case ok:
			next.ServeHTTP(w, r)
		case api:
			WriteError(w, http.StatusUnauthorized, "ui_token",
				"This is Leadbell's own API: open Leadbell with the link it printed, or send its token (the ui-token file in its data folder).")
		default:
			howToOpen(w)
		}
	})
}

// howToOpen is the page a browser gets without the token.
func howToOpen(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	io.WriteString(w, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Leadbell</title></head>
<body>
<h1>Open Leadbell from its link</h1>
<p>Leadbell's inbox is only shown to you. Open it from the Leadbell window, or with the link Leadbell printed when it started
(it ends with <code>?token=…</code>). <code>leadbell open</code> prints that link again.</p>
</body></html>
`)
}
