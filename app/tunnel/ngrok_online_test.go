package tunnel

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"os"
	"testing"
	"time"
)

// TestNgrokOnline opens a real tunnel on ngrok's cloud and fetches its
// public URL. It runs only when asked to, as it needs the network and an
// account.
func TestNgrokOnline(t *testing.T) {
	token := os.Getenv("NGROK_AUTHTOKEN")
	if token == "" || os.Getenv("LEADBELL_TEST_ONLINE") != "1" {
		t.Skip("online test: set NGROK_AUTHTOKEN and LEADBELL_TEST_ONLINE=1 (and NGROK_DOMAIN for a static domain) to run it")
	}
	logs := newLogBuffer()
	tun, err := Ngrok(context.Background(), NgrokOptions{
		Authtoken: token,
		Domain:    os.Getenv("NGROK_DOMAIN"),
		Logger:    logs.logger(),
	})
	if err != nil {
		t.Fatalf("Ngrok: %v", err)
	}
	defer tun.Close()
	t.Logf("tunnel at %s (ephemeral %v)", tun.URL(), tun.Ephemeral())

	nonce := rand.Text()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/hooks/online-test" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, nonce)
	})}
	go srv.Serve(tun.Listener())
	defer srv.Close()

	// A brand-new ephemeral hostname can take a moment to resolve.
	client := &http.Client{Timeout: 15 * time.Second}
	var body string
	for attempt := 0; attempt < 10; attempt++ {
		req, _ := http.NewRequest(http.MethodPost, tun.URL()+"/hooks/online-test", nil)
		req.Header.Set("ngrok-skip-browser-warning", "1")
		resp, err := client.Do(req)
		if err != nil {
			t.Logf("POST %s: %v", tun.URL(), err)
			time.Sleep(2 * time.Second)
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST through the tunnel: %s %q", resp.Status, b)
		}
		body = string(b)
		break
	}
	if body != nonce {
		t.Errorf("answer through the tunnel = %q, want %q", body, nonce)
	}
	logs.assertNo(t, token)
}
