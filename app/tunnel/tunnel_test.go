package tunnel

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestLocalServesItsURL(t *testing.T) {
	tun, err := Local("127.0.0.1:0", "")
	if err != nil {
		t.Fatalf("Local: %v", err)
	}
	defer tun.Close()
	if want := "http://" + tun.Listener().Addr().String(); tun.URL() != want {
		t.Errorf("URL() = %q, want the listener's %q", tun.URL(), want)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.Path)
	})}
	go srv.Serve(tun.Listener())
	defer srv.Close()

	resp, err := http.Get(tun.URL() + "/hooks/abc")
	if err != nil {
		t.Fatalf("GET %s: %v", tun.URL(), err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); string(b) != "/hooks/abc" {
		t.Errorf("answer = %q", b)
	}
}

func TestLocalPublicURL(t *testing.T) {
	tun, err := Local("127.0.0.1:0", "https://hooks.example.com/leadbell/")
	if err != nil {
		t.Fatalf("Local: %v", err)
	}
	defer tun.Close()
	if got, want := tun.URL(), "https://hooks.example.com/leadbell"; got != want {
		t.Errorf("URL() = %q, want %q", got, want)
	}
	if tun.Ephemeral() {
		t.Error("Ephemeral() = true: the user's own URL stays theirs")
	}
	if tun.Name() != "none" {
		t.Errorf("Name() = %q, want none", tun.Name())
	}
	if s, err := tun.State(); s != StateConnected || err != nil {
		t.Errorf("State() = %s, %v; want connected", s, err)
	}
}

func TestLocalRefusesBadPublicURL(t *testing.T) {
	for _, publicURL := range []string{
		"hooks.example.com",
		"ftp://hooks.example.com",
		"https://",
		"://hooks.example.com",
		"https://hooks example.com",
	} {
		t.Run(publicURL, func(t *testing.T) {
			addr := freeAddr(t)
			tun, err := Local(addr, publicURL)
			if err == nil {
				tun.Close()
				t.Fatalf("Local accepted %q", publicURL)
			}
			if !strings.Contains(err.Error(), "absolute http(s) URL") {
				t.Errorf("err = %v", err)
			}
			// The listener was let go.
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				t.Fatalf("%s still taken after the refusal: %v", addr, err)
			}
			ln.Close()
		})
	}
}

func TestLocalAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if tun, err := Local(ln.Addr().String(), ""); err == nil {
		tun.Close()
		t.Fatal("Local listened on an address in use")
	}
}

// freeAddr is a loopback address nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
