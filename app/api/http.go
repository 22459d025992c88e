package api

import (
	"io"
	"io/fs"
	"net"
	"net/http"
	"path"
	"strings"
)

// contentSecurityPolicy keeps the UI to its own origin: no inline script, no
// remote code, nothing framed. Payload text can never become markup.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"

// HostCheck refuses requests whose Host header is not loopback (127.0.0.1,
// localhost or [::1], with any port): a page on another site cannot reach
// the API through DNS rebinding. Wrap the TCP listener's handler in it; the
// window's requests come through Wails with Wails' own host.
func HostCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			WriteError(w, http.StatusForbidden, "host", "This address is only served to localhost.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	switch strings.ToLower(host) {
	case "127.0.0.1", "localhost", "::1", "[::1]":
		return true
	}
	return false
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// assets serves the embedded frontend; unknown paths without an extension
// get index.html so the UI's own routes survive a reload.
func (s *Server) assets() http.Handler {
	if s.cfg.Assets == nil {
		return http.NotFoundHandler()
	}
	if _, err := fs.Stat(s.cfg.Assets, "index.html"); err != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "Leadbell's UI is not built into this binary: run `make build`. The JSON API is at /api/.\n")
		})
	}
	files := http.FileServerFS(s.cfg.Assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name != "" && path.Ext(name) == "" {
			if _, err := fs.Stat(s.cfg.Assets, name); err != nil {
				r.URL.Path = "/"
			}
		}
		files.ServeHTTP(w, r)
	})
}
