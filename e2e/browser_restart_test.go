package e2e

import (
	"slices"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// testReadStatePersists reads a reply, restarts leadbell on the same data
// and finds it still read, and the other reply still unread.
func testReadStatePersists(t *testing.T, b *browser) {
	dir := t.TempDir()
	p, sim := serveWithSim(t, dir)
	gen := sim.Generator()
	read := emitID(t, p, sim, gen.Event(event.Replied))
	unread := emitID(t, p, sim, gen.Event(event.Replied))

	tb := b.tab(t)
	tb.open(p, "/#/inbox")
	tb.waitFor("both replies unread", sel(row(read))+`?.dataset.read === "false" && `+sel(row(unread))+`?.dataset.read === "false"`)
	tb.click(row(read))
	tb.waitFor("the reply marked read after a second", sel(row(read))+`.dataset.read === "true"`)
	tb.waitFor("the reading pane to offer Mark unread", sel(`[data-testid=toggle-read]`)+`?.dataset.read === "true"`)
	waitRead(t, p, read, true)
	tb.waitFor("the unread badge to say 1", sel(`[data-testid=unread-count]`)+`?.textContent.trim() === "1"`)
	p.stop()

	p = start(t, []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}, serveArgs(dir, freeAddr(t), sim)...)
	p.waitState("listening")
	tb.open(p, "/#/inbox")
	tb.waitFor("the rows after the restart", sel(row(read))+` && `+sel(row(unread)))
	if got := evalJS[string](tb, sel(row(read))+`.dataset.read`); got != "true" {
		t.Errorf("after a restart the read reply's row has data-read=%q, want true", got)
	}
	if got := evalJS[string](tb, sel(row(unread))+`.dataset.read`); got != "false" {
		t.Errorf("after a restart the untouched reply's row has data-read=%q, want false", got)
	}
	if st := p.status(); st.Unread != 1 {
		t.Errorf("after a restart /api/status says %d unread, want 1", st.Unread)
	}
	tb.waitFor("the unread badge to say 1 after the restart", sel(`[data-testid=unread-count]`)+`?.textContent.trim() === "1"`)
	p.stop()
}

// waitRead waits until the API reports event id's read state as want.
func waitRead(t *testing.T, p *proc, id string, want bool) {
	t.Helper()
	deadline := time.Now().Add(browserWait)
	for {
		var ev eventJSON
		p.getJSON("/api/events/"+id, &ev)
		if ev.Read == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("event %s: read %v, want %v", id, ev.Read, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// testCatchUpAfterRestart keeps one page open while leadbell stops and
// starts again on the same address; the replies delivered after the
// restart show up, each once, without a reload.
func testCatchUpAfterRestart(t *testing.T, b *browser) {
	dir := t.TempDir()
	sim := newSim(t, simulator.FamilyLive)
	key := []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}
	args := withUI(serveArgs(dir, freeAddr(t), sim), freeAddr(t))
	p := start(t, key, args...)
	p.waitState("listening")
	gen := sim.Generator()
	first := emitID(t, p, sim, gen.Event(event.Replied))

	tb := b.tab(t)
	tb.open(p, "/#/inbox")
	tb.waitFor("the first reply", sel(row(first)))
	tb.markDocument()
	p.stop()
	tb.waitFor("the page to notice leadbell is gone", sel(`[data-testid=status-state]`)+`?.dataset.state === "disconnected"`)

	p = start(t, key, args...)
	p.waitState("listening")
	second := emitID(t, p, sim, gen.Event(event.Replied))
	third := emitID(t, p, sim, gen.Event(event.Replied))
	var replies pageJSON
	p.getJSON("/api/events?type=EMAIL_REPLIED", &replies)
	if ids := idsOf(replies.Events); len(ids) != 3 || !slices.Contains(ids, first) || !slices.Contains(ids, second) || !slices.Contains(ids, third) {
		t.Fatalf("the API lists replies %v, want %s, %s and %s", ids, first, second, third)
	}
	tb.waitRows("the replies delivered after the restart, each once, in the API's order", idsOf(replies.Events))
	tb.waitFor("the status to recover", sel(`[data-testid=status-state]`)+`?.dataset.state === "listening"`)
	tb.sameDocument("to catch up")
	// A late second merge must not double a row either.
	time.Sleep(500 * time.Millisecond)
	if ids := tb.rowIDs(); len(ids) != 3 {
		t.Errorf("rows %v after catching up, want each of the 3 replies once", ids)
	}
	p.stop()
}
