package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/leadbell/leadbell/event"
)

// TestBrowserExport uses the inbox's Export menu: its CSV link carries the
// list's filter and downloads the replies, and only the replies.
func TestBrowserExport(t *testing.T) {
	b := newBrowser(t)
	p, sim := serveWithSim(t, t.TempDir())
	gen := sim.Generator()
	reply := gen.Event(event.Replied)
	open := gen.Event(event.Opened)
	emit(t, sim, reply)
	emit(t, sim, open)

	tb := b.tab(t)
	tb.open(p, "/#/inbox")
	tb.waitFor("the reply", sel(`[data-testid=event-row]`))
	tb.click(`[data-testid=export]`)
	tb.waitFor("the export menu", sel(`[data-testid=export-csv]`)+`?.offsetParent`)
	href := evalJS[string](tb, sel(`[data-testid=export-csv]`)+`.getAttribute("href")`)
	if !strings.HasPrefix(href, "/api/export?") || !strings.Contains(href, "format=csv") || !strings.Contains(href, "type=EMAIL_REPLIED") {
		t.Fatalf("the CSV link is %q, want /api/export with format=csv and the inbox's type", href)
	}
	ctx, cancel := context.WithTimeout(tb.ctx, browserWait)
	defer cancel()
	csv, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(`+quoteJS(href)+`).then(r => r.ok ? r.text() : "HTTP " + r.status)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetching the CSV link: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "lead_email") {
		t.Fatalf("the CSV has %d lines, want a header and the one reply:\n%s", len(lines), csv)
	}
	if !strings.Contains(lines[1], reply.Lead.Email) || strings.Contains(csv, open.Lead.Email) && open.Lead.Email != reply.Lead.Email {
		t.Errorf("the CSV row is not the reply's:\n%s", csv)
	}
	p.stop()
}
