package engine

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/leadbell/leadbell/app/webhook"
	"github.com/leadbell/leadbell/store"
)

// selfTestDoc is the record of the last self-test that came back.
var selfTestDoc = store.Doc[Health]("health")

// Health is the record of the last self-test that came back.
type Health struct {
	LastSelfTestAt time.Time `json:"last_self_test_at"`
}

// selfTest sends a signed probe to the public webhook URL and waits for the
// receiver to see it: proof that a delivery from outside reaches Leadbell.
func (e *Engine) selfTest(ctx context.Context) error {
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("app: unable to make a self-test: %w", err)
	}
	n := hex.EncodeToString(nonce)
	body, err := json.Marshal(map[string]string{"event": webhook.SelfTestType, "nonce": n, "sent_at": time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		return err
	}

	back := make(chan struct{})
	e.mu.Lock()
	e.probes[n] = back
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.probes, n)
		e.mu.Unlock()
	}()

	ctx, cancel := context.WithTimeout(ctx, e.cfg.SelfTestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.HookURL(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("app: unable to make a self-test: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.SelfTestHeader, webhook.SelfTestSignature(body, e.in.token))
	resp, err := e.http.Do(req)
	if err != nil {
		// The error names the URL, which holds the path token: say less.
		return fmt.Errorf("the public URL did not answer")
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the public URL answered %s", resp.Status)
	}
	select {
	case <-back:
	case <-ctx.Done():
		return fmt.Errorf("the self-test never reached Leadbell's receiver")
	}
	if err := selfTestDoc.Put(e.store, Health{LastSelfTestAt: time.Now().UTC()}); err != nil {
		return fmt.Errorf("app: unable to save the self-test: %w", err)
	}
	return nil
}

// probeReturned is the receiver's report of a genuine self-test.
func (e *Engine) probeReturned(nonce string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if back, ok := e.probes[nonce]; ok {
		close(back)
		delete(e.probes, nonce)
	}
}
