package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium, which CI installs: the browser suite
// fails (it does not skip) without it.
const chromiumPath = "/usr/bin/chromium"

// browserWait bounds every wait for the page: generous for a loaded 2-core
// machine, short enough that a broken UI fails quickly.
const browserWait = 15 * time.Second

// browser is one headless Chromium for a test and its subtests.
type browser struct {
	ctx context.Context // a chromedp context that has run once: the browser is up
}

// newBrowser starts Chromium with a fresh profile; it is stopped when t ends.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the browser suite needs Chromium at %s (Debian: apt-get install chromium): %v", chromiumPath, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no timeout
		t.Fatalf("starting Chromium: %v", err)
	}
	return &browser{ctx: ctx}
}

// tab is one browser tab, bound to a test.
type tab struct {
	t   *testing.T
	ctx context.Context
}

// tab opens a new tab with a 1280×800 viewport, closed when t ends.
func (b *browser) tab(t *testing.T) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return &tab{t: t, ctx: ctx}
}

// do runs actions with the usual bound, failing the test on error.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserWait)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// openLink opens the link p printed (UI/?token=...), as a user does once:
// Leadbell sets its cookie in the browser and sends the page on to UI/
// without the token. Every tab of the browser then reaches p's UI (the
// cookie is the browser's, for the host, whatever the port: the link of
// the last Leadbell opened is the one that counts).
func (tb *tab) openLink(p *proc) {
	tb.t.Helper()
	tb.do("open the link leadbell printed", chromedp.Navigate(p.Link))
	// (Where it lands, and without the token in its address, is
	// TestUIToken's to check.)
	if got := evalJS[string](tb, `location.origin + location.pathname`); got != p.UI+"/" {
		tb.t.Fatalf("the printed link landed on %s, want %s/", got, p.UI)
	}
	ctx, cancel := context.WithTimeout(tb.ctx, browserWait)
	defer cancel()
	code, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch("/api/status").then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || code != 200 {
		tb.t.Fatalf("after the printed link the page's GET /api/status answered %d (%v), want 200", code, err)
	}
}

// open opens the link p printed, then p's route (/#/inbox), and waits for
// the app's shell.
func (tb *tab) open(p *proc, route string) {
	tb.t.Helper()
	tb.openLink(p)
	tb.do("open "+route, chromedp.Navigate(p.UI+route), chromedp.WaitReady(chromedp.CSS(`[data-testid=nav-inbox]`)))
}

// evalJS evaluates expr in the page and decodes its value. Runtime.evaluate
// is not subject to the page's Content-Security-Policy.
func evalJS[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserWait)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitFor polls the JavaScript predicate expr until it is true. (chromedp's
// Poll compiles its predicate with new Function, which the app's CSP
// forbids, so the polling is done from here.)
func (tb *tab) waitFor(what, expr string) {
	tb.t.Helper()
	deadline := time.Now().Add(browserWait)
	for {
		ctx, cancel := context.WithTimeout(tb.ctx, browserWait)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!(`+expr+`)`))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("waited %s for %s (%s): err %v\npage: %s", browserWait, what, expr, err, tb.snapshot())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// snapshot describes the page for a failure message: its URL, status and
// the rows in the DOM.
func (tb *tab) snapshot() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 3*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({
		url: location.href, title: document.title,
		state: document.querySelector('[data-testid=status-state]')?.dataset.state,
		rows: [...document.querySelectorAll('[data-testid=event-row]')].map(r => r.dataset.id + ':' + r.dataset.type + ':' + r.dataset.read),
		text: (document.querySelector('main')?.innerText ?? '').slice(0, 400)})`))
	if err != nil {
		return "(unavailable: " + err.Error() + ")"
	}
	return s
}

// click clicks the first element matching the CSS selector, once visible.
func (tb *tab) click(css string) {
	tb.t.Helper()
	tb.do("click "+css, chromedp.Click(chromedp.CSS(css)))
}

// typeInto types text into the first element matching css.
func (tb *tab) typeInto(css, text string) {
	tb.t.Helper()
	tb.do("type into "+css, chromedp.SendKeys(chromedp.CSS(css), text))
}

// clearInput empties the input or select matching css, with the input and
// change events a user's edit makes. (chromedp's SetValue does the same but
// reports a failure when the value set is empty.)
func (tb *tab) clearInput(css string) {
	tb.t.Helper()
	tb.do("clear "+css, chromedp.Evaluate[chromedp.Void](`(() => {
		const el = `+sel(css)+`;
		el.value = "";
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
	})()`))
}

// press sends key presses to the page (not to an input).
func (tb *tab) press(keys string) {
	tb.t.Helper()
	tb.do("press "+keys, chromedp.KeyEvent(keys))
}

// title returns the document's title.
func (tb *tab) title() string {
	tb.t.Helper()
	return evalJS[string](tb, `document.title`)
}

// rowIDs returns the data-id of every event row in the DOM, in order.
func (tb *tab) rowIDs() []string {
	tb.t.Helper()
	return evalJS[[]string](tb, `[...document.querySelectorAll('[data-testid=event-row]')].map(r => r.dataset.id)`)
}

// waitRows waits until the event rows in the DOM are exactly want, in order.
func (tb *tab) waitRows(what string, want []string) {
	tb.t.Helper()
	js, _ := json.Marshal(want)
	tb.waitFor(what+fmt.Sprintf(" (rows %v)", want),
		`JSON.stringify([...document.querySelectorAll('[data-testid=event-row]')].map(r => r.dataset.id)) === `+quoteJS(string(js)))
}

// quoteJS renders s as a JavaScript string literal.
func quoteJS(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// row is the CSS selector of the event row of id.
func row(id string) string { return `[data-testid=event-row][data-id=` + quoteJS(id) + `]` }

// sel returns a querySelector expression for css.
func sel(css string) string { return `document.querySelector(` + quoteJS(css) + `)` }

// withUI returns serve's args with --ui set to addr.
func withUI(args []string, addr string) []string {
	out := append([]string(nil), args...)
	for i := range out {
		if out[i] == "--ui" && i+1 < len(out) {
			out[i+1] = addr
			return out
		}
	}
	return append(out, "--ui", addr)
}

// idsOf returns the ids of events, in order.
func idsOf(evs []eventJSON) []string {
	ids := make([]string, 0, len(evs))
	for _, e := range evs {
		ids = append(ids, e.ID)
	}
	return ids
}
