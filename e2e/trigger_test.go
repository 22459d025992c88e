package e2e

import (
	"strings"
	"testing"
)

// TestTrigger sends `leadbell trigger` deliveries of both shapes to a running
// serve and finds them stored, verified by their signature or secret_key.
func TestTrigger(t *testing.T) {
	p := start(t, []string{"LEADBELL_WEBHOOK_SECRET=" + secret}, "serve", "--data", t.TempDir(), "--ui", "127.0.0.1:0", "--tunnel", "none", "--listen", "127.0.0.1:0")
	hook := p.status().WebhookURL
	for _, tt := range []struct{ typ, shape, wantType, verifiedBy string }{
		{"EMAIL_REPLIED", "spec", "EMAIL_REPLIED", "signature"},
		{"EMAIL_LINK_CLICK", "live", "EMAIL_CLICKED", "secret_key"},
		{"bounce", "spec", "EMAIL_BOUNCED", "signature"},
	} {
		out := exec2(t, nil, "trigger", tt.typ, "--url", hook, "--secret", secret, "--shape", tt.shape)
		if out.code != 0 || !strings.Contains(out.stdout, "200 OK") {
			t.Fatalf("trigger %s: exit %d, %q %q", tt.typ, out.code, out.stdout, out.stderr)
		}
		var page pageJSON
		p.getJSON("/api/events?type="+tt.wantType, &page)
		if len(page.Events) != 1 || page.Events[0].VerifiedBy != tt.verifiedBy {
			t.Fatalf("after trigger %s: %+v, want one %s verified by %s", tt.typ, page.Events, tt.wantType, tt.verifiedBy)
		}
	}
	if out := exec2(t, nil, "trigger", "EMAIL_REPLIED", "--url", hook, "--secret", "wrong"); out.code == 0 || !strings.Contains(out.stdout, "401") {
		t.Fatalf("trigger with a wrong secret: exit %d, %q; want a failure showing 401", out.code, out.stdout)
	}
	if out := exec2(t, nil, "trigger", "NOT_A_TYPE", "--url", hook); out.code == 0 || !strings.Contains(out.stderr, "unknown event type") {
		t.Fatalf("trigger with a bad type: exit %d, %q", out.code, out.stderr)
	}
	p.stop()
}

// TestNgrokWithoutTokenIsAClearError: --tunnel ngrok with no authtoken
// stops at once and says what is missing (and touches no registration).
func TestNgrokWithoutTokenIsAClearError(t *testing.T) {
	r := exec2(t, nil, "serve", "--data", t.TempDir(), "--ui", "127.0.0.1:0", "--tunnel", "ngrok")
	if r.code == 0 || !strings.Contains(strings.ToLower(r.stderr), "authtoken") {
		t.Fatalf("exit %d, stderr %q: want a failure naming the missing authtoken", r.code, r.stderr)
	}
}
