package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// firstRowWatch runs before the app's own script in every new document of
// the tab and records in window.__firstRow the time, from the start of the
// navigation (performance.now's origin), at which the first event row is in
// the DOM.
const firstRowWatch = `new MutationObserver((_, o) => {
	if (document.querySelector('[data-testid=event-row]')) {
		window.__firstRow = performance.now();
		o.disconnect();
	}
}).observe(document, {childList: true, subtree: true});`

// TestBrowserFirstPaint measures, against a store of 100,000 events, how
// long after the navigation starts the first row of the inbox (and of
// Activity) is in the DOM, five times each, and writes the figures to
// artifacts/first-paint.txt. It asserts only behaviour: rows appear, and the
// DOM holds a bounded number of them however many are loaded (windowing).
func TestBrowserFirstPaint(t *testing.T) {
	const events = 100_000
	dir := t.TempDir()
	seedStore(t, dir, events, 30*24*time.Hour)
	p, _ := serveWithSim(t, dir)
	if n := total(p.status()); n != events {
		t.Fatalf("the store holds %d events, want %d", n, events)
	}

	b := newBrowser(t)
	// The user opened the printed link once; each run then opens the UI's
	// address in a new tab. The link's own page load must not warm the
	// cache run 1 measures cold.
	link := b.tab(t)
	link.openLink(p)
	if _, err := chromedp.Call(link.ctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	report := []string{
		fmt.Sprintf("First paint against a store of %d events (ms from navigation start to the first event row in the DOM)", events),
		fmt.Sprintf("measured %s, Chromium headless, %s; each run in a new tab (run 1 has a cold cache)", time.Now().UTC().Format(time.RFC3339), chromiumPath),
		"each run: first row [DOMContentLoaded, first /api/events request start-end]",
	}
	for _, screen := range []string{"inbox", "activity"} {
		var runs []string
		for i := range 5 {
			t.Run(fmt.Sprintf("%s %d", screen, i+1), func(t *testing.T) {
				runs = append(runs, firstRow(t, b, p.UI+"/#/"+screen).String())
			})
		}
		line := fmt.Sprintf("%-9s %s", screen+":", strings.Join(runs, " | "))
		t.Log(line)
		report = append(report, line)
	}
	if err := os.MkdirAll("artifacts", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("artifacts", "first-paint.txt"), []byte(strings.Join(report, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// Windowing: page through several hundred events of Activity by
	// scrolling; the DOM keeps only the rows in view.
	tb := b.tab(t)
	tb.open(p, "/#/activity")
	tb.waitFor("Activity's rows", sel(`[data-testid=event-row]`))
	const rowHeight = 58 // Activity's
	loaded := `Math.floor(document.querySelector('.viewport > .spacer').offsetHeight / ` + fmt.Sprint(rowHeight) + `)`
	for want := 200; want <= 400; want += 100 {
		tb.do("scroll to the end", chromedp.Evaluate[chromedp.Void](`document.querySelector('.viewport').scrollTop = 1e9`))
		tb.waitFor(fmt.Sprintf("%d events loaded by scrolling", want), loaded+` >= `+fmt.Sprint(want))
	}
	rows := evalJS[int](tb, `document.querySelectorAll('[data-testid=event-row]').length`)
	n := evalJS[int](tb, loaded)
	t.Logf("Activity holds %d loaded events in %d row elements", n, rows)
	if rows == 0 || rows >= 200 {
		t.Errorf("%d event rows in the DOM with %d loaded: want a window of fewer than 200", rows, n)
	}
	p.stop()
}

// paint is one first-paint measurement, in milliseconds from the start of
// the navigation.
type paint struct {
	FirstRow    float64 `json:"firstRow"`
	DCL         float64 `json:"dcl"`
	EventsStart float64 `json:"eventsStart"`
	EventsEnd   float64 `json:"eventsEnd"`
}

func (p paint) String() string {
	return fmt.Sprintf("%.0f [%.0f, %.0f-%.0f]", p.FirstRow, p.DCL, p.EventsStart, p.EventsEnd)
}

// firstRow opens url in a new tab and measures when the first event row is
// in the DOM, and when the document and the first page of events were in.
// Each run has a tab of its own, closed after it, as a user opening Leadbell
// would have.
func firstRow(t *testing.T, b *browser, url string) paint {
	t.Helper()
	tb := b.tab(t)
	if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: firstRowWatch}); err != nil {
		t.Fatal(err)
	}
	tb.do("open "+url, chromedp.Navigate(url))
	tb.waitFor("the first row", `window.__firstRow !== undefined`)
	return evalJS[paint](tb, `(() => {
		const nav = performance.getEntriesByType('navigation')[0];
		const ev = performance.getEntriesByType('resource').find(r => new URL(r.name).pathname === '/api/events');
		return {firstRow: window.__firstRow, dcl: nav?.domContentLoadedEventEnd ?? -1,
			eventsStart: ev?.startTime ?? -1, eventsEnd: ev?.responseEnd ?? -1};
	})()`)
}
