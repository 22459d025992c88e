package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/leadbell/leadbell/event"
)

// screen is one main screen of the app and what shows it is ready.
type screen struct {
	name  string
	nav   string // the nav link's testid
	ready string // a JavaScript condition
	// prepare, if set, runs once the screen is ready (select a row...).
	prepare func(tb *tab)
}

// TestBrowserScreenshots writes a PNG of each main screen, light and dark,
// to artifacts/<screen>-<scheme>.png, against a store with a month of
// events, a live reply and a refused delivery. It asserts that each screen
// shows its content and that the dark scheme follows the OS setting.
func TestBrowserScreenshots(t *testing.T) {
	dir := t.TempDir()
	seedStore(t, dir, 3000, 30*24*time.Hour)
	p, sim := serveWithSim(t, dir)
	gen := sim.Generator()
	emit(t, sim, gen.Event(event.Opened))
	emit(t, sim, gen.Event(event.Clicked))
	reply := emitID(t, p, sim, gen.Event(event.Replied))
	if code := deliverFile(t, p.status().WebhookURL, "anonymous_reply.json"); code != http.StatusBadRequest {
		t.Fatalf("a reply naming no lead or message: %d, want 400", code)
	}
	if err := os.MkdirAll("artifacts", 0o755); err != nil {
		t.Fatal(err)
	}

	screens := []screen{
		{name: "inbox", nav: "nav-inbox", ready: sel(row(reply)), prepare: func(tb *tab) {
			tb.click(row(reply))
			tb.waitFor("the reply in the reading pane", sel(`[data-testid=reading-pane]`)+`?.dataset.id === `+quoteJS(reply))
			tb.waitFor("the lead's timeline", sel(`[data-testid=timeline] [data-type]`))
		}},
		{name: "activity", nav: "nav-activity", ready: sel(`[data-testid=event-row]`), prepare: func(tb *tab) {
			tb.click(`[data-testid=event-row][data-type=EMAIL_CLICKED]`)
			tb.waitFor("the click in the reading pane", sel(`[data-testid=reading-pane][data-type=EMAIL_CLICKED]`))
		}},
		{name: "overview", nav: "nav-overview", ready: sel(`[data-testid=chart]`)},
		{name: "inspector", nav: "nav-inspector", ready: sel(`[data-testid=delivery-detail]`)},
		{name: "settings", nav: "nav-settings", ready: sel(`[data-testid=signed-in], [data-testid=signin-key]`)},
	}
	b := newBrowser(t)
	backgrounds := map[string]string{}
	for _, scheme := range []string{"light", "dark"} {
		t.Run(scheme, func(t *testing.T) {
			tb := b.tab(t)
			if _, err := chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			}); err != nil {
				t.Fatal(err)
			}
			tb.open(p, "/#/inbox")
			tb.waitFor("the status", sel(`[data-testid=status-state]`)+`?.dataset.state === "listening"`)
			backgrounds[scheme] = evalJS[string](tb, `getComputedStyle(document.body).backgroundColor`)
			for _, s := range screens {
				tb.click(`[data-testid=` + s.nav + `]`)
				tb.waitFor("the "+s.name+" screen", s.ready)
				if s.prepare != nil {
					s.prepare(tb)
				}
				shoot(tb, filepath.Join("artifacts", s.name+"-"+scheme+".png"))
			}
		})
	}
	if backgrounds["light"] == "" || backgrounds["light"] == backgrounds["dark"] {
		t.Errorf("the page background is %q in light and %q in dark: it does not follow the OS setting", backgrounds["light"], backgrounds["dark"])
	}
	p.stop()
}

// shoot waits for the page to settle (fonts, transitions) and writes a PNG
// of the viewport to path.
func shoot(tb *tab, path string) {
	tb.t.Helper()
	tb.waitFor("fonts", `document.fonts.status === "loaded"`)
	time.Sleep(250 * time.Millisecond)
	ctx, cancel := context.WithTimeout(tb.ctx, browserWait)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("wrote %s", path)
}
