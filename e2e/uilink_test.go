package e2e

import (
	"net"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
)

// testPrintedLink opens link as a browser does, first without it: the page
// without the token says how to open Leadbell, the link sets an HttpOnly,
// SameSite=Strict cookie and sends the browser on to the UI without the
// token in its address, and that cookie alone then opens the UI and the
// API. The built UI's static files need nothing.
func testPrintedLink(t *testing.T, link, ui, token string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	for _, page := range []string{ui + "/", ui + "/#/inbox", ui + "/?token=" + strings.Repeat("f", len(token))} {
		req, _ := http.NewRequest(http.MethodGet, page, nil)
		code, body, ctype := send(t, browser, req)
		if code != 401 || !strings.HasPrefix(ctype, "text/html") || !strings.Contains(body, "Open Leadbell from its link") || strings.Contains(body, token) {
			t.Errorf("GET %s: %d %s %q, want 401 and the page that says how to open Leadbell", page, code, ctype, body)
		}
	}
	if len(jar.Cookies(mustURL(t, ui))) != 0 {
		t.Fatal("a page without the token set a cookie")
	}

	resp, err := browser.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "leadbell_ui_"+portOf(strings.TrimPrefix(ui, "http://")) {
			cookie = c
		}
	}
	switch {
	case resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/":
		t.Fatalf("GET the printed link: %d to %q, want 303 to / (the token out of the address)", resp.StatusCode, resp.Header.Get("Location"))
	case cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/":
		t.Fatalf("the printed link set the cookie %+v, want leadbell_ui_<port>, HttpOnly, SameSite=Strict, Path=/", cookie)
	case resp.Header.Get("Cache-Control") != "no-store":
		t.Errorf("the printed link's answer has Cache-Control %q, want no-store", resp.Header.Get("Cache-Control"))
	}

	// Opened again (leadbell open, a bookmark), the link still takes the
	// token out of the address: it would stay in the address bar and the
	// history.
	again, _ := http.NewRequest(http.MethodGet, link, nil)
	if code, _, _ := send(t, browser, again); code != http.StatusSeeOther {
		t.Errorf("GET the printed link again, with the cookie already set: %d, want 303 to / (the token out of the address)", code)
	}

	index, _ := http.NewRequest(http.MethodGet, ui+"/", nil)
	code, body, _ := send(t, browser, index)
	if code != 200 || !strings.Contains(body, `<script`) {
		t.Fatalf("GET / with the cookie: %d, want the UI", code)
	}
	status, _ := http.NewRequest(http.MethodGet, ui+"/api/status", nil)
	if code, body, _ := send(t, browser, status); code != 200 {
		t.Errorf("GET /api/status with the cookie: %d %s, want 200", code, body)
	}
	asset := regexp.MustCompile(`/assets/[^"]+`).FindString(body)
	if asset == "" {
		t.Fatalf("the UI names no /assets/ file:\n%s", body)
	}
	req, _ := http.NewRequest(http.MethodGet, ui+asset, nil)
	if code, _, _ := send(t, http.DefaultClient, req); code != 200 {
		t.Errorf("GET %s without the token: %d, want 200 (the UI's files hold nothing of the user's)", asset, code)
	}
}

// TestUIServedBeyondThisComputer serves the UI on every interface, as
// --ui 0.0.0.0:PORT asks: leadbell warns that it is served beyond this
// computer, and every API call still needs the token, over loopback and
// over the machine's other addresses.
func TestUIServedBeyondThisComputer(t *testing.T) {
	sim := newSim(t, simulator.FamilyLive)
	dir := t.TempDir()
	port := portOf(freeAddr(t))
	args := withUI(serveArgs(dir, freeAddr(t), sim), "0.0.0.0:"+port)
	p := start(t, nil, args...)
	token := readToken(t, dir)
	if !regexp.MustCompile(`level=WARN .*served beyond this computer`).MatchString(p.logs()) {
		t.Errorf("no warning that the UI is served beyond this computer:\n%s", p.logs())
	}

	ips := []string{"127.0.0.1"}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
				ips = append(ips, n.IP.String())
			}
		}
	}
	for _, ip := range ips {
		base := "http://" + net.JoinHostPort(ip, port)
		for _, c := range apiCalls(sim.APIKey()) {
			if c.method != http.MethodGet {
				continue
			}
			req, _ := http.NewRequest(c.method, base+c.path, nil)
			if code, body, _ := send(t, http.DefaultClient, req); code != 401 && code != 403 {
				t.Errorf("GET %s%s without the token: %d %s, want it refused", base, c.path, code, body)
			}
		}
	}
	local := uiClient("http://127.0.0.1:"+port, token)
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:"+port+"/api/status", nil)
	if code, body, _ := send(t, local, req); code != 200 {
		t.Errorf("GET /api/status over loopback with the token: %d %s, want 200", code, body)
	}

	t.Run("the printed link opens the UI", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, p.Link, nil)
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		if code, body, _ := send(t, noRedirect, req); code != http.StatusSeeOther {
			t.Fatalf("leadbell printed %s, which answers %d %s: the user cannot open it (want 303 to /, with the cookie)",
				strings.Replace(p.Link, token, "<token>", 1), code, body)
		}
		testPrintedLink(t, p.Link, "http://"+mustURL(t, p.Link).Host, token)
	})
	p.stop()
}
