package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
)

// hostileScan is what a page holds that a payload could have injected.
type hostileScan struct {
	Pwned       bool     `json:"pwned"`
	PayloadImgs int      `json:"payloadImgs"`
	OnError     int      `json:"onError"`
	Scripts     []string `json:"scripts"`
	JSLinks     []string `json:"jsLinks"`
	Violations  []string `json:"violations"`
}

// scanHostile looks for anything a hostile payload could have put into the
// page: its flag, its <img>, inline handlers, inline scripts, javascript:
// links, and attempts the Content-Security-Policy had to block.
func scanHostile(tb *tab) hostileScan {
	tb.t.Helper()
	return evalJS[hostileScan](tb, `({
		pwned: window.__pwned !== undefined,
		payloadImgs: document.querySelectorAll('img[src=x], img[src$="/x"]').length,
		onError: document.querySelectorAll('[onerror]').length,
		scripts: [...document.querySelectorAll('script')].filter(s => !s.src || s.textContent.includes('__pwned')).map(s => s.outerHTML.slice(0, 120)),
		jsLinks: [...document.querySelectorAll('a[href], area[href], [xlink\\:href]')]
			.map(a => a.getAttribute('href') ?? '')
			.filter(h => h.replace(/[\s\u0000-\u001f]/g, '').toLowerCase().startsWith('javascript:')),
		violations: window.__cspViolations ?? ['(the violation listener is missing)'],
	})`)
}

// cspWatch records every Content-Security-Policy violation of the tab's
// next documents in window.__cspViolations.
const cspWatch = `window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));`

// deliverFile POSTs a fixture to the webhook URL, signed with the secret.
func deliverFile(t *testing.T, hook, name string) int {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	header := http.Header{smartlead.SignatureHeader: {simulator.Sign(body, secret)}}
	code, err := simulator.Deliver(context.Background(), nil, hook, body, header)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// testHostilePayloads delivers a reply and a click whose every field holds
// markup and javascript: links, opens both, and finds the markup shown as
// text and nothing of it alive in the page.
func testHostilePayloads(t *testing.T, b *browser) {
	p, _ := serveWithSim(t, t.TempDir())
	hook := p.status().WebhookURL
	for _, f := range []string{"hostile_reply.json", "hostile_click.json"} {
		if code := deliverFile(t, hook, f); code != 200 {
			t.Fatalf("delivering %s: %d, want 200", f, code)
		}
	}
	var reply, click eventJSON
	var list pageJSON
	p.getJSON("/api/events?type=EMAIL_REPLIED", &list)
	if len(list.Events) != 1 {
		t.Fatalf("the API lists %d replies, want the hostile one", len(list.Events))
	}
	reply = list.Events[0]
	p.getJSON("/api/events?type=EMAIL_CLICKED", &list)
	if len(list.Events) != 1 {
		t.Fatalf("the API lists %d clicks, want the hostile one", len(list.Events))
	}
	click = list.Events[0]
	var full struct {
		Body, Subject string
		LeadName      string `json:"lead_name"`
	}
	p.getJSON("/api/events/"+reply.ID, &full)

	tb := b.tab(t)
	if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch}); err != nil {
		t.Fatal(err)
	}
	tb.open(p, "/#/inbox")
	tb.waitFor("the hostile reply's row", sel(row(reply.ID)))
	tb.click(row(reply.ID))
	tb.waitFor("the reading pane", sel(`[data-testid=reading-pane]`)+`?.dataset.id === `+quoteJS(reply.ID))
	tb.waitFor("the lead's timeline", sel(`[data-testid=timeline] [data-type=EMAIL_CLICKED]`))

	text := func(testid string) string {
		return evalJS[string](tb, sel(`[data-testid=reading-pane] [data-testid=`+testid+`]`)+`.textContent`)
	}
	name, subject, body := text("lead-name"), text("subject"), text("reply-body")
	for _, tt := range []struct{ field, got, want string }{
		{"lead name", name, "<script>window.__pwned=1</script>"},
		{"lead name", name, `<img src=x onerror="window.__pwned=1">`},
		{"subject", subject, "<script>window.__pwned=1</script>"},
		{"subject", subject, `<img src=x onerror="window.__pwned=1">`},
		{"body", body, "<script>window.__pwned=1</script>"},
		{"body", body, `<img src=x onerror="window.__pwned=1">`},
	} {
		if !strings.Contains(tt.got, tt.want) {
			t.Errorf("the %s shows %q, want the literal text %q in it", tt.field, tt.got, tt.want)
		}
	}
	if strings.TrimSpace(body) != strings.TrimSpace(full.Body) {
		t.Errorf("the body shows %q, want the stored text %q", body, full.Body)
	}
	pane := evalJS[string](tb, sel(`[data-testid=reading-pane]`)+`.textContent`)
	if !strings.Contains(pane, "<img src=x onerror=\"window.__pwned=1\"> Corp") {
		t.Errorf("the lead's company is not shown as text in the reading pane: %q", pane)
	}
	if n := evalJS[int](tb, `document.querySelectorAll('[data-testid=open-smartlead]').length`); n != 0 {
		t.Error(`"Open in SmartLead" is offered for a javascript: app_url`)
	}
	tb.click(`[data-testid=nav-activity]`)
	tb.waitFor("the hostile click's row", sel(row(click.ID)))
	tb.click(row(click.ID))
	tb.waitFor("the click in the reading pane", sel(`[data-testid=reading-pane]`)+`?.dataset.id === `+quoteJS(click.ID))
	if got := evalJS[string](tb, sel(`[data-testid=reading-pane]`)+`.textContent`); !strings.Contains(got, "javascript:window.__pwned=1") {
		t.Errorf("the clicked javascript: URL is not shown as text: %q", got)
	}
	// An injected <img> fails to load and fires its handler asynchronously:
	// give it the time a broken image takes before looking.
	time.Sleep(300 * time.Millisecond)
	scan := scanHostile(tb)
	if scan.Pwned {
		t.Error("payload script ran: window.__pwned is set")
	}
	if scan.PayloadImgs != 0 || scan.OnError != 0 {
		t.Errorf("payload markup became elements: %d <img src=x>, %d elements with onerror", scan.PayloadImgs, scan.OnError)
	}
	if len(scan.Scripts) != 0 {
		t.Errorf("inline or payload <script> elements in the page: %q", scan.Scripts)
	}
	if len(scan.JSLinks) != 0 {
		t.Errorf("javascript: links in the page: %q", scan.JSLinks)
	}
	if len(scan.Violations) != 0 {
		t.Errorf("the page tried what its Content-Security-Policy blocked: %q", scan.Violations)
	}
	p.stop()
}
