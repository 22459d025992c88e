package e2e

import (
	"strings"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
)

// TestTrigger sends `leadbell trigger` deliveries of both shapes to a running
// serve and finds them stored, verified by their signature or secret_key.
// One signed with another secret is taken on its path token and reported;
// one to a wrong path token is refused, and trigger says so.
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
	if st := p.status(); st.warned("secret_mismatch") {
		t.Fatalf("warnings %+v after deliveries with the right secret", st.Warnings)
	}

	// Another secret: the path token vouches for it, the status says so.
	const wrong = "not-the-e2e-secret"
	for _, shape := range []string{"spec", "live"} {
		out := exec2(t, nil, "trigger", "EMAIL_OPEN", "--url", hook, "--secret", wrong, "--shape", shape)
		if out.code != 0 || !strings.Contains(out.stdout, "200 OK") {
			t.Fatalf("trigger (%s shape) with another secret: exit %d, %q %q; want it taken on the path token", shape, out.code, out.stdout, out.stderr)
		}
	}
	var opens pageJSON
	p.getJSON("/api/events?type=EMAIL_OPENED", &opens)
	if len(opens.Events) != 2 || opens.Events[0].VerifiedBy != "url_token" || opens.Events[1].VerifiedBy != "url_token" {
		t.Fatalf("opens delivered with another secret: %+v, want both stored, verified by url_token", opens.Events)
	}
	st := p.status()
	if !st.warned("secret_mismatch") {
		t.Fatalf("warnings %+v after deliveries with another secret, want secret_mismatch", st.Warnings)
	}
	for _, w := range st.Warnings {
		if strings.Contains(w.Message, secret) || strings.Contains(w.Message, wrong) {
			t.Errorf("warning %q echoes a secret", w.Message)
		}
	}
	var log struct{ Deliveries []deliveryJSON }
	p.getJSON("/api/deliveries", &log)
	vias := map[string]bool{}
	for _, d := range log.Deliveries {
		if d.SecretMismatch {
			vias[d.SignatureHeader] = d.Status == 200
		}
	}
	if len(vias) != 2 || !vias["X-Smartlead-Signature"] || !vias[""] {
		t.Errorf("the inspector flags secret mismatches %v, want the signed one (X-Smartlead-Signature) and the secret_key one, both answered 200", vias)
	}

	// A wrong path token is refused, and trigger fails showing it.
	forged := hook[:strings.LastIndex(hook, "/")+1] + strings.Repeat("0", 64)
	if out := exec2(t, nil, "trigger", "EMAIL_REPLIED", "--url", forged, "--secret", secret); out.code == 0 || !strings.Contains(out.stdout, "404") {
		t.Fatalf("trigger to a wrong path token: exit %d, %q; want a failure showing 404", out.code, out.stdout)
	}
	if out := exec2(t, nil, "trigger", "NOT_A_TYPE", "--url", hook); out.code == 0 || !strings.Contains(out.stderr, "unknown event type") {
		t.Fatalf("trigger with a bad type: exit %d, %q", out.code, out.stderr)
	}
	if n := total(p.status()); n != 5 {
		t.Errorf("%d events stored, want the 5 taken", n)
	}
	p.stop()
}

// TestTriggerHelp: -h prints the usage and succeeds, with or without a
// TYPE before it, and sends nothing.
func TestTriggerHelp(t *testing.T) {
	for _, args := range [][]string{{"trigger", "-h"}, {"trigger", "--help"}, {"trigger", "reply", "-h"}} {
		r := exec2(t, nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout+r.stderr, "Usage: leadbell trigger TYPE --url URL") || !strings.Contains(r.stdout+r.stderr, "-shape") {
			t.Errorf("leadbell %s: exit %d, stdout %q, stderr %q; want the usage and exit 0", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout, "->") {
			t.Errorf("leadbell %s delivered something: %q", strings.Join(args, " "), r.stdout)
		}
	}
}

// TestNgrokWithoutTokenIsUnreachable: --tunnel ngrok with no authtoken
// still starts (the token can be added in Settings), says in the status
// that SmartLead cannot reach it and what is missing, and registers
// nothing at SmartLead.
func TestNgrokWithoutTokenIsUnreachable(t *testing.T) {
	sim := newSim(t, simulator.FamilyLive)
	p := start(t, []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}, "serve", "--data", t.TempDir(), "--ui", "127.0.0.1:0", "--tunnel", "ngrok",
		"--listen", freeAddr(t), "--smartlead-url", sim.URL(), "--watchdog", "1h")
	st := p.waitState("unreachable")
	if !strings.Contains(st.Message, "ngrok token") || st.Registered {
		t.Fatalf("status %+v: want unreachable, naming the missing ngrok token, nothing registered", st)
	}
	if n := len(sim.Webhooks()); n != 0 {
		t.Fatalf("SmartLead holds %d webhooks for an address it cannot reach, want none", n)
	}
	p.stop()
}
