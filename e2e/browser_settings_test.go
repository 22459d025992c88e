package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// TestBrowserInspector delivers one good payload and one that names no
// lead or message, and finds the refused one in the Inspector, with the
// reason it was refused and its body.
func TestBrowserInspector(t *testing.T) {
	b := newBrowser(t)
	p, sim := serveWithSim(t, t.TempDir())
	emit(t, sim, sim.Generator().Event(event.Opened))

	if code := deliverFile(t, p.status().WebhookURL, "anonymous_reply.json"); code != http.StatusBadRequest {
		t.Fatalf("a reply naming no lead or message got %d, want 400", code)
	}
	var log struct{ Deliveries []deliveryJSON }
	if code := p.getJSON("/api/deliveries", &log); code != http.StatusOK {
		t.Fatalf("GET /api/deliveries: %d", code)
	}
	var rejected *deliveryJSON
	for i, d := range log.Deliveries {
		if d.Status == http.StatusBadRequest {
			rejected = &log.Deliveries[i]
			break
		}
	}
	if rejected == nil || rejected.Reason == "" {
		t.Fatalf("GET /api/deliveries lists %+v: want the 400 with a reason", log.Deliveries)
	}

	tb := b.tab(t)
	tb.open(p, "/#/inbox")
	tb.click(`[data-testid=nav-inspector]`)
	tb.waitFor("the accepted delivery", sel(`[data-testid=delivery-row][data-status="200"]`))
	tb.waitFor("the rejected delivery", sel(`[data-testid=delivery-row][data-status="400"]`))
	tb.click(`[data-testid=delivery-row][data-status="400"]`)
	tb.waitFor("the rejected delivery's detail", sel(`[data-testid=delivery-detail]`)+`?.textContent.includes(`+quoteJS(rejected.Reason)+`)`)
	detail := evalJS[string](tb, sel(`[data-testid=delivery-detail]`)+`.textContent`)
	if !strings.Contains(detail, "400") {
		t.Errorf("the detail does not say what Leadbell answered: %q", detail)
	}
	shown := evalJS[string](tb, sel(`[data-testid=delivery-body]`)+`?.textContent ?? ""`)
	if !strings.Contains(shown, "names no lead and no message") {
		t.Errorf("the rejected delivery's body is not shown: %q", shown)
	}
	if strings.Contains(detail, secret) {
		t.Error("the Inspector shows the webhook secret")
	}
	p.stop()
}

// TestBrowserSignIn signs in from the welcome screen a signed-out Leadbell
// shows, with a refused key, a key of a plan without API access and a good
// key, and sees a distinct message for each failure and Leadbell listening
// after the last.
func TestBrowserSignIn(t *testing.T) {
	b := newBrowser(t)
	sim := newSim(t, simulator.FamilyLive)
	p := start(t, nil, serveArgs(t.TempDir(), freeAddr(t), sim)...)
	p.waitState("signed_out")

	tb := b.tab(t)
	tb.openLink(p)
	tb.do("open the UI", chromedp.Navigate(p.UI+"/#/inbox"))
	tb.waitFor("the welcome screen", sel(`[data-testid=welcome] [data-testid=signin-key]`))
	if n := evalJS[int](tb, `document.querySelectorAll('[data-testid=try-demo]').length`); n != 1 {
		t.Errorf("the welcome screen shows %d Try the demo buttons, want 1", n)
	}

	const badKey = "sl-not-a-real-key-123456"
	for _, tt := range []struct{ key, code string }{
		{badKey, "invalid_key"},
		{sim.NoAccessKey(), "no_api_access"},
	} {
		tb.clearInput(`[data-testid=signin-key]`)
		tb.do("enter the "+tt.code+" key",
			chromedp.SendKeys(chromedp.CSS(`[data-testid=signin-key]`), tt.key),
			chromedp.Click(chromedp.CSS(`[data-testid=signin-submit]`)),
		)
		tb.waitFor("the "+tt.code+" error", sel(`[data-testid=signin-error]`)+`?.dataset.code === `+quoteJS(tt.code))
		if st := p.status(); st.State != "signed_out" {
			t.Errorf("after a refused key the state is %q, want signed_out", st.State)
		}
	}
	if n := len(sim.Webhooks()); n != 0 {
		t.Fatalf("SmartLead holds %d webhooks after refused keys, want 0", n)
	}

	tb.clearInput(`[data-testid=signin-key]`)
	tb.do("enter the good key",
		chromedp.SendKeys(chromedp.CSS(`[data-testid=signin-key]`), sim.APIKey()),
		chromedp.Click(chromedp.CSS(`[data-testid=signin-submit]`)),
	)
	tb.waitFor("the inbox after signing in", `!document.querySelector('[data-testid=welcome]') && `+sel(`[data-testid=nav-inbox]`))
	p.waitState("listening")
	tb.waitFor("the status to say listening", sel(`[data-testid=status-state]`)+`?.dataset.state === "listening"`)
	tb.click(`[data-testid=nav-settings]`)
	tb.waitFor("the signed-in account", sel(`[data-testid=signed-in]`))
	checkPerCampaign(t, sim, p.status().WebhookURL)
	p.stop()
	for _, k := range []string{badKey, sim.NoAccessKey(), sim.APIKey()} {
		if strings.Contains(p.logs(), k) {
			t.Error("an API key appears in the logs")
		}
	}
}

// TestBrowserTryTheDemo starts the demo from the welcome screen, sees
// simulated events arrive under a bar that says they are simulated, leaves
// the demo and finds the user's own (empty) inbox untouched.
func TestBrowserTryTheDemo(t *testing.T) {
	b := newBrowser(t)
	sim := newSim(t, simulator.FamilyLive)
	dir := t.TempDir()
	p := start(t, nil, serveArgs(dir, freeAddr(t), sim)...)
	p.waitState("signed_out")

	tb := b.tab(t)
	tb.openLink(p)
	tb.do("open the UI", chromedp.Navigate(p.UI+"/#/inbox"))
	tb.waitFor("the welcome screen", sel(`[data-testid=try-demo]`))
	tb.click(`[data-testid=try-demo]`)
	tb.waitFor("the demo bar", sel(`[data-testid=demo-bar]`))
	tb.waitFor("the demo to listen", sel(`[data-testid=status-state]`)+`?.dataset.state === "listening"`)
	if st := p.status(); !st.Demo {
		t.Error("GET /api/status does not say demo after Try the demo")
	}
	tb.click(`[data-testid=nav-activity]`)
	tb.waitFor("a simulated event", sel(`[data-testid=event-row]`))
	if title := evalJS[string](tb, `document.title`); !strings.Contains(title, "demo") {
		t.Errorf("the title %q does not say demo", title)
	}
	if _, err := os.Stat(filepath.Join(dir, "demo", "leadbell.db")); err != nil {
		t.Errorf("the demo keeps no store of its own in the data dir's demo folder: %v", err)
	}
	if n := len(sim.Webhooks()); n != 0 {
		t.Errorf("the demo registered %d webhooks at the user's SmartLead, want 0", n)
	}

	tb.click(`[data-testid=leave-demo]`)
	tb.waitFor("the welcome screen again", sel(`[data-testid=welcome]`))
	st := p.status()
	if st.Demo || st.State != "signed_out" {
		t.Errorf("after leaving the demo: state %q demo %v, want signed_out, not the demo", st.State, st.Demo)
	}
	var page struct{ Events []json.RawMessage }
	if code := p.getJSON("/api/events?limit=5", &page); code != http.StatusOK || len(page.Events) != 0 {
		t.Errorf("the user's inbox after the demo: %d, %d events; want 200 and none", code, len(page.Events))
	}
	p.stop()
}
