package e2e

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// TestBrowserInbox drives the inbox in Chromium against leadbell serve and
// the SmartLead simulator.
func TestBrowserInbox(t *testing.T) {
	b := newBrowser(t)
	t.Run("a reply appears live", func(t *testing.T) { testReplyAppearsLive(t, b) })
	t.Run("hostile payloads render inert", func(t *testing.T) { testHostilePayloads(t, b) })
	t.Run("read state persists across a restart", func(t *testing.T) { testReadStatePersists(t, b) })
	t.Run("the keyboard marks read and unread", func(t *testing.T) { testKeyboardReadUnread(t, b) })
	t.Run("the browser catches up after a restart", func(t *testing.T) { testCatchUpAfterRestart(t, b) })
	t.Run("leaving and coming back keeps working", func(t *testing.T) { testLeaveAndComeBack(t, b) })
}

// serveWithSim starts leadbell serve, signed in to a fresh simulator, and
// waits until it listens.
func serveWithSim(t *testing.T, dir string) (*proc, *simulator.Server) {
	t.Helper()
	sim := newSim(t, simulator.FamilyLive)
	p := start(t, []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}, serveArgs(dir, freeAddr(t), sim)...)
	p.waitState("listening")
	return p, sim
}

// emitID has SmartLead deliver s and returns the stored event's id: the one
// id of its type that was not listed before. (The newest of the type is not
// it when the generator spaced the lead's events a second into the future.)
func emitID(t *testing.T, p *proc, sim *simulator.Server, s simulator.Sample) string {
	t.Helper()
	list := func() []string {
		var page pageJSON
		p.getJSON("/api/events?limit=500&type="+string(s.Type), &page)
		return idsOf(page.Events)
	}
	before := list()
	emit(t, sim, s)
	var added []string
	for _, id := range list() {
		if !slices.Contains(before, id) {
			added = append(added, id)
		}
	}
	if len(added) != 1 {
		t.Fatalf("a delivered %s added %v to the store, want one event", s.Type, added)
	}
	return added[0]
}

// markDocument tags the page so that a reload can be told apart.
func (tb *tab) markDocument() {
	tb.t.Helper()
	tb.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`))
}

// sameDocument fails the test if the page was reloaded since markDocument.
func (tb *tab) sameDocument(why string) {
	tb.t.Helper()
	if !evalJS[bool](tb, `window.__sameDocument === true`) {
		tb.t.Fatalf("the page was reloaded %s", why)
	}
}

// testReplyAppearsLive opens the inbox, has SmartLead deliver a reply and
// finds it in the list, the unread badge and the title, without a reload.
func testReplyAppearsLive(t *testing.T, b *browser) {
	p, sim := serveWithSim(t, t.TempDir())
	tb := b.tab(t)
	tb.open(p, "/#/inbox")
	tb.waitFor("the empty inbox", sel(`[data-testid=empty-inbox]`))
	tb.markDocument()
	if got := tb.title(); got != "Leadbell" {
		t.Fatalf("title %q before any reply, want Leadbell", got)
	}

	id := emitID(t, p, sim, sim.Generator().Event(event.Replied))
	tb.waitFor("the reply's row", sel(row(id)))
	tb.waitFor("the unread badge to say 1", sel(`[data-testid=unread-count]`)+`?.textContent.trim() === "1"`)
	tb.waitFor("the title to count the reply", `document.title === "(1) Leadbell"`)
	tb.sameDocument("to show the reply")
	if got := evalJS[string](tb, sel(row(id))+`.dataset.read`); got != "false" {
		t.Errorf("the new reply's row has data-read=%q, want false", got)
	}
	p.stop()
}

// testKeyboardReadUnread selects a reply with j; once it is read (a
// second after it is opened), m marks it unread, m read again, u unread;
// an unread mark must stick while the reply stays selected. (e is done.)
func testKeyboardReadUnread(t *testing.T, b *browser) {
	p, sim := serveWithSim(t, t.TempDir())
	id := emitID(t, p, sim, sim.Generator().Event(event.Replied))
	tb := b.tab(t)
	tb.open(p, "/#/inbox")
	tb.waitFor("the reply's row", sel(row(id)))
	tb.press("j")
	tb.waitFor("j to select the reply", sel(`[data-testid=reading-pane]`)+`?.dataset.id === `+quoteJS(id))
	tb.waitFor("the opened reply to be marked read", sel(row(id))+`.dataset.read === "true"`)
	waitRead(t, p, id, true)
	tb.press("m")
	tb.waitFor("m to mark it unread", sel(row(id))+`.dataset.read === "false"`)
	waitRead(t, p, id, false)
	tb.press("m")
	tb.waitFor("m to mark it read again", sel(row(id))+`.dataset.read === "true"`)
	waitRead(t, p, id, true)
	tb.press("u")
	tb.waitFor("u to mark it unread", sel(row(id))+`.dataset.read === "false"`)
	waitRead(t, p, id, false)
	// The reply stays selected: a second later it must still be unread, as
	// the reader asked (the automatic mark is for opening a reply).
	time.Sleep(1500 * time.Millisecond)
	if got := evalJS[string](tb, sel(row(id))+`.dataset.read`); got != "false" {
		t.Errorf("1.5 s after u the selected reply's row has data-read=%q: marking unread did not stick", got)
	}
	var ev eventJSON
	p.getJSON("/api/events/"+id, &ev)
	if ev.Read {
		t.Error("1.5 s after u the API says the reply is read: marking unread did not stick")
	}
	p.stop()
}

// testLeaveAndComeBack navigates away from the inbox and back, more times
// than a browser keeps connections to one host (six for HTTP/1.1). A page
// kept in the back/forward cache must not hold on to its event stream, or
// the next visit never loads.
func testLeaveAndComeBack(t *testing.T, b *browser) {
	p, sim := serveWithSim(t, t.TempDir())
	id := emitID(t, p, sim, sim.Generator().Event(event.Replied))
	tb := b.tab(t)
	tb.openLink(p)
	for i := range 8 {
		tb.do("leave Leadbell", chromedp.Navigate("about:blank"))
		ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
		err := chromedp.Do(ctx, chromedp.Navigate(p.UI+"/#/inbox"), chromedp.WaitReady(chromedp.CSS(row(id))))
		cancel()
		if err != nil {
			t.Fatalf("visit %d: the inbox did not load within 5 s (%v): a page left behind still holds its connection", i+1, err)
		}
	}
	p.stop()
}
